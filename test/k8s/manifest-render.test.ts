import {
  AppOfAppsChart,
  GitOpsChart,
  type KubeObject,
  manifestFileName,
  portableYaml,
  renderManifestObjects,
} from '@platform/k8s-platform';
import { loadModel, loadPlatformModel, type PlatformModel } from '@platform/model';
import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { buildClusterApp } from '../../apps/cluster/src/cluster-app';
import { addStatelessServices, draftModel } from '../model/support/drafts';
import { assertForAllModels, propertyRun } from '../properties/support/property-runs';

/**
 * The objects as cdk8s gives them chart by chart (`Chart.toJson()`, which validates the whole app on each call), by
 * the path renderManifestObjects writes each to: the reference the one-pass rendering must equal.
 */
function renderedChartByChart(app: App): Map<string, KubeObject> {
  const objects = new Map<string, KubeObject>();
  for (const chart of app.charts as GitOpsChart[]) {
    for (const object of chart.toJson() as KubeObject[])
      objects.set(`${chart.outputPath}/${manifestFileName(object)}`, object);
  }
  return objects;
}

/** Both renderings of the model, each from an app of its own, as path → YAML text, in the order each gives. */
function bothRenderings(model: PlatformModel): { onePass: [string, string][]; chartByChart: [string, string][] } {
  const text = (objects: Map<string, KubeObject>) =>
    [...objects].map(([path, object]): [string, string] => [path, portableYaml(object)]);
  const sorted = (entries: [string, string][]) => [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    onePass: text(renderManifestObjects(buildClusterApp(model))),
    chartByChart: sorted(text(renderedChartByChart(buildClusterApp(model)))),
  };
}

describe('renderManifestObjects', () => {
  it('writes, for the shipped model with added stateless services, what cdk8s renders chart by chart', () => {
    const model = addStatelessServices(draftModel(), 4);
    const { onePass, chartByChart } = bothRenderings(loadModel(model));
    expect(onePass.length).toBeGreaterThan(0);
    expect(onePass).toEqual(chartByChart);
  });

  const run = propertyRun({
    quickRuns: 3,
    quickSize: { maxServices: 6, maxEnvironments: 2 },
    nightlyRuns: 20,
    perModelMs: 60_000,
  });
  it(
    'writes, for any valid model, what cdk8s renders chart by chart',
    () => {
      assertForAllModels('one-pass rendering equals chart by chart', run, (model) => {
        const { onePass, chartByChart } = bothRenderings(model);
        expect(onePass).toEqual(chartByChart);
      });
    },
    run.timeoutMs,
  );

  it('validates each construct once, however many charts the app has', () => {
    const app = new App();
    const environment = loadPlatformModel().environments[0];
    const calls = new Map<string, number>();
    for (let index = 0; index < 5; index++) {
      const chart = new GitOpsChart(app, `chart-${index}`, { environment: environment.name, folder: `f${index}` });
      const holder = new Construct(chart, 'Holder');
      holder.node.addValidation({
        validate: () => {
          calls.set(holder.node.path, (calls.get(holder.node.path) ?? 0) + 1);
          return [];
        },
      });
      new ApiObject(holder, 'cm', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `cm-${index}`, namespace: 'x' },
      });
    }
    new AppOfAppsChart(app, 'root', { organization: loadPlatformModel().organization, environment });
    expect(renderManifestObjects(app).size).toBeGreaterThan(5);
    expect([...calls.values()]).toEqual([1, 1, 1, 1, 1]);
  });

  it('names the construct whose validation fails, wherever it sits in a chart', () => {
    const app = new App();
    const chart = new GitOpsChart(app, 'dev-things', { environment: 'dev', folder: 'things' });
    new Construct(chart, 'Inner').node.addValidation({ validate: () => ['needs a name'] });
    expect(() => renderManifestObjects(app)).toThrow('The charts are inconsistent:\ndev-things/Inner: needs a name');
  });

  it('refuses a chart that has no folder in dist/', () => {
    const app = new App();
    const chart = new Chart(app, 'plain');
    new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } });
    expect(() => renderManifestObjects(app)).toThrow(
      "Chart 'plain' is not a GitOpsChart, so it has no folder in dist/",
    );
  });
});
