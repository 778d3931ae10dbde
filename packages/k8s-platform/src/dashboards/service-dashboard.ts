import { type Service, serviceNamespace } from '@platform/model';
import { ExactDecimal } from '../alerting/exact-decimal';
import { HIGH_ERROR_RATIO, HIGH_LATENCY_P99_SECONDS, SERVICE_ALERT_WINDOW } from '../alerting/platform-alerts';
import { latencyQuantile, requestRate, SERVER_ERROR_MATCHER, serviceMatcher } from '../alerting/service-metrics';
import {
  BURN_RATE_ALERTS,
  type BurnRateWindowPair,
  errorBudget,
  SLO_KINDS,
  SLO_RATIO_WINDOWS,
  type SloKind,
  sloObjectivePercent,
  sloRatioRecord,
  sloWindow,
} from '../alerting/slo-alerts';
import type { DashboardSpec, PanelSpec, RowSpec, ThresholdStep } from './grafana-dashboard';
import { WORKLOAD_METRICS } from './workload-metrics';

/**
 * Window of the golden signals: that of the platform alerts on the same metrics (HighErrorRate, HighLatencyP99),
 * whose error ratio the SLO rules record for every service.
 */
export const GOLDEN_SIGNAL_WINDOW = SERVICE_ALERT_WINDOW;
if (!(SLO_RATIO_WINDOWS as readonly string[]).includes(GOLDEN_SIGNAL_WINDOW)) {
  throw new Error(`the SLO rules record no error ratio over ${GOLDEN_SIGNAL_WINDOW}, the golden signals' window`);
}

/** The latency quantiles a service dashboard draws. */
export const LATENCY_QUANTILES = [0.5, 0.95, 0.99] as const;

/** How every error-budget-left panel shows its fraction: red when spent, orange while low, green from a quarter left. */
export const BUDGET_LEFT_STYLE = {
  unit: 'percentunit',
  decimals: 1,
  baseColor: 'red',
  thresholds: [
    { value: 0, color: 'orange' },
    { value: 0.25, color: 'green' },
  ],
} as const satisfies Partial<PanelSpec>;

/** Name of a service's dashboard, from which its uid and ConfigMap name derive. */
export function serviceDashboardName(service: Service): string {
  return `service-${service.name}`;
}

/** A percentage as the fraction it stands for, exactly: 99.9 → 0.999. */
export function percentAsFraction(percent: number): number {
  return Number(ExactDecimal.of(percent).shiftLeft(2).toString());
}

/**
 * The dashboard of one service: its golden signals (request rate, error ratio, latency p50/p95/p99, saturation of
 * CPU, memory and replicas) and its two SLOs (SLI and error budget left over the SLO window, the burn rate of each
 * window pair the burn-rate alerts watch, with the factor they fire at). Every query reads the series and the
 * recording rules the alert rules read, built by the same functions; nothing in it changes with a release
 * (replica range and resources are read from kube-state-metrics, not from the model), so a release rewrites no
 * dashboard.
 */
export function serviceDashboard(service: Service): DashboardSpec {
  return {
    name: serviceDashboardName(service),
    title: `Service / ${service.name}`,
    description: `${service.description} Golden signals and SLOs of ${service.name} (team ${service.team}), rendered from the platform model.`,
    tags: ['platform', 'service', `team:${service.team}`],
    rows: [goldenSignals(service), saturation(service), ...SLO_KINDS.map((kind) => sloRow(service, kind))],
  };
}

