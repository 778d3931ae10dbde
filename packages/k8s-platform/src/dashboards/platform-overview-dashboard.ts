import type { Service } from '@platform/model';
import { HIGH_ERROR_RATIO, HIGH_LATENCY_P99_SECONDS } from '../alerting/platform-alerts';
import type { AlertSeverity } from '../alerting/rule-groups';
import { latencyQuantile, requestRate } from '../alerting/service-metrics';
import {
  errorBudget,
  SLO_ALERT_LABEL,
  SLO_KINDS,
  type SloKind,
  sloRatioRecord,
  sloWindow,
} from '../alerting/slo-alerts';
import type { DashboardSpec, PanelQuery, PanelSpec, RowSpec } from './grafana-dashboard';
import { BUDGET_LEFT_STYLE, GOLDEN_SIGNAL_WINDOW } from './service-dashboard';
import { PROMETHEUS_ALERTS_SERIES, SCHEDULED_POD_PHASES, WORKLOAD_METRICS } from './workload-metrics';

/** Name of the overview dashboard, from which its uid and ConfigMap name derive. */
export const PLATFORM_OVERVIEW_DASHBOARD = 'platform-overview';

/** The severities of the platform's alerts (the chart's Watchdog and InfoInhibitor carry `none` and stay out). */
const ALERT_SEVERITIES = ['critical', 'warning'] as const satisfies readonly AlertSeverity[];

/**
 * One dashboard of the whole environment: every service's request rate, error ratio and p99 latency, the error
 * budget each service has left of each SLO and the burn-rate alerts firing, the alerts firing by severity, and the
 * cluster's saturation (CPU, memory and pods used and requested against what the nodes offer).
 */
export function platformOverviewDashboard(services: readonly Service[]): DashboardSpec {
  return {
    name: PLATFORM_OVERVIEW_DASHBOARD,
    title: 'Platform / Overview',
    description:
      'Golden signals and SLO status of every service, alerts firing and cluster saturation, rendered from the platform model.',
    tags: ['platform', 'overview'],
    rows: [servicesRow(), sloRow(services), alertsRow(), clusterRow()],
  };
}

function servicesRow(): RowSpec {
  const window = GOLDEN_SIGNAL_WINDOW;
  const legend = '{{namespace}}/{{service}}';
  return {
    title: 'Services',
    panels: [
      {
        kind: 'timeseries',
        title: 'Requests per second',
        description: `Requests each service served per second over ${window} (http_requests_total).`,
        queries: [{ expr: requestRate(window), legend }],
        unit: 'reqps',
        width: 8,
      },
      {
        kind: 'timeseries',
        title: 'Error ratio',
        description: `Share of 5xx responses of each service over ${window} (${sloRatioRecord('availability', window)}); HighErrorRate fires above the red line.`,
        queries: [{ expr: sloRatioRecord('availability', window), legend }],
        unit: 'percentunit',
        min: 0,
        thresholds: [{ value: HIGH_ERROR_RATIO, color: 'red' }],
        width: 8,
      },
      {
        kind: 'timeseries',
        title: 'Latency p99',
        description: `99th percentile of each service's request durations over ${window}; HighLatencyP99 fires above the red line.`,
        queries: [{ expr: latencyQuantile(0.99, window), legend }],
        unit: 's',
        min: 0,
        thresholds: [{ value: HIGH_LATENCY_P99_SECONDS, color: 'red' }],
        width: 8,
      },
    ],
  };
}

/**
 * The error budget left of one kind of SLO, for every service: one query per SLO window and budget the services
 * share (their recording rule names the window), so the panel grows by a service name per service, not a query.
 */
function budgetLeft(services: readonly Service[], kind: SloKind): PanelSpec {
  const groups = new Map<string, { window: string; budget: string; names: string[] }>();
  for (const service of services) {
    const window = sloWindow(service);
    const budget = errorBudget(service, kind).toString();
    const key = `${window} ${budget}`;
    const group = groups.get(key) ?? { window, budget, names: [] };
    group.names.push(service.name);
    groups.set(key, group);
  }
  const queries: PanelQuery[] = [...groups.values()]
    .sort((a, b) => (a.window === b.window ? Number(a.budget) - Number(b.budget) : a.window < b.window ? -1 : 1))
    .map(({ window, budget, names }) => ({
      expr: `1 - ${sloRatioRecord(kind, window)}{service=~"${[...names].sort().join('|')}"} / ${budget}`,
      legend: `{{service}} (${window})`,
    }));
  return {
    kind: 'bargauge',
    title: `${kind === 'availability' ? 'Availability' : 'Latency'} error budget left`,
    description:
      `Share of each service's ${kind} error budget not yet spent over its SLO window (1 − ${sloRatioRecord(kind, '<window>')} / budget). ` +
      'Below 0 the objective is missed; a service without traffic over its window shows nothing.',
    queries,
    ...BUDGET_LEFT_STYLE,
    width: 8,
    height: Math.max(8, Math.ceil(services.length / 2) + 2),
  };
}

