import { type RunbookLocation, runbookUrl, type Service, UserError } from '@platform/model';
import { ExactDecimal } from './exact-decimal';
import type { AlertingRule, RecordingRule, RuleGroup } from './rule-groups';
import {
  histogramSeries,
  requestRate,
  SERVER_ERROR_MATCHER,
  SERVICE_AGGREGATION,
  SERVICE_METRICS,
  serviceMatcher,
} from './service-metrics';

/** The windows over which the error ratio of an SLO is recorded (the SLO window is added per service). */
export const SLO_RATIO_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;

export type SloKind = 'availability' | 'latency';

/** Both kinds of SLO every service has, in the order the rules and dashboards list them. */
export const SLO_KINDS = ['availability', 'latency'] as const satisfies readonly SloKind[];

/** Label of a burn-rate alert that names the kind of SLO it burns (`availability` or `latency`). */
export const SLO_ALERT_LABEL = 'slo';

/** The window of a service's objectives, as a Prometheus duration: `30d`. */
export function sloWindow(service: Service): string {
  return `${service.slo.windowDays}d`;
}

/** The objective of an SLO in percent: 99.9 (of requests that succeed), 95 (of requests within the threshold). */
export function sloObjectivePercent(service: Service, kind: SloKind): number {
  return kind === 'availability' ? service.slo.availability : service.slo.latency.percentile;
}

/** A multi-window burn-rate condition: the long and the short window both burn faster than the factor. */
export interface BurnRateWindowPair {
  readonly long: string;
  readonly short: string;
  /** Multiple of the error budget's even spend rate over the SLO window. */
  readonly factor: number;
}

/**
 * Multi-window, multi-burn-rate alerting as in the Google SRE workbook (chapter "Alerting on SLOs"):
 * a page when 2% of a 30-day budget burns in an hour or 5% in six hours, a ticket when 10% burns in a day
 * or 10% in three days.
 */
export const BURN_RATE_ALERTS = {
  page: {
    severity: 'critical',
    suffix: 'FastBurn',
    windows: [
      { long: '1h', short: '5m', factor: 14.4 },
      { long: '6h', short: '30m', factor: 6 },
    ],
  },
  ticket: {
    severity: 'warning',
    suffix: 'SlowBurn',
    windows: [
      { long: '1d', short: '2h', factor: 3 },
      { long: '3d', short: '6h', factor: 1 },
    ],
  },
} as const satisfies Record<
  string,
  { severity: 'critical' | 'warning'; suffix: string; windows: readonly BurnRateWindowPair[] }
>;

/** Recorded error ratio of an SLO over a window; `level:metric:operations` as Prometheus names recording rules. */
export function sloRatioRecord(kind: SloKind, window: string): string {
  const metric = kind === 'availability' ? 'http_requests_errors' : 'http_requests_slower_than_slo';
  return `service:${metric}:ratio_rate${window}`;
}

export function sloAlertName(kind: SloKind, speed: keyof typeof BURN_RATE_ALERTS): string {
  return `${kind === 'availability' ? 'Availability' : 'Latency'}SLO${BURN_RATE_ALERTS[speed].suffix}`;
}

/** Share of requests an SLO allows to be bad: 1 − 99.9/100 for availability, 1 − 95/100 for a p95 latency. */
export function errorBudget(service: Service, kind: SloKind): ExactDecimal {
  return ExactDecimal.of(100)
    .minus(ExactDecimal.of(sloObjectivePercent(service, kind)))
    .shiftLeft(2);
}

/** The error ratio above which a window burns faster than the factor, written exactly. */
export function burnRateThreshold(service: Service, kind: SloKind, factor: number): string {
  return ExactDecimal.of(factor).times(errorBudget(service, kind)).toString();
}

/** Regular expression for a histogram bucket bound, matching `0.5` as well as `0.50` and `2` as well as `2.0`. */
export function bucketBoundPattern(seconds: number): string {
  const text = ExactDecimal.of(seconds).toString();
  return text.includes('.') ? `${text.replace('.', '\\.')}0*` : `${text}(\\.0*)?`;
}