function goldenSignals(service: Service): RowSpec {
  const matcher = serviceMatcher(service.name);
  const window = GOLDEN_SIGNAL_WINDOW;
  const latencyLines: ThresholdStep[] = [
    { value: service.slo.latency.thresholdSeconds, color: 'orange' },
    { value: HIGH_LATENCY_P99_SECONDS, color: 'red' },
  ];
  return {
    title: 'Golden signals',
    panels: [
      {
        kind: 'timeseries',
        title: 'Requests per second',
        description: `Requests served per second over ${window}, all and with a 5xx status (http_requests_total).`,
        queries: [
          { expr: requestRate(window, [matcher]), legend: 'all' },
          { expr: requestRate(window, [matcher, SERVER_ERROR_MATCHER]), legend: '5xx' },
        ],
        unit: 'reqps',
        width: 8,
      },
      {
        kind: 'timeseries',
        title: 'Error ratio',
        description:
          `Share of 5xx responses over ${window}, as the availability SLO records it ` +
          `(${sloRatioRecord('availability', window)}); HighErrorRate fires above the red line.`,
        queries: [{ expr: `${sloRatioRecord('availability', window)}{${matcher}}`, legend: 'errors' }],
        unit: 'percentunit',
        min: 0,
        thresholds: [{ value: HIGH_ERROR_RATIO, color: 'red' }],
        width: 8,
      },
      {
        kind: 'timeseries',
        title: 'Latency',
        description:
          `Quantiles of the request durations over ${window} (http_request_duration_seconds). Orange: the latency ` +
          `SLO's threshold (${service.slo.latency.thresholdSeconds}s); red: HighLatencyP99 fires above it for p99.`,
        queries: LATENCY_QUANTILES.map((quantile) => ({
          expr: latencyQuantile(quantile, window, [matcher]),
          legend: `p${quantile * 100}`,
        })),
        unit: 's',
        min: 0,
        thresholds: ascending(latencyLines),
        width: 8,
      },
    ],
  };
}

/** Sorted by value, one step per value (the higher colour wins a tie). */
function ascending(steps: readonly ThresholdStep[]): ThresholdStep[] {
  const severity = { blue: 0, green: 0, orange: 1, red: 2 };
  const byValue = new Map<number, ThresholdStep>();
  for (const step of steps) {
    const known = byValue.get(step.value);
    if (!known || severity[step.color] > severity[known.color]) byValue.set(step.value, step);
  }
  return [...byValue.values()].sort((a, b) => a.value - b.value);
}

function saturation(service: Service): RowSpec {
  const namespace = serviceNamespace(service);
  // The Deployment, its container and its HorizontalPodAutoscaler are all named after the service.
  const container = `namespace="${namespace}",container="${service.name}"`;
  const window = GOLDEN_SIGNAL_WINDOW;
  const perPod = (usage: string, resource: 'cpu' | 'memory', of: string) =>
    `${usage}\n/ sum by (pod) (${of}{${container},resource="${resource}"})`;
  const cpuUsage = `sum by (pod) (rate(${WORKLOAD_METRICS.cpuUsage}{${container}}[${window}]))`;
  const memoryUsage = `sum by (pod) (${WORKLOAD_METRICS.memoryWorkingSet}{${container}})`;
  const hpa = `namespace="${namespace}",horizontalpodautoscaler="${service.name}"`;
  return {
    title: 'Saturation',
    panels: [
      {
        kind: 'timeseries',
        title: 'CPU of each pod against its request and limit',
        description:
          `CPU used over ${window} divided by the container's request (and limit, when it has one). The ` +
          `HorizontalPodAutoscaler adds pods when the average passes ${service.autoscaling.cpuUtilization}% of the request (orange).`,
        queries: [
          { expr: perPod(cpuUsage, 'cpu', WORKLOAD_METRICS.resourceRequests), legend: '{{pod}} / request' },
          { expr: perPod(cpuUsage, 'cpu', WORKLOAD_METRICS.resourceLimits), legend: '{{pod}} / limit' },
        ],
        unit: 'percentunit',
        min: 0,
        thresholds: [{ value: percentAsFraction(service.autoscaling.cpuUtilization), color: 'orange' }],
        width: 8,
      },
      {
        kind: 'timeseries',
        title: 'Memory of each pod against its request and limit',
        description:
          `Working set divided by the container's request and limit. The HorizontalPodAutoscaler adds pods when the ` +
          `average passes ${service.autoscaling.memoryUtilization}% of the request (orange); at the limit (red) the kernel kills the container.`,
        queries: [
          { expr: perPod(memoryUsage, 'memory', WORKLOAD_METRICS.resourceRequests), legend: '{{pod}} / request' },
          { expr: perPod(memoryUsage, 'memory', WORKLOAD_METRICS.resourceLimits), legend: '{{pod}} / limit' },
        ],
        unit: 'percentunit',
        min: 0,
        thresholds: ascending([
          { value: percentAsFraction(service.autoscaling.memoryUtilization), color: 'orange' },
          { value: 1, color: 'red' },
        ]),
        width: 8,
      },
      {
        kind: 'timeseries',
        title: 'Replicas against the autoscaler range',
        description:
          'Current and desired replicas of the HorizontalPodAutoscaler, its minimum and maximum, and the ' +
          "Deployment's available replicas: at the maximum the service cannot scale out any further.",
        queries: [
          { expr: `${WORKLOAD_METRICS.hpaCurrent}{${hpa}}`, legend: 'current' },
          { expr: `${WORKLOAD_METRICS.hpaDesired}{${hpa}}`, legend: 'desired' },
          {
            expr: `${WORKLOAD_METRICS.deploymentAvailable}{namespace="${namespace}",deployment="${service.name}"}`,
            legend: 'available',
          },
          { expr: `${WORKLOAD_METRICS.hpaMin}{${hpa}}`, legend: 'min' },
          { expr: `${WORKLOAD_METRICS.hpaMax}{${hpa}}`, legend: 'max' },
        ],
        unit: 'short',
        decimals: 0,
        min: 0,
        width: 8,
      },
    ],
  };
}

