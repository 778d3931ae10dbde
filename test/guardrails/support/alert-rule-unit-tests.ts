/**
 * promtool unit tests (the `tests:` of a `promtool test rules` file) of the rule groups in dist/prod: each
 * alert with a case where it fires and one where it must not, the SLO burn-rate thresholds at their edges,
 * and the SLO recording rules. Expectations are written out from what each rule means, independently of the
 * code that renders the rules. Run by jest (alert-rules.test.ts) and by `npm run verify` with the promtool
 * of the Prometheus the cluster runs (tools/verify/promtool.ts).
 *
 * Evaluation times are worked out for Prometheus 3, which selects a range left-open, (t - range, t] (2.x took
 * [t - range, t]): e.g. at 1m a 5m window of a series sampled every minute from 0 holds the samples at 0 and
 * 1m, enough for rate(), so an alert with `for: 5m` whose condition holds from then on fires from 6m.
 */

/** The dist/ environment whose rule groups the unit tests are written for. */
export const UNIT_TEST_ENVIRONMENT = 'prod';

export const RUNBOOKS = 'https://github.com/acme/platform/blob/main/docs/runbooks';

export interface ExpectedAlert {
  readonly exp_labels: Record<string, string>;
  readonly exp_annotations: Record<string, string>;
}
export interface AlertCheck {
  readonly eval_time: string;
  readonly alertname: string;
  readonly exp_alerts: ExpectedAlert[];
}
export interface UnitTest {
  readonly name: string;
  readonly interval: string;
  readonly input_series: { series: string; values: string }[];
  readonly alert_rule_test?: AlertCheck[];
  readonly promql_expr_test?: { expr: string; eval_time: string; exp_samples: { labels: string; value: number }[] }[];
}

const ORDER = { namespace: 'commerce', service: 'order-service' };

function expected(alert: string, labels: Record<string, string>, summary: string, description: string): ExpectedAlert {
  return {
    exp_labels: labels,
    exp_annotations: { summary, description, runbook_url: `${RUNBOOKS}/${alert}.md` },
  };
}

