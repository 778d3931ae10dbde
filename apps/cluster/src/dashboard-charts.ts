import { GitOpsChart, GrafanaDashboards, platformLabels, SyncWave } from '@platform/k8s-platform';
import type { Environment, PlatformModel } from '@platform/model';
import type { App } from 'cdk8s';

/** Folder of dist/<env>/ that holds the Grafana dashboards. */
export const DASHBOARDS_FOLDER = 'platform/dashboards';

/** The Grafana dashboards of one environment: one per service it runs, and the platform overview. */
export function addDashboardCharts(app: App, model: PlatformModel, environment: Environment): void {
  const chart = new GitOpsChart(app, `${environment.name}-${DASHBOARDS_FOLDER.replace(/\//g, '-')}`, {
    environment: environment.name,
    folder: DASHBOARDS_FOLDER,
    // With the alert rules, after the add-ons' wave that installs Grafana.
    syncWave: SyncWave.CLUSTER_CONFIGURATION,
  });
  new GrafanaDashboards(chart, 'dashboards', {
    services: model.services,
    labels: platformLabels(model.organization, environment, 'dashboards'),
  });
}
