import { GitOpsChart, SyncWave } from '@platform/k8s-platform';
import { type PlatformModel, serviceNamespace } from '@platform/model';
import { App } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { addGuardrailCharts } from './guardrail-charts';

/** Every Kubernetes object of every environment, as charts that know their folder in dist/. */
export function buildClusterApp(model: PlatformModel): App {
  const app = new App();
  for (const environment of model.environments) {
    const chart = new GitOpsChart(app, `${environment.name}-namespaces`, {
      environment: environment.name,
      folder: 'namespaces',
      syncWave: SyncWave.CLUSTER_CONFIGURATION,
    });
    const namespaces = [...new Set(model.services.map(serviceNamespace))];
    for (const name of namespaces) new k8s.KubeNamespace(chart, name, { metadata: { name } });
    addGuardrailCharts(app, model, environment);
  }
  return app;
}