/** What each kind of SLO promises, for titles. */
function objectiveText(service: Service, kind: SloKind): string {
  const percent = sloObjectivePercent(service, kind);
  return kind === 'availability'
    ? `${percent}% of requests succeed`
    : `${percent}% of requests within ${service.slo.latency.thresholdSeconds}s`;
}

function sloRow(service: Service, kind: SloKind): RowSpec {
  const selector = `{${serviceMatcher(service.name)}}`;
  const window = sloWindow(service);
  const budget = errorBudget(service, kind).toString();
  const title = kind === 'availability' ? 'Availability' : 'Latency';
  const windowRatio = `${sloRatioRecord(kind, window)}${selector}`;
  const burnPanels = (['page', 'ticket'] as const).flatMap((speed) =>
    BURN_RATE_ALERTS[speed].windows.map((pair) => burnRatePanel(service, kind, speed, pair)),
  );
  return {
    title: `${title} SLO: ${objectiveText(service, kind)} over ${window}`,
    panels: [
      {
        kind: 'stat',
        title: `${title} SLI over ${window}`,
        description:
          `Share of good requests over the SLO window (1 − ${sloRatioRecord(kind, window)}); ` +
          `the objective is ${sloObjectivePercent(service, kind)}% (green from there).`,
        queries: [{ expr: `1 - ${windowRatio}`, legend: 'SLI' }],
        unit: 'percentunit',
        decimals: 3,
        baseColor: 'red',
        thresholds: [{ value: percentAsFraction(sloObjectivePercent(service, kind)), color: 'green' }],
        width: 6,
      },
      {
        kind: 'stat',
        title: `${title} error budget left over ${window}`,
        description:
          `Share of the error budget (${budget} of the requests over ${window}) not yet spent: ` +
          `1 − ${sloRatioRecord(kind, window)} / ${budget}. Below 0 the objective is missed.`,
        queries: [{ expr: `1 - ${windowRatio} / ${budget}`, legend: 'budget left' }],
        ...BUDGET_LEFT_STYLE,
        width: 6,
      },
      ...burnPanels,
    ],
  };
}

/**
 * The burn rate of both windows of one alert condition: the error ratio over the window divided by the budget, 1
 * spending the budget evenly over the SLO window. The alert fires when both pass the factor (the line).
 */
function burnRatePanel(
  service: Service,
  kind: SloKind,
  speed: keyof typeof BURN_RATE_ALERTS,
  pair: BurnRateWindowPair,
): PanelSpec {
  const selector = `{${serviceMatcher(service.name)}}`;
  const budget = errorBudget(service, kind).toString();
  const severity = BURN_RATE_ALERTS[speed].severity;
  return {
    kind: 'timeseries',
    title: `Burn rate ${pair.long} and ${pair.short} (${severity} above ${pair.factor}×)`,
    description:
      `Error ratio over ${pair.long} and over ${pair.short} divided by the error budget (${budget}). ` +
      `The ${severity} alert of the ${kind} SLO fires when both are above ${pair.factor}.`,
    queries: [pair.long, pair.short].map((window) => ({
      expr: `${sloRatioRecord(kind, window)}${selector} / ${budget}`,
      legend: window,
    })),
    unit: 'suffix:×',
    min: 0,
    thresholds: [{ value: pair.factor, color: speed === 'page' ? 'red' : 'orange' }],
    width: 6,
  };
}
