/**
 * What must hold of the Grafana dashboards of one environment's objects, for any valid model: the sidecar loads
 * exactly one dashboard per service and the overview, their panels query the platform's Prometheus with plain
 * PromQL over series that exist, each service's SLO panels show the objectives of the model and the windows and
 * thresholds of the alert rules beside them, and each ConfigMap fits what a client-side apply can record. The
 * expectations come from the model, the alert rules and the chart values in the same objects, and the facts of
 * ./scraped-series.ts; each check returns its problems as sentences.
 */
import { type PlatformModel, type Service, serviceNamespace } from '@platform/model';
import {
  type DashboardQuery,
  type DistObject,
  dashboardPanels,
  dashboardQueries,
  dashboardSidecarOf,
  type GrafanaPanelJson,
  type SidecarDashboard,
  sidecarDashboards,
} from '../../../tools/verify/dashboard-queries';
import { metricNames } from './promql-names';
import { SCRAPED_SERIES, SERVICE_CONTRACT_SERIES, SLO_RECORDS } from './scraped-series';

/** The API server's cap on all annotations of an object (k8s.io/apimachinery, TotalAnnotationSizeLimitB). */
export const ANNOTATIONS_MAX_BYTES = 256 * 1024;
/** The cap on a ConfigMap's data (k8s.io/kubernetes pkg/apis/core/validation, ValidateConfigMap: MaxSecretSize). */
export const CONFIGMAP_DATA_MAX_BYTES = 1024 * 1024;
/**
 * Room a client-side apply needs besides the object's JSON in its annotations: the key
 * `kubectl.kubernetes.io/last-applied-configuration` and Argo CD's tracking annotation, once on its own and once
 * inside the recorded object.
 */
export const APPLY_OVERHEAD_BYTES = 1024;

export interface DashboardProblems {
  readonly sidecar: string[];
  readonly dashboards: string[];
  readonly datasources: string[];
  readonly plainPromql: string[];
  readonly slo: string[];
  readonly metrics: string[];
  readonly sizes: string[];
}

/** The ConfigMap names the test expects: spelled out here, as a reader of dist/ finds them. */
export const expectedConfigMaps = (model: PlatformModel): string[] =>
  ['grafana-dashboard-platform-overview', ...model.services.map((s) => `grafana-dashboard-service-${s.name}`)].sort();

/** The dashboards the sidecar of the environment loads, and the settings it loads them with. */
export function environmentDashboards(objects: readonly DistObject[]) {
  const sidecar = dashboardSidecarOf(objects);
  return { sidecar, dashboards: sidecar ? sidecarDashboards(objects, sidecar) : [] };
}

/**
 * Every problem of the dashboards of one environment. `model` is the environment's view (its services as it runs
 * them); `objects` every object of its dist/ folder.
 */