const platformAlertTests: UnitTest[] = [
  {
    name: 'HighErrorRate fires after 5 minutes above 5% errors, not at 4.9%, not without traffic',
    interval: '1m',
    input_series: [
      { series: 'http_requests_total{namespace="commerce",service="order-service",status="200"}', values: '0+94x30' },
      { series: 'http_requests_total{namespace="commerce",service="order-service",status="500"}', values: '0+6x30' },
      { series: 'http_requests_total{namespace="identity",service="user-service",status="200"}', values: '0+951x30' },
      { series: 'http_requests_total{namespace="identity",service="user-service",status="503"}', values: '0+49x30' },
      {
        series: 'http_requests_total{namespace="commerce",service="notification-service",status="500"}',
        values: '0x30',
      },
    ],
    alert_rule_test: [
      { eval_time: '5m', alertname: 'HighErrorRate', exp_alerts: [] },
      {
        eval_time: '6m',
        alertname: 'HighErrorRate',
        exp_alerts: [
          expected(
            'HighErrorRate',
            { severity: 'critical', ...ORDER },
            'More than 5% of the requests of a service fail with a 5xx status.',
            'order-service in commerce answered 6% of its requests with a 5xx status over the last 5 minutes (threshold 5%).',
          ),
        ],
      },
    ],
  },
  {
    name: 'PodCrashLooping fires 5 minutes after a sixth restart within the hour, not after a fifth',
    interval: '1m',
    input_series: [
      {
        series: 'kube_pod_container_status_restarts_total{namespace="commerce",pod="order-service-0",container="app"}',
        values: '0x120 6x20',
      },
      {
        series: 'kube_pod_container_status_restarts_total{namespace="commerce",pod="order-service-1",container="app"}',
        values: '0x120 5x20',
      },
    ],
    alert_rule_test: [
      { eval_time: '125m', alertname: 'PodCrashLooping', exp_alerts: [] },
      {
        eval_time: '126m',
        alertname: 'PodCrashLooping',
        exp_alerts: [
          expected(
            'PodCrashLooping',
            { severity: 'critical', namespace: 'commerce', pod: 'order-service-0', container: 'app' },
            'A container restarted more than 5 times in an hour.',
            'Container app of pod commerce/order-service-0 restarted 6 times in the last hour.',
          ),
        ],
      },
    ],
  },
  {
    // Samples every 55s rarely line up with the hour's edges, so increase() extrapolates: 5 restarts read as 5.01.
    name: 'PodCrashLooping does not count 5 restarts as more than 5 when increase() extrapolates',
    interval: '55s',
    input_series: [
      {
        series: 'kube_pod_container_status_restarts_total{namespace="commerce",pod="order-service-0",container="app"}',
        values: '0x100 6x100',
      },
      {
        series: 'kube_pod_container_status_restarts_total{namespace="commerce",pod="order-service-1",container="app"}',
        values: '0x100 5x100',
      },
    ],
    alert_rule_test: [
      {
        eval_time: '130m',
        alertname: 'PodCrashLooping',
        exp_alerts: [
          expected(
            'PodCrashLooping',
            { severity: 'critical', namespace: 'commerce', pod: 'order-service-0', container: 'app' },
            'A container restarted more than 5 times in an hour.',
            'Container app of pod commerce/order-service-0 restarted 6 times in the last hour.',
          ),
        ],
      },
    ],
  },
  {
    name: 'HighLatencyP99 fires after 5 minutes with a p99 above 2s, not for a fast service',
    interval: '1m',
    input_series: [
      ...latencyBuckets(ORDER, { '0.5': 98, '1': 98, '2.5': 98, '5': 100, '+Inf': 100 }),
      ...latencyBuckets(
        { namespace: 'identity', service: 'user-service' },
        { '0.5': 99, '1': 99, '2.5': 100, '5': 100, '+Inf': 100 },
      ),
    ],
    alert_rule_test: [
      { eval_time: '5m', alertname: 'HighLatencyP99', exp_alerts: [] },
      {
        eval_time: '6m',
        alertname: 'HighLatencyP99',
        exp_alerts: [
          expected(
            'HighLatencyP99',
            { severity: 'warning', ...ORDER },
            'The p99 request latency of a service is above 2 seconds.',
            'The 99th percentile latency of order-service in commerce is 3.75s over the last 5 minutes (threshold 2s).',
          ),
        ],
      },
    ],
  },
  {
    name: 'NodeDiskPressure fires after 10 minutes under 10% free, not at 11% nor for tmpfs',
    interval: '1m',
    input_series: [
      ...filesystem('/', 'ext4', '/dev/nvme0n1p1', 9, 100),
      ...filesystem('/var/lib/kubelet', 'xfs', '/dev/nvme1n1', 11, 100),
      ...filesystem('/run', 'tmpfs', 'tmpfs', 1, 100),
    ],
    alert_rule_test: [
      { eval_time: '9m', alertname: 'NodeDiskPressure', exp_alerts: [] },
      {
        eval_time: '10m',
        alertname: 'NodeDiskPressure',
        exp_alerts: [
          expected(
            'NodeDiskPressure',
            {
              severity: 'warning',
              instance: '10.0.1.10:9100',
              mountpoint: '/',
              fstype: 'ext4',
              device: '/dev/nvme0n1p1',
            },
            'A node filesystem has less than 10% free space.',
            'Filesystem / (/dev/nvme0n1p1) on 10.0.1.10:9100 has 9% free (threshold 10%).',
          ),
        ],
      },
    ],
  },
  {
    name: 'DeploymentReplicasMismatch fires after 5 minutes short of replicas, not when all are available',
    interval: '1m',
    input_series: [
      { series: 'kube_deployment_spec_replicas{namespace="commerce",deployment="order-service"}', values: '3x10' },
      {
        series: 'kube_deployment_status_replicas_available{namespace="commerce",deployment="order-service"}',
        values: '2x10',
      },
      { series: 'kube_deployment_spec_replicas{namespace="identity",deployment="user-service"}', values: '2x10' },
      {
        series: 'kube_deployment_status_replicas_available{namespace="identity",deployment="user-service"}',
        values: '2x10',
      },
    ],
    alert_rule_test: [
      { eval_time: '4m', alertname: 'DeploymentReplicasMismatch', exp_alerts: [] },
      {
        eval_time: '5m',
        alertname: 'DeploymentReplicasMismatch',
        exp_alerts: [
          expected(
            'DeploymentReplicasMismatch',
            { severity: 'warning', namespace: 'commerce', deployment: 'order-service' },
            'A Deployment has not had its desired number of available replicas for 5 minutes.',
            'Deployment commerce/order-service has not had all of its 3 desired replicas available for 5 minutes.',
          ),
        ],
      },
    ],
  },
];

