/**
 * The Grafana dashboards of dist/ as Grafana's sidecar finds them, and the PromQL of their panels. The sidecar's
 * settings are read from the environment's kube-prometheus-stack Application (its `grafana.sidecar` values), not
 * from the code that writes the dashboards: a dashboard the sidecar would not load is not found here either.
 */

/** A manifest of dist/, as parsed. */
export interface DistObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  readonly spec?: unknown;
  readonly data?: Record<string, string>;
}

/** What the dashboard sidecar of kube-prometheus-stack's Grafana loads, and the uid of its Prometheus data source. */
export interface DashboardSidecar {
  readonly label: string;
  /** The label's value a ConfigMap must carry; unset, any value. */
  readonly labelValue?: string;
  /** The namespaces it searches; `ALL` for every namespace. */
  readonly namespaces: readonly string[];
  readonly datasourceUid: string;
}

/** The kube-prometheus-stack chart's defaults (88.0.0, values.yaml `grafana.sidecar`), where dist/ sets nothing. */
const CHART_DEFAULTS: DashboardSidecar = {
  label: 'grafana_dashboard',
  labelValue: '1',
  namespaces: ['ALL'],
  datasourceUid: 'prometheus',
};

interface SidecarValues {
  grafana?: {
    sidecar?: {
      dashboards?: { label?: string; labelValue?: string; searchNamespace?: string | string[] };
      datasources?: { uid?: string };
    };
  };
}

/** The sidecar's settings in one environment's objects; undefined when no kube-prometheus-stack is installed. */
export function dashboardSidecarOf(objects: readonly DistObject[]): DashboardSidecar | undefined {
  const application = objects.find(
    (object) =>
      object.kind === 'Application' &&
      (object.spec as { source?: { chart?: string } } | undefined)?.source?.chart === 'kube-prometheus-stack',
  );
  if (!application) return undefined;
  const values = ((application.spec as { source: { helm?: { valuesObject?: SidecarValues } } }).source.helm
    ?.valuesObject ?? {}) as SidecarValues;
  const dashboards = values.grafana?.sidecar?.dashboards ?? {};
  const search = dashboards.searchNamespace ?? CHART_DEFAULTS.namespaces;
  return {
    label: dashboards.label ?? CHART_DEFAULTS.label,
    labelValue: dashboards.labelValue ?? CHART_DEFAULTS.labelValue,
    // The subchart joins a list with commas (grafana 12.10.0 templates/_pod.tpl): a string may hold several.
    namespaces: (Array.isArray(search) ? search : [search]).flatMap((entry) => entry.split(',')),
    datasourceUid: values.grafana?.sidecar?.datasources?.uid ?? CHART_DEFAULTS.datasourceUid,
  };
}

/** A dashboard the sidecar loads: one key of a ConfigMap. */
export interface SidecarDashboard {
  readonly configMap: string;
  readonly namespace: string;
  /** The ConfigMap key, the file name the sidecar writes. */
  readonly key: string;
  /** The dashboard JSON model, parsed. */
  readonly json: GrafanaDashboardJson;
}

export interface GrafanaTargetJson {
  readonly refId?: string;
  readonly expr?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
}

export interface GrafanaPanelJson {
  readonly id?: number;
  readonly type?: string;
  readonly title?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
  readonly targets?: readonly GrafanaTargetJson[];
  readonly panels?: readonly GrafanaPanelJson[];
  readonly fieldConfig?: {
    readonly defaults?: {
      readonly unit?: string;
      readonly thresholds?: { readonly steps?: readonly { readonly value: number | null; readonly color: string }[] };
    };
  };
}

export interface GrafanaDashboardJson {
  readonly uid?: string;
  readonly title?: string;
  readonly panels?: readonly GrafanaPanelJson[];
  readonly [key: string]: unknown;
}

/** Whether the sidecar loads a ConfigMap: its label (and value), in a namespace it searches. */
export function sidecarLoads(sidecar: DashboardSidecar, object: DistObject): boolean {
  if (object.kind !== 'ConfigMap') return false;
  const value = object.metadata?.labels?.[sidecar.label];
  if (value === undefined || (sidecar.labelValue !== undefined && value !== sidecar.labelValue)) return false;
  return sidecar.namespaces.includes('ALL') || sidecar.namespaces.includes(object.metadata?.namespace ?? '');
}

/** Every dashboard of an environment's objects that its sidecar loads; a key that is no JSON throws, naming it. */
export function sidecarDashboards(objects: readonly DistObject[], sidecar: DashboardSidecar): SidecarDashboard[] {
  return objects
    .filter((object) => sidecarLoads(sidecar, object))
    .flatMap((object) =>
      Object.entries(object.data ?? {}).map(([key, text]) => {
        let json: GrafanaDashboardJson;
        try {
          json = JSON.parse(text) as GrafanaDashboardJson;
        } catch (error) {
          throw new Error(`ConfigMap ${object.metadata?.name} key ${key}: not JSON (${(error as Error).message})`);
        }
        return { configMap: object.metadata?.name ?? '', namespace: object.metadata?.namespace ?? '', key, json };
      }),
    );
}

/** Every panel of a dashboard, those inside (collapsed) rows included, rows themselves left out. */
export function dashboardPanels(dashboard: GrafanaDashboardJson): GrafanaPanelJson[] {
  const walk = (panels: readonly GrafanaPanelJson[]): GrafanaPanelJson[] =>
    panels.flatMap((panel) => (panel.type === 'row' ? walk(panel.panels ?? []) : [panel, ...walk(panel.panels ?? [])]));
  return walk(dashboard.panels ?? []);
}

/** One PromQL query of a dashboard panel. */
export interface DashboardQuery {
  readonly configMap: string;
  readonly panel: string;
  readonly refId: string;
  readonly expr: string;
}

export function dashboardQueries(dashboard: SidecarDashboard): DashboardQuery[] {
  return dashboardPanels(dashboard.json).flatMap((panel) =>
    (panel.targets ?? []).flatMap((target) =>
      target.expr === undefined
        ? []
        : [
            {
              configMap: dashboard.configMap,
              panel: panel.title ?? `#${panel.id}`,
              refId: target.refId ?? '',
              expr: target.expr,
            },
          ],
    ),
  );
}

/**
 * The queries as a Prometheus rule group, one recording rule each (`dashboard:query:<n>`), so that
 * `promtool check rules` parses every one as Prometheus will evaluate it.
 */
export function queriesAsRuleGroup(
  name: string,
  queries: readonly DashboardQuery[],
): { name: string; rules: { record: string; expr: string }[] } {
  return { name, rules: queries.map((query, index) => ({ record: `dashboard:query:${index + 1}`, expr: query.expr })) };
}
