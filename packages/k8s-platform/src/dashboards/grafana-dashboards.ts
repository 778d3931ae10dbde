import { type Service, UserError } from '@platform/model';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { type DashboardSpec, dashboardJson } from './grafana-dashboard';
import { GRAFANA_DASHBOARD_SIDECAR } from './grafana-sidecar';
import { PLATFORM_OVERVIEW_DASHBOARD, platformOverviewDashboard } from './platform-overview-dashboard';
import { serviceDashboard } from './service-dashboard';

/**
 * Bytes the JSON of one dashboard ConfigMap may take. Argo CD applies client-side (no `ServerSideApply=true`), so
 * `kubectl.kubernetes.io/last-applied-configuration` holds the whole object as JSON, and the API server caps all
 * annotations of an object at 256 KiB (`TotalAnnotationSizeLimitB`, k8s.io/apimachinery
 * pkg/api/validation/objectmeta.go), well below the 1 MiB of a ConfigMap's data. 4 KiB are left for what Argo CD
 * adds (its tracking annotation) and for the annotation's key.
 */
export const DASHBOARD_CONFIGMAP_MAX_BYTES = 256 * 1024 - 4 * 1024;

export interface GrafanaDashboardsProps {
  /** The services of the environment, as it runs them: one dashboard each, and all of them on the overview. */
  readonly services: readonly Service[];
  /** Labels of every ConfigMap, besides the sidecar's. @default none */
  readonly labels?: Readonly<Record<string, string>>;
}

/** A rendered dashboard: its spec and the ConfigMap that carries its JSON. */
export interface RenderedDashboard {
  readonly spec: DashboardSpec;
  readonly configMapName: string;
}

/** Name of the ConfigMap of a dashboard: `grafana-dashboard-<dashboard name>`. */
export function dashboardConfigMapName(dashboardName: string): string {
  return `grafana-dashboard-${dashboardName}`;
}

/**
 * The Grafana dashboards of an environment, each in a ConfigMap of its own in the namespace the Grafana sidecar
 * searches, with the sidecar's label (GRAFANA_DASHBOARD_SIDECAR): one per service and the platform overview. The
 * ConfigMap's single key, `<ConfigMap name>.json`, is the file name the sidecar writes, unique among all
 * dashboards. The JSON is indented, so a change reads as a small diff in dist/.
 *
 * @throws UserError when a dashboard's ConfigMap would exceed DASHBOARD_CONFIGMAP_MAX_BYTES.
 */
export class GrafanaDashboards extends Construct {
  public readonly dashboards: readonly RenderedDashboard[];

  public constructor(scope: Construct, id: string, props: GrafanaDashboardsProps) {
    super(scope, id);
    const specs = [platformOverviewDashboard(props.services), ...props.services.map(serviceDashboard)];
    this.dashboards = specs.map((spec) => {
      const name = dashboardConfigMapName(spec.name);
      const metadata = {
        name,
        namespace: GRAFANA_DASHBOARD_SIDECAR.namespace,
        labels: { ...props.labels, [GRAFANA_DASHBOARD_SIDECAR.label]: GRAFANA_DASHBOARD_SIDECAR.labelValue },
      };
      const data = { [`${name}.json`]: `${JSON.stringify(dashboardJson(spec), null, 2)}\n` };
      const bytes = Buffer.byteLength(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata, data }));
      if (bytes > DASHBOARD_CONFIGMAP_MAX_BYTES) {
        const what =
          spec.name === PLATFORM_OVERVIEW_DASHBOARD ? 'the overview of all services' : `dashboard ${spec.name}`;
        throw new UserError(
          `${what}: its ConfigMap ${name} takes ${bytes} bytes, more than the ${DASHBOARD_CONFIGMAP_MAX_BYTES} ` +
            'a client-side apply can record in its last-applied annotation',
        );
      }
      new k8s.KubeConfigMap(this, spec.name, { metadata, data });
      return { spec, configMapName: name };
    });
  }
}
