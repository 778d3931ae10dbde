import { createHash } from 'node:crypto';
import { GRAFANA_PROMETHEUS_DATASOURCE_UID } from './grafana-sidecar';

/**
 * Grafana dashboards as data, written as the dashboard JSON model Grafana provisions from files (Grafana 13.1,
 * the image of the grafana chart 12.10.0 that kube-prometheus-stack 88.0.0 installs). Every query is plain PromQL:
 * no template variable and no macro such as `$__rate_interval`, so promtool parses each one as Prometheus will run
 * it, and a dashboard shows the same windows as the alerts it explains.
 */

/** One PromQL query of a panel. */
export interface PanelQuery {
  readonly expr: string;
  /** Legend of its series: text and `{{label}}` references. @default the series' labels */
  readonly legend?: string;
}

/** A colour from a value on: the first step's value is ignored (it is the base, from minus infinity). */
export interface ThresholdStep {
  readonly value: number;
  readonly color: 'green' | 'orange' | 'red' | 'blue';
}

export type PanelKind = 'timeseries' | 'stat' | 'bargauge' | 'table';

export interface PanelSpec {
  readonly kind: PanelKind;
  readonly title: string;
  /** What the panel shows and where its numbers come from (the panel's info tooltip). */
  readonly description: string;
  readonly queries: readonly PanelQuery[];
  /** Grafana unit id: `reqps`, `s`, `percentunit`, `short`, or `suffix:<text>`. */
  readonly unit: string;
  /**
   * Colour steps, ascending by value, after the base colour; a time series draws each as a dashed line.
   * @default none (a single green base)
   */
  readonly thresholds?: readonly ThresholdStep[];
  /** @default 'green' */
  readonly baseColor?: ThresholdStep['color'];
  readonly decimals?: number;
  readonly min?: number;
  /** Width in grid columns (of 24). @default 12 */
  readonly width?: number;
  /** Height in grid rows. @default 8 */
  readonly height?: number;
}

export interface RowSpec {
  readonly title: string;
  readonly panels: readonly PanelSpec[];
}

export interface DashboardSpec {
  /** Stable name: the dashboard's uid is derived from it (see {@link dashboardUid}). */
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly rows: readonly RowSpec[];
}

/** Grafana caps a dashboard uid at 40 characters (letters, digits, `-` and `_`). */
export const GRAFANA_UID_MAX_LENGTH = 40;

/**
 * The uid of a dashboard: its name when that fits Grafana's 40 characters, else the name cut short and 8 hex digits
 * of its SHA-256, so two long names stay apart. The same name always gives the same uid, so links to a dashboard
 * (`/d/<uid>`) survive every re-render.
 */
export function dashboardUid(name: string): string {
  if (name.length <= GRAFANA_UID_MAX_LENGTH) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, GRAFANA_UID_MAX_LENGTH - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}

/**
 * Dashboard schema version the JSON is written in: that of the dashboards kube-prometheus-stack 88.0.0 ships
 * (templates/grafana/dashboards-1.14/*.yaml), which Grafana 13.1 loads and migrates as it does theirs.
 */
const SCHEMA_VERSION = 39;

const DATASOURCE = { type: 'prometheus', uid: GRAFANA_PROMETHEUS_DATASOURCE_UID } as const;
const GRID_COLUMNS = 24;

/**
 * The dashboard JSON model of a spec. Deterministic: no id, version or time stamp; panel ids count from 1 in
 * order; rows stack from the top, and each row's panels fill its width left to right, wrapping.
 */
export function dashboardJson(spec: DashboardSpec): Record<string, unknown> {
  const panels: Record<string, unknown>[] = [];
  let id = 0;
  let y = 0;
  for (const row of spec.rows) {
    panels.push({
      collapsed: false,
      gridPos: { h: 1, w: GRID_COLUMNS, x: 0, y },
      id: ++id,
      panels: [],
      title: row.title,
      type: 'row',
    });
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const panel of row.panels) {
      const w = panel.width ?? 12;
      const h = panel.height ?? 8;
      if (x + w > GRID_COLUMNS) {
        y += rowHeight;
        x = 0;
        rowHeight = 0;
      }
      panels.push(panelJson(panel, ++id, { h, w, x, y }));
      x += w;
      rowHeight = Math.max(rowHeight, h);
    }
    y += rowHeight;
  }
  return {
    annotations: { list: [] },
    description: spec.description,
    editable: false,
    graphTooltip: 1,
    links: [],
    panels,
    refresh: '1m',
    schemaVersion: SCHEMA_VERSION,
    tags: [...spec.tags],
    templating: { list: [] },
    time: { from: 'now-6h', to: 'now' },
    timepicker: {},
    timezone: 'utc',
    title: spec.title,
    uid: dashboardUid(spec.name),
  };
}

function panelJson(panel: PanelSpec, id: number, gridPos: Record<string, number>): Record<string, unknown> {
  const steps = [
    { color: panel.baseColor ?? 'green', value: null },
    ...(panel.thresholds ?? []).map((step) => ({ color: step.color, value: step.value })),
  ];
  const instant = panel.kind === 'bargauge' || panel.kind === 'table';
  const defaults: Record<string, unknown> = {
    ...(panel.kind === 'timeseries'
      ? { custom: { thresholdsStyle: { mode: (panel.thresholds ?? []).length > 0 ? 'dashed' : 'off' } } }
      : { color: { mode: 'thresholds' } }),
    ...(panel.decimals !== undefined && { decimals: panel.decimals }),
    ...(panel.min !== undefined && { min: panel.min }),
    thresholds: { mode: 'absolute', steps },
    unit: panel.unit,
  };
  return {
    datasource: DATASOURCE,
    description: panel.description,
    fieldConfig: { defaults, overrides: [] },
    gridPos,
    id,
    options: OPTIONS[panel.kind],
    targets: panel.queries.map((query, index) => ({
      datasource: DATASOURCE,
      expr: query.expr,
      ...(panel.kind === 'table' && { format: 'table' }),
      instant,
      legendFormat: query.legend ?? '__auto',
      range: !instant,
      refId: refId(index),
    })),
    title: panel.title,
    ...(panel.kind === 'table' && {
      transformations: [{ id: 'organize', options: { excludeByName: { Time: true, Value: true } } }],
    }),
    type: panel.kind,
  };
}

const REDUCE_TO_LAST = { calcs: ['lastNotNull'], fields: '', values: false };

const OPTIONS: Record<PanelKind, Record<string, unknown>> = {
  timeseries: {
    legend: { calcs: [], displayMode: 'list', placement: 'bottom', showLegend: true },
    tooltip: { mode: 'multi', sort: 'desc' },
  },
  stat: {
    colorMode: 'value',
    graphMode: 'area',
    justifyMode: 'auto',
    orientation: 'auto',
    reduceOptions: REDUCE_TO_LAST,
    textMode: 'auto',
  },
  bargauge: {
    displayMode: 'gradient',
    orientation: 'horizontal',
    reduceOptions: REDUCE_TO_LAST,
    showUnfilled: true,
  },
  table: { cellHeight: 'sm', showHeader: true },
};

/** A, B, …, Z, AA, AB, …: Grafana's query ids. */
function refId(index: number): string {
  const letter = String.fromCharCode(65 + (index % 26));
  return index < 26 ? letter : `${refId(Math.floor(index / 26) - 1)}${letter}`;
}