function latencyBuckets(labels: Record<string, string>, perMinute: Record<string, number>) {
  const base = `namespace="${labels.namespace}",service="${labels.service}"`;
  return [
    ...Object.entries(perMinute).map(([le, count]) => ({
      series: `http_request_duration_seconds_bucket{${base},le="${le}"}`,
      values: `0+${count}x20`,
    })),
    { series: `http_request_duration_seconds_count{${base}}`, values: `0+${perMinute['+Inf']}x20` },
  ];
}

function filesystem(mountpoint: string, fstype: string, device: string, availGb: number, sizeGb: number) {
  const labels = `instance="10.0.1.10:9100",mountpoint="${mountpoint}",fstype="${fstype}",device="${device}"`;
  return [
    { series: `node_filesystem_avail_bytes{${labels}}`, values: `${availGb}e9x20` },
    { series: `node_filesystem_size_bytes{${labels}}`, values: `${sizeGb}e9x20` },
  ];
}

// ---- SLO burn-rate tests: thresholds written out here, independently of the code that computes them ----

interface Threshold {
  readonly window: string;
  readonly short: string;
  readonly factor: string;
  readonly at: string;
  readonly below: string;
  readonly above: string;
}

// order-service: availability 99.9% (budget 0.001), latency p95 under 0.5s (budget 0.05), window 30d.
export const BURN_THRESHOLDS = {
  availability: {
    page: [
      { window: '1h', short: '5m', factor: '14.4', at: '0.0144', below: '0.0143999', above: '0.0144001' },
      { window: '6h', short: '30m', factor: '6', at: '0.006', below: '0.0059999', above: '0.0060001' },
    ],
    ticket: [
      { window: '1d', short: '2h', factor: '3', at: '0.003', below: '0.0029999', above: '0.0030001' },
      { window: '3d', short: '6h', factor: '1', at: '0.001', below: '0.0009999', above: '0.0010001' },
    ],
  },
  latency: {
    page: [
      { window: '1h', short: '5m', factor: '14.4', at: '0.72', below: '0.7199999', above: '0.7200001' },
      { window: '6h', short: '30m', factor: '6', at: '0.3', below: '0.2999999', above: '0.3000001' },
    ],
    ticket: [
      { window: '1d', short: '2h', factor: '3', at: '0.15', below: '0.1499999', above: '0.1500001' },
      { window: '3d', short: '6h', factor: '1', at: '0.05', below: '0.0499999', above: '0.0500001' },
    ],
  },
} as const satisfies Record<string, Record<string, readonly Threshold[]>>;

const RATIO_METRIC = { availability: 'http_requests_errors', latency: 'http_requests_slower_than_slo' } as const;
const ALL_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d'];
const ALERT_NAMES = {
  availability: { page: 'AvailabilitySLOFastBurn', ticket: 'AvailabilitySLOSlowBurn' },
  latency: { page: 'LatencySLOFastBurn', ticket: 'LatencySLOSlowBurn' },
} as const;
const OBJECTIVES = {
  availability: '99.9% of requests succeed',
  latency: '95% of requests finish within 0.5s',
};