/** Recording and alerting rules of a service's availability and latency SLOs. */
export function sloRuleGroup(service: Service, runbooks: RunbookLocation): RuleGroup {
  for (const kind of SLO_KINDS) {
    const budget = errorBudget(service, kind);
    if (!budget.isPositive() || !ExactDecimal.of(1).minus(budget).isPositive()) {
      const field = kind === 'availability' ? 'slo.availability' : 'slo.latency.percentile';
      throw new UserError(
        `service '${service.name}': ${field} must be strictly between 0 and 100 to leave an error budget`,
      );
    }
  }
  // A 1- or 3-day SLO window is already a burn-rate window: recording it twice would write one series twice.
  const windows = [...new Set<string>([...SLO_RATIO_WINDOWS, sloWindow(service)])];
  return {
    name: `slo-${service.name}`,
    rules: [
      ...windows.map((window) => availabilityRatio(service, window)),
      ...windows.map((window) => latencyRatio(service, window)),
      ...SLO_KINDS.flatMap((kind) =>
        (['page', 'ticket'] as const).map((speed) => burnRateAlert(service, kind, speed, runbooks)),
      ),
    ],
  };
}

// A service without errors records 0, and a service without traffic records nothing: an SLO cannot burn
// without requests, and 0/0 would be NaN.
function availabilityRatio(service: Service, window: string): RecordingRule {
  const total = requestRate(window, [serviceMatcher(service.name)]);
  const errors = requestRate(window, [serviceMatcher(service.name), SERVER_ERROR_MATCHER]);
  return {
    record: sloRatioRecord('availability', window),
    expr: `(\n  ${errors}\n  or 0 * ${total}\n)\n/ (${total} > 0)`,
  };
}

function latencyRatio(service: Service, window: string): RecordingRule {
  const selector = serviceMatcher(service.name);
  const bound = `le=~\`${bucketBoundPattern(service.slo.latency.thresholdSeconds)}\``;
  const [bucket, countSeries] = histogramSeries(SERVICE_METRICS.duration);
  const count = `sum by (${SERVICE_AGGREGATION}) (rate(${countSeries}{${selector}}[${window}]))`;
  return {
    record: sloRatioRecord('latency', window),
    expr:
      `1 - (\n  sum by (${SERVICE_AGGREGATION}) (rate(${bucket}{${selector},${bound}}[${window}]))\n` +
      `  / (${count} > 0)\n)`,
  };
}

function burnRateAlert(
  service: Service,
  kind: SloKind,
  speed: keyof typeof BURN_RATE_ALERTS,
  runbooks: RunbookLocation,
): AlertingRule {
  const { severity, windows } = BURN_RATE_ALERTS[speed];
  const selector = `{${serviceMatcher(service.name)}}`;
  const conditions = windows.map(({ long, short, factor }) => {
    const threshold = burnRateThreshold(service, kind, factor);
    return (
      `(\n  ${sloRatioRecord(kind, long)}${selector} > ${threshold}\n` +
      `  and\n  ${sloRatioRecord(kind, short)}${selector} > ${threshold}\n)`
    );
  });
  const objective =
    kind === 'availability'
      ? `${sloObjectivePercent(service, kind)}% of requests succeed`
      : `${sloObjectivePercent(service, kind)}% of requests finish within ${service.slo.latency.thresholdSeconds}s`;
  const burns = windows.map(({ long, short, factor }) => `${factor}x over ${long} and ${short}`).join(', or ');
  const alert = sloAlertName(kind, speed);
  return {
    alert,
    expr: conditions.join('\nor\n'),
    labels: { severity, [SLO_ALERT_LABEL]: kind },
    annotations: {
      summary: `${service.name} burns its ${kind} error budget ${speed === 'page' ? 'fast' : 'steadily'}.`,
      description:
        `{{ $labels.service }} in {{ $labels.namespace }} promises that ${objective} over ${service.slo.windowDays} days; ` +
        `its error ratio ({{ $value | humanizePercentage }}) burns the budget at more than ${burns}.`,
      runbook_url: runbookUrl(runbooks, alert),
    },
  };
}