export function dashboardProblems(
  model: PlatformModel,
  environment: string,
  objects: readonly DistObject[],
): DashboardProblems {
  const { sidecar, dashboards } = environmentDashboards(objects);
  const problems: DashboardProblems = {
    sidecar: [],
    dashboards: [],
    datasources: [],
    plainPromql: [],
    slo: [],
    metrics: [],
    sizes: [],
  };
  if (!sidecar) {
    problems.sidecar.push(`${environment}: no kube-prometheus-stack Application, so no Grafana loads a dashboard`);
    return problems;
  }
  if (sidecar.namespaces.includes('ALL')) problems.sidecar.push(`${environment}: the sidecar searches every namespace`);
  // A ConfigMap labelled for the sidecar outside the namespaces it searches is a dashboard nobody sees.
  for (const object of objects) {
    const labelled = object.kind === 'ConfigMap' && object.metadata?.labels?.[sidecar.label] !== undefined;
    if (
      labelled &&
      !dashboards.some((d) => d.configMap === object.metadata?.name && d.namespace === object.metadata?.namespace)
    ) {
      problems.sidecar.push(
        `${environment}: ConfigMap ${object.metadata?.namespace}/${object.metadata?.name} carries ${sidecar.label} but the sidecar does not load it`,
      );
    }
  }

  const loaded = dashboards.map((d) => d.configMap).sort();
  const expected = expectedConfigMaps(model);
  if (JSON.stringify(loaded) !== JSON.stringify(expected)) {
    problems.dashboards.push(
      `${environment}: the sidecar loads [${loaded.join(', ')}], expected one per service and the overview: [${expected.join(', ')}]`,
    );
  }
  const uids = new Map<string, string>();
  for (const dashboard of dashboards) {
    const where = `${environment}/${dashboard.configMap}`;
    const { uid } = dashboard.json;
    if (typeof uid !== 'string' || !/^[A-Za-z0-9_-]{1,40}$/.test(uid))
      problems.dashboards.push(`${where}: uid ${JSON.stringify(uid)} is no Grafana uid (1 to 40 of A-Z a-z 0-9 _ -)`);
    else if (uids.has(uid)) problems.dashboards.push(`${where}: uid ${uid} is also the uid of ${uids.get(uid)}`);
    else uids.set(uid, dashboard.configMap);
    if (!dashboard.key.endsWith('.json')) problems.dashboards.push(`${where}: key ${dashboard.key} is no .json file`);
    if (dashboards.filter((other) => other.configMap === dashboard.configMap).length > 1)
      problems.dashboards.push(`${where}: more than one dashboard in one ConfigMap`);
    // Deterministic: no database id, no version counter, no time stamp.
    for (const key of ['id', 'version', 'iteration', 'created', 'updated']) {
      if (dashboard.json[key] !== undefined && dashboard.json[key] !== null)
        problems.dashboards.push(`${where}: carries ${key}`);
    }
    if (/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(JSON.stringify(dashboard.json)))
      problems.dashboards.push(`${where}: holds a time stamp`);

    for (const panel of dashboardPanels(dashboard.json)) {
      for (const source of [panel.datasource, ...(panel.targets ?? []).map((t) => t.datasource)]) {
        if (source?.type !== 'prometheus' || source.uid !== sidecar.datasourceUid) {
          problems.datasources.push(
            `${where}: panel "${panel.title}" queries ${JSON.stringify(source)}, not the Prometheus data source ${sidecar.datasourceUid}`,
          );
        }
      }
    }
    const templating = (dashboard.json.templating as { list?: unknown[] } | undefined)?.list ?? [];
    if (templating.length > 0) problems.plainPromql.push(`${where}: has template variables`);
    for (const query of dashboardQueries(dashboard)) {
      if (query.expr.includes('$'))
        problems.plainPromql.push(`${where}: panel "${query.panel}" uses a Grafana variable: ${query.expr}`);
    }
    problems.sizes.push(...sizeProblems(where, objects, dashboard));
  }

  const rules = ruleFacts(objects);
  const allowed = new Set([...rules.recorded, ...SERVICE_CONTRACT_SERIES, ...SCRAPED_SERIES.flatMap((s) => s.names)]);
  for (const query of dashboards.flatMap(dashboardQueries)) {
    let names: string[];
    try {
      names = metricNames(query.expr);
    } catch (error) {
      problems.metrics.push(`${environment}/${query.configMap}: ${(error as Error).message}`);
      continue;
    }
    for (const name of names.filter((n) => !allowed.has(n))) {
      problems.metrics.push(
        `${environment}/${query.configMap}: panel "${query.panel}" reads ${name}, which no recording rule, exporter or the service contract produces`,
      );
    }
  }

  for (const service of model.services) {
    const dashboard = dashboards.find((d) => d.configMap === `grafana-dashboard-service-${service.name}`);
    if (!dashboard) continue;
    problems.slo.push(...sloProblems(`${environment}/${dashboard.configMap}`, service, dashboard, rules.alerts));
    problems.slo.push(...selectionProblems(`${environment}/${dashboard.configMap}`, service, dashboard));
  }
  return problems;
}