function burnRateTests(kind: 'availability' | 'latency', speed: 'page' | 'ticket'): UnitTest[] {
  const pairs = BURN_THRESHOLDS[kind][speed];
  const alertname = ALERT_NAMES[kind][speed];
  const burns = pairs.map((p) => `${p.factor}x over ${p.window} and ${p.short}`).join(', or ');
  // Every window of the other pairs stays at 0, so only the pair under test can fire.
  const series = (values: Record<string, string>) =>
    ALL_WINDOWS.map((window) => ({
      series: `service:${RATIO_METRIC[kind]}:ratio_rate${window}{namespace="commerce",service="order-service"}`,
      values: `${values[window] ?? '0'}x10`,
    }));
  const check = (fires: boolean, percentage: string): AlertCheck => ({
    eval_time: '5m',
    alertname,
    exp_alerts: fires
      ? [
          expected(
            alertname,
            { severity: speed === 'page' ? 'critical' : 'warning', slo: kind, ...ORDER },
            `order-service burns its ${kind} error budget ${speed === 'page' ? 'fast' : 'steadily'}.`,
            `order-service in commerce promises that ${OBJECTIVES[kind]} over 30 days; its error ratio (${percentage}) burns the budget at more than ${burns}.`,
          ),
        ]
      : [],
  });
  return pairs.flatMap((p) => [
    {
      name: `${alertname}: ${p.window} at the threshold, ${p.short} above: no alert`,
      interval: '1m',
      input_series: series({ [p.window]: p.at, [p.short]: p.above }),
      alert_rule_test: [check(false, '')],
    },
    {
      name: `${alertname}: ${p.window} above, ${p.short} at the threshold: no alert`,
      interval: '1m',
      input_series: series({ [p.window]: p.above, [p.short]: p.at }),
      alert_rule_test: [check(false, '')],
    },
    {
      name: `${alertname}: ${p.window} just below, ${p.short} above: no alert`,
      interval: '1m',
      input_series: series({ [p.window]: p.below, [p.short]: p.above }),
      alert_rule_test: [check(false, '')],
    },
    {
      name: `${alertname}: ${p.window} above, ${p.short} just below: no alert`,
      interval: '1m',
      input_series: series({ [p.window]: p.above, [p.short]: p.below }),
      alert_rule_test: [check(false, '')],
    },
    {
      name: `${alertname}: ${p.window} and ${p.short} just above: fires`,
      interval: '1m',
      input_series: series({ [p.window]: p.above, [p.short]: p.above }),
      alert_rule_test: [check(true, humanizePercentage(p.above))],
    },
  ]);
}

// Prometheus' humanizePercentage: the value times 100 with at most 4 significant digits, then '%'.
function humanizePercentage(value: string): string {
  return `${Number((Number(value) * 100).toPrecision(4))}%`;
}

const recordingRuleTests: UnitTest[] = [
  {
    name: 'the availability ratio counts 5xx responses, is 0 without errors and absent without traffic',
    interval: '1m',
    input_series: [
      { series: 'http_requests_total{namespace="commerce",service="order-service",status="200"}', values: '0+99x10' },
      { series: 'http_requests_total{namespace="commerce",service="order-service",status="502"}', values: '0+1x10' },
      { series: 'http_requests_total{namespace="identity",service="user-service",status="200"}', values: '0+50x10' },
      {
        series: 'http_requests_total{namespace="commerce",service="notification-service",status="200"}',
        values: '0x10',
      },
    ],
    promql_expr_test: [
      {
        expr: 'service:http_requests_errors:ratio_rate5m',
        eval_time: '10m',
        exp_samples: [
          {
            labels: 'service:http_requests_errors:ratio_rate5m{namespace="commerce",service="order-service"}',
            value: 0.01,
          },
          {
            labels: 'service:http_requests_errors:ratio_rate5m{namespace="identity",service="user-service"}',
            value: 0,
          },
        ],
      },
    ],
  },
  {
    name: 'the latency ratio is the share of requests slower than the SLO threshold',
    interval: '1m',
    input_series: [
      // 0.05 must not be taken for the 0.5 bound; a client that writes the bound as 0.50 must still count.
      ...latencyBuckets(ORDER, { '0.05': 10, '0.25': 60, '0.5': 75, '1': 99, '+Inf': 100 }),
      ...latencyBuckets({ namespace: 'identity', service: 'user-service' }, { '0.50': 50, '+Inf': 100 }),
    ],
    promql_expr_test: [
      {
        expr: 'service:http_requests_slower_than_slo:ratio_rate5m',
        eval_time: '10m',
        exp_samples: [
          {
            labels: 'service:http_requests_slower_than_slo:ratio_rate5m{namespace="commerce",service="order-service"}',
            value: 0.25,
          },
          {
            labels: 'service:http_requests_slower_than_slo:ratio_rate5m{namespace="identity",service="user-service"}',
            value: 0.5,
          },
        ],
      },
    ],
  },
];

/** The unit tests by suite: one `promtool test rules` run each. */
export function alertRuleUnitTestSuites(): Record<string, UnitTest[]> {
  const sloTests = (['availability', 'latency'] as const).flatMap((kind) =>
    (['page', 'ticket'] as const).flatMap((speed) => burnRateTests(kind, speed)),
  );
  return {
    platform: platformAlertTests,
    'slo burn rates': sloTests,
    'slo recording rules': recordingRuleTests,
  };
}
