import { ApiObject, type App, Chart } from 'cdk8s';
import { GitOpsChart } from './gitops-chart';
import { portableYaml } from './portable-yaml';

/** A Kubernetes object as it is written to dist/. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/**
 * Renders every chart of the app to files, one file per object: `<env>/<folder>/<kind>-<name>.yaml`.
 * Paths are relative to dist/ and returned sorted, so the output is the same byte for byte on every run.
 */
export function renderManifestFiles(app: App): Map<string, string> {
  const files = new Map<string, string>();
  // Go's decoders read YAML 1.1: `updateMode: Off` would reach the API server as `false`.
  for (const [path, object] of renderManifestObjects(app)) files.set(path, portableYaml(object));
  return files;
}

/**
 * The objects {@link renderManifestFiles} writes, by the same path and in the same order, before they become YAML
 * text: for readers that want the objects (portableYaml reads back as the value it was given). Checks the charts
 * the same way, throwing on an inconsistent chart, a chart that is no GitOpsChart or two objects for one path.
 *
 * Each object is what `Chart.toJson()` gives for its chart (cdk8s 2.70: `ApiObject.toJson()` of every ApiObject
 * whose nearest chart it is), but the app is validated once: `Chart.toJson()` validates the whole app on every
 * call, and the app-of-apps' check lists every chart of the app, so rendering chart by chart took time quadratic
 * in the number of charts. The order of the objects within a chart (cdk8s orders them by their dependencies)
 * does not matter here: the paths are sorted.
 */
export function renderManifestObjects(app: App): Map<string, KubeObject> {
  const constructs = app.node.findAll();
  const problems = constructs.flatMap((construct) =>
    construct.node.validate().map((error) => `${construct.node.path}: ${error}`),
  );
  if (problems.length > 0) throw new Error(`The charts are inconsistent:\n${problems.join('\n')}`);
  const strayChart = constructs.find((construct) => Chart.isChart(construct) && !GitOpsChart.isGitOpsChart(construct));
  if (strayChart) throw new Error(`Chart '${strayChart.node.path}' is not a GitOpsChart, so it has no folder in dist/`);
  const objects = new Map<string, KubeObject>();
  for (const construct of constructs) {
    if (!(construct instanceof ApiObject)) continue;
    const chart = Chart.of(construct) as GitOpsChart;
    const object = construct.toJson() as KubeObject;
    const path = `${chart.outputPath}/${manifestFileName(object)}`;
    if (objects.has(path)) {
      throw new Error(`Two objects would be written to dist/${path}; give them distinct kinds or names`);
    }
    objects.set(path, object);
  }
  return new Map([...objects.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function manifestFileName(object: KubeObject): string {
  return `${object.kind.toLowerCase()}-${object.metadata?.name}.yaml`;
}