function sloRow(services: readonly Service[]): RowSpec {
  return {
    title: 'SLOs',
    panels: [
      ...SLO_KINDS.map((kind) => budgetLeft(services, kind)),
      {
        kind: 'table',
        title: 'Burn-rate alerts firing',
        description:
          'The SLO burn-rate alerts firing now, by service, SLO and severity (critical pages, warning files a ticket).',
        queries: [
          {
            expr: `count by (namespace, service, ${SLO_ALERT_LABEL}, severity) (${PROMETHEUS_ALERTS_SERIES}{alertstate="firing",${SLO_ALERT_LABEL}!=""})`,
          },
        ],
        unit: 'short',
        width: 8,
      },
    ],
  };
}

function alertsRow(): RowSpec {
  const firing = `${PROMETHEUS_ALERTS_SERIES}{alertstate="firing",severity=~"${ALERT_SEVERITIES.join('|')}"}`;
  return {
    title: 'Alerts',
    panels: [
      {
        kind: 'stat',
        title: 'Alerts firing',
        description: 'Alerts of the platform firing now, by severity.',
        queries: ALERT_SEVERITIES.map((severity) => ({
          expr: `count(${PROMETHEUS_ALERTS_SERIES}{alertstate="firing",severity="${severity}"}) or vector(0)`,
          legend: severity,
        })),
        unit: 'short',
        decimals: 0,
        thresholds: [{ value: 1, color: 'red' }],
        width: 6,
      },
      {
        kind: 'table',
        title: 'Firing alerts',
        description: 'Every critical or warning alert firing now, with where it fires.',
        queries: [{ expr: `count by (alertname, severity, namespace, service) (${firing})` }],
        unit: 'short',
        width: 18,
      },
    ],
  };
}

function clusterRow(): RowSpec {
  const window = GOLDEN_SIGNAL_WINDOW;
  const allocatable = (resource: string) => `sum(${WORKLOAD_METRICS.nodeAllocatable}{resource="${resource}"})`;
  const requested = (resource: string) =>
    `sum(\n  ${WORKLOAD_METRICS.resourceRequests}{resource="${resource}"}\n` +
    `  and on (namespace, pod) (${WORKLOAD_METRICS.podPhase}{phase=~"${SCHEDULED_POD_PHASES}"} == 1)\n)`;
  // cAdvisor also reports each pod's cgroup as a whole, without a container: counted once, by container.
  const used = {
    cpu: `sum(rate(${WORKLOAD_METRICS.cpuUsage}{container!=""}[${window}]))`,
    memory: `sum(${WORKLOAD_METRICS.memoryWorkingSet}{container!=""})`,
  };
  const resourcePanel = (resource: 'cpu' | 'memory'): PanelSpec => ({
    kind: 'timeseries',
    title: `${resource === 'cpu' ? 'CPU' : 'Memory'} of the nodes`,
    description: `${resource === 'cpu' ? 'CPU' : 'Memory'} used by all containers and requested by the pods scheduled, against what the nodes offer pods (allocatable).`,
    queries: [
      { expr: `${used[resource]}\n/ ${allocatable(resource)}`, legend: 'used' },
      { expr: `${requested(resource)}\n/ ${allocatable(resource)}`, legend: 'requested' },
    ],
    unit: 'percentunit',
    min: 0,
    thresholds: [{ value: 0.9, color: 'orange' }],
    width: 9,
  });
  return {
    title: 'Cluster saturation',
    panels: [
      resourcePanel('cpu'),
      resourcePanel('memory'),
      {
        kind: 'stat',
        title: 'Nodes',
        description: 'Nodes in the cluster.',
        queries: [{ expr: `count(${WORKLOAD_METRICS.nodeInfo})`, legend: 'nodes' }],
        unit: 'short',
        decimals: 0,
        width: 3,
      },
      {
        kind: 'stat',
        title: 'Pods of capacity',
        description: 'Pods running against the pods the nodes can hold (allocatable pods).',
        queries: [
          { expr: `sum(${WORKLOAD_METRICS.podPhase}{phase="Running"})\n/ ${allocatable('pods')}`, legend: 'pods' },
        ],
        unit: 'percentunit',
        decimals: 1,
        thresholds: [{ value: 0.9, color: 'orange' }],
        width: 3,
      },
    ],
  };
}