function sizeProblems(where: string, objects: readonly DistObject[], dashboard: SidecarDashboard): string[] {
  const object = objects.find(
    (o) =>
      o.kind === 'ConfigMap' &&
      o.metadata?.name === dashboard.configMap &&
      o.metadata?.namespace === dashboard.namespace,
  );
  if (!object) return [];
  const problems: string[] = [];
  const applied = Buffer.byteLength(JSON.stringify(object)) + APPLY_OVERHEAD_BYTES;
  if (applied > ANNOTATIONS_MAX_BYTES)
    problems.push(
      `${where}: a client-side apply records ${applied} bytes of annotations, more than ${ANNOTATIONS_MAX_BYTES}`,
    );
  const data = Object.entries(object.data ?? {}).reduce(
    (sum, [key, value]) => sum + Buffer.byteLength(key) + Buffer.byteLength(value),
    0,
  );
  if (data > CONFIGMAP_DATA_MAX_BYTES)
    problems.push(`${where}: ${data} bytes of data, more than a ConfigMap holds (${CONFIGMAP_DATA_MAX_BYTES})`);
  return problems;
}

interface RuleFacts {
  readonly recorded: Set<string>;
  /** Every alerting rule's expression. */
  readonly alerts: readonly string[];
  /** Every metric name the rules read. */
  readonly read: Set<string>;
}

/** The recording rules, alert expressions and metric names of the environment's PrometheusRules. */
export function ruleFacts(objects: readonly DistObject[]): RuleFacts {
  const rules = objects
    .filter((object) => object.kind === 'PrometheusRule')
    .flatMap((object) =>
      (
        (object.spec as { groups?: { rules?: { record?: string; alert?: string; expr: string }[] }[] }).groups ?? []
      ).flatMap((g) => g.rules ?? []),
    );
  return {
    recorded: new Set(rules.flatMap((rule) => (rule.record ? [rule.record] : []))),
    alerts: rules.filter((rule) => rule.alert).map((rule) => rule.expr),
    read: new Set(rules.flatMap((rule) => metricNames(rule.expr))),
  };
}

const objectiveOf = (service: Service, kind: keyof typeof SLO_RECORDS) =>
  kind === 'availability' ? service.slo.availability : service.slo.latency.percentile;
const near = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
const regexLiteral = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const stepsOf = (panel: GrafanaPanelJson) =>
  (panel.fieldConfig?.defaults?.thresholds?.steps ?? []).flatMap((step) => (step.value === null ? [] : [step.value]));

/** A burn-rate condition of an alert: both windows of the recorded ratio above the threshold. */
interface BurnCondition {
  readonly record: string;
  readonly windows: readonly string[];
  readonly threshold: number;
}

/** The burn-rate conditions of the service's alerts on one recorded ratio, read from their expressions. */
function burnConditions(alerts: readonly string[], service: Service, record: string): BurnCondition[] {
  const term = new RegExp(
    `${regexLiteral(record)}:ratio_rate(\\w+)\\{service="${regexLiteral(service.name)}"\\} > ([0-9.]+)`,
    'g',
  );
  return alerts.flatMap((expr) =>
    expr.split(/\)\s*or\s*\(/).flatMap((part) => {
      const terms = [...part.matchAll(term)].map(([, window, threshold]) => ({ window, threshold: Number(threshold) }));
      if (terms.length === 0) return [];
      return [{ record, windows: terms.map((t) => t.window).sort(), threshold: terms[0].threshold }];
    }),
  );
}

/**
 * The SLO panels of a service's dashboard against the model and the alert rules: the SLI over the model's window
 * with the objective as its threshold, the budget left over that window, and for each burn-rate condition of the
 * alerts a panel of its two windows whose line, times the budget, is the alert's threshold (and no other).
 */
