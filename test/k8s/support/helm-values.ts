import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ChartValueKeys, UPSTREAM_CHART_VALUES_DIRECTORY } from '@platform/k8s-platform';
import { parse } from 'yaml';
import type { RenderedObject } from './rendered';

/** One Helm release as its installer hands it to Helm: where it is declared, the chart, and the values. */
export interface HelmRelease {
  /** `dev/application-kyverno.yaml`, or `dev-cluster/ArgoCd…` for the cloud half. */
  readonly where: string;
  readonly release: string;
  readonly chart: string;
  readonly version: string;
  /** The values Helm merges over the chart's, from every place the installer takes them. */
  readonly values: readonly Record<string, unknown>[];
}

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML has no static shape
type Json = Record<string, any>;

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Argo CD `helm.parameters` names (`a.b`, `a\.b`, `list[0].c`) as a values object, as Helm's --set
 * reads them; an indexed segment is a list, a leaf like any list.
 */
function parametersAsValues(parameters: readonly { name: string }[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const { name } of parameters) {
    const segments = name.split(/(?<!\\)\./).map((segment) => segment.replace(/\\\./g, '.'));
    let node = values;
    for (const [index, segment] of segments.entries()) {
      const list = /^(.*)\[\d+\]$/.exec(segment);
      if (list || index === segments.length - 1) {
        if (list) node[list[1]] = [];
        else node[segment] = true;
        break;
      }
      const child = isMap(node[segment]) ? node[segment] : {};
      node[segment] = child;
      node = child;
    }
  }
  return values;
}

/**
 * Every Application of dist/ that renders a Helm chart (a `helm` section, a chart name, or an OCI
 * chart), with the values of `valuesObject`, `values` and `parameters`. `valueFiles` would be read
 * from the chart's repository, where no test can follow: such an Application is an error here.
 */
export function helmApplications(rendered: readonly RenderedObject[]): HelmRelease[] {
  return rendered
    .filter(({ object }) => object.kind === 'Application' && object.apiVersion === 'argoproj.io/v1alpha1')
    .flatMap(({ path, object }) =>
      [object.spec.source, ...(object.spec.sources ?? [])]
        .filter((source: Json | undefined): source is Json => source !== undefined)
        .filter((source) => source.helm || source.chart || String(source.repoURL).startsWith('oci://'))
        .map((source) => {
          const helm: Json = source.helm ?? {};
          if (helm.valueFiles?.length) throw new Error(`${path}: helm.valueFiles cannot be checked here`);
          const values = [
            helm.valuesObject,
            typeof helm.values === 'string' ? parse(helm.values) : undefined,
            helm.parameters ? parametersAsValues(helm.parameters) : undefined,
          ].filter(isMap);
          return {
            where: path,
            release: helm.releaseName ?? object.metadata.name,
            chart: source.chart ?? String(source.repoURL).split('/').pop(),
            version: String(source.targetRevision),
            values,
          };
        }),
    );
}

/** Every Helm chart the CDK stacks install, with its values as the template passes them; [stack id, template] pairs. */
export function cloudHelmReleases(templates: readonly (readonly [string, unknown])[]): HelmRelease[] {
  return templates.flatMap(([stack, template]) =>
    Object.entries((template as Json).Resources ?? {})
      .filter(([, resource]) => (resource as Json).Type === 'Custom::AWSCDK-EKS-HelmChart')
      .map(([logicalId, resource]) => {
        const properties = (resource as Json).Properties;
        const where = `${stack}/${logicalId}`;
        if (properties.Values !== undefined && typeof properties.Values !== 'string') {
          throw new Error(`${where}: Values hold deploy-time tokens; their keys cannot be read here`);
        }
        return {
          where,
          release: String(properties.Release),
          chart: String(properties.Chart),
          version: String(properties.Version),
          values: properties.Values === undefined ? [] : [JSON.parse(properties.Values)],
        };
      }),
  );
}

const pathKey = (segments: readonly string[]) => JSON.stringify(segments);

/**
 * The key paths of `values` that the chart of `row` does not define, dot-joined: every key is looked
 * up with its parents; below an open path anything goes; a list is a leaf.
 */
export function unknownValuePaths(row: ChartValueKeys, values: Record<string, unknown>): string[] {
  const defined = new Set<string>();
  for (const path of [...row.keys, ...row.open]) {
    const segments = path.split('.');
    for (let length = 1; length <= segments.length; length++) defined.add(pathKey(segments.slice(0, length)));
  }
  const open = new Set(row.open.map((path) => pathKey(path.split('.'))));
  const unknown: string[] = [];
  const walk = (node: Record<string, unknown>, parent: readonly string[]) => {
    for (const [key, value] of Object.entries(node)) {
      const path = [...parent, key];
      if (!defined.has(pathKey(path))) unknown.push(path.join('.'));
      else if (!open.has(pathKey(path)) && isMap(value)) walk(value, path);
    }
  };
  walk(values, []);
  return unknown;
}

/**
 * The paths of the row (keys and open paths) that a chart's values.yaml does not have; an open path
 * must be a map there (or empty).
 */
export function pathsMissingFrom(row: ChartValueKeys, document: unknown): string[] {
  const missing: string[] = [];
  for (const path of [...row.keys, ...row.open]) {
    let node: unknown = document;
    let found = true;
    for (const segment of path.split('.')) {
      if (!isMap(node) || !Object.hasOwn(node, segment)) {
        found = false;
        break;
      }
      node = node[segment];
    }
    if (!found) missing.push(path);
    else if (row.open.includes(path) && node !== null && !isMap(node)) missing.push(`${path} (not a map)`);
  }
  return missing;
}

/** Where `pnpm fetch:upstream` leaves a release's values.yaml. */
export const chartValuesFile = (release: string) =>
  join(__dirname, '..', '..', '..', UPSTREAM_CHART_VALUES_DIRECTORY, release, 'values.yaml');

/** The fetched values.yaml of a release; a missing one is an error that says how to get it, never a skipped check. */
export function readChartValuesFile(release: string): Buffer {
  const file = chartValuesFile(release);
  if (!existsSync(file)) throw new Error(`${file} is missing: run 'npm run setup' (or 'pnpm fetch:upstream')`);
  return readFileSync(file);
}
