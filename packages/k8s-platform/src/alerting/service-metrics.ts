/**
 * The metrics contract of a service: what every service exposes on its metrics port (`/metrics`), which the
 * platform's alerts, SLO rules and dashboards read. The ServiceMonitor of each service adds the target labels
 * `namespace` (its team's namespace) and `service` (its Kubernetes Service, named like the service).
 *
 * - `http_requests_total{method,route,status}`: a counter of the HTTP requests served, `status` the numeric
 *   response code (`200`, `503`).
 * - `http_request_duration_seconds{method,route,status}`: a histogram of their durations in seconds, with a
 *   bucket bound (`le`) at each latency SLO threshold of the service (`slo.latency.thresholdSeconds`).
 */
export const SERVICE_METRICS = {
  requests: 'http_requests_total',
  duration: 'http_request_duration_seconds',
} as const;

/** The series a Prometheus histogram named `name` writes: `_bucket{le}`, `_count` and `_sum`. */
export function histogramSeries(name: string): readonly [string, string, string] {
  return [`${name}_bucket`, `${name}_count`, `${name}_sum`];
}

/** Matcher of the responses that count as errors: every 5xx status. */
export const SERVER_ERROR_MATCHER = 'status=~"5.."';

/** The labels the rules and dashboards aggregate a service's series by. */
export const SERVICE_AGGREGATION = 'namespace, service';

/** `{a,b}` of the matchers given, nothing for none. */
function selector(matchers: readonly string[]): string {
  return matchers.length > 0 ? `{${matchers.join(',')}}` : '';
}

/** Matcher of one service's series. */
export function serviceMatcher(serviceName: string): string {
  return `service="${serviceName}"`;
}

/** Requests per second per service over the window, of the requests the matchers select (all without any). */
export function requestRate(window: string, matchers: readonly string[] = []): string {
  return `sum by (${SERVICE_AGGREGATION}) (rate(${SERVICE_METRICS.requests}${selector(matchers)}[${window}]))`;
}

/** The q-quantile (0.99 for p99) of the request durations per service over the window, in seconds. */
export function latencyQuantile(quantile: number, window: string, matchers: readonly string[] = []): string {
  const [bucket] = histogramSeries(SERVICE_METRICS.duration);
  return `histogram_quantile(${quantile}, sum by (${SERVICE_AGGREGATION}, le) (rate(${bucket}${selector(matchers)}[${window}])))`;
}