function sloProblems(
  where: string,
  service: Service,
  dashboard: SidecarDashboard,
  alerts: readonly string[],
): string[] {
  const problems: string[] = [];
  const panels = dashboardPanels(dashboard.json);
  const selector = `\\{service="${regexLiteral(service.name)}"\\}`;
  for (const kind of ['availability', 'latency'] as const) {
    const record = SLO_RECORDS[kind];
    const objective = objectiveOf(service, kind) / 100;
    const budget = 1 - objective;
    const window = `${service.slo.windowDays}d`;
    const sli = panels.filter((p) =>
      (p.targets ?? []).some((t) => t.expr === `1 - ${record}:ratio_rate${window}{service="${service.name}"}`),
    );
    if (sli.length !== 1 || !stepsOf(sli[0]).some((value) => near(value, objective))) {
      problems.push(`${where}: no ${kind} SLI panel over ${window} with the objective ${objective} as its threshold`);
    }
    const left = new RegExp(`^1 - ${regexLiteral(record)}:ratio_rate${regexLiteral(window)}${selector} / ([0-9.]+)$`);
    const budgets = panels.flatMap((p) => (p.targets ?? []).flatMap((t) => left.exec(t.expr ?? '')?.[1] ?? []));
    if (budgets.length !== 1 || !near(Number(budgets[0]), budget)) {
      problems.push(
        `${where}: no ${kind} error budget panel over ${window} with the budget ${budget} (found ${budgets.join(', ') || 'none'})`,
      );
    }

    const burn = new RegExp(`^${regexLiteral(record)}:ratio_rate(\\w+)${selector} / ([0-9.]+)$`);
    const burnPanels = panels.flatMap((panel) => {
      const targets = (panel.targets ?? []).flatMap((t) => {
        const match = burn.exec(t.expr ?? '');
        return match ? [{ window: match[1], budget: Number(match[2]) }] : [];
      });
      return targets.length > 0
        ? [{ panel, windows: targets.map((t) => t.window).sort(), budgets: targets.map((t) => t.budget) }]
        : [];
    });
    const conditions = burnConditions(alerts, service, record);
    if (conditions.length === 0)
      problems.push(`${where}: the alert rules hold no burn-rate condition of the ${kind} SLO`);
    for (const condition of conditions) {
      const match = burnPanels.find((p) => JSON.stringify(p.windows) === JSON.stringify(condition.windows));
      if (!match) {
        problems.push(
          `${where}: no ${kind} burn-rate panel of the windows ${condition.windows.join(' and ')}, which an alert watches`,
        );
        continue;
      }
      if (!match.budgets.every((b) => near(b, budget)))
        problems.push(
          `${where}: ${kind} burn rate ${condition.windows.join('/')} divides by ${match.budgets.join(', ')}, not the budget ${budget}`,
        );
      if (!stepsOf(match.panel).some((factor) => near(factor * budget, condition.threshold))) {
        problems.push(
          `${where}: ${kind} burn rate ${condition.windows.join('/')} draws [${stepsOf(match.panel).join(', ')}], none of which times the budget ${budget} is the alert's threshold ${condition.threshold}`,
        );
      }
    }
    for (const extra of burnPanels.filter(
      (p) => !conditions.some((c) => JSON.stringify(c.windows) === JSON.stringify(p.windows)),
    )) {
      problems.push(
        `${where}: ${kind} burn-rate panel "${extra.panel.title}" of windows ${extra.windows.join(' and ')}, which no alert watches`,
      );
    }
  }
  return problems;
}

/** A service's dashboard reads that service only: every service and namespace it names is its own. */
function selectionProblems(where: string, service: Service, dashboard: SidecarDashboard): string[] {
  return dashboardQueries(dashboard).flatMap((query: DashboardQuery) => {
    const services = [...query.expr.matchAll(/\bservice="([^"]*)"/g)].map((m) => m[1]);
    const namespaces = [...query.expr.matchAll(/\bnamespace="([^"]*)"/g)].map((m) => m[1]);
    const containers = [...query.expr.matchAll(/\b(?:container|deployment|horizontalpodautoscaler)="([^"]*)"/g)].map(
      (m) => m[1],
    );
    const foreign = [
      ...services.filter((name) => name !== service.name),
      ...containers.filter((name) => name !== service.name),
      ...namespaces.filter((name) => name !== serviceNamespace(service)),
    ];
    const unselected = services.length === 0 && namespaces.length === 0;
    return [
      ...foreign.map((name) => `${where}: panel "${query.panel}" selects ${name}, not ${service.name}`),
      ...(unselected ? [`${where}: panel "${query.panel}" reads every service: ${query.expr}`] : []),
    ];
  });
}

/** The queries of every dashboard the sidecar loads, for promtool. */
export function environmentQueries(objects: readonly DistObject[]): DashboardQuery[] {
  return environmentDashboards(objects).dashboards.flatMap(dashboardQueries);
}
