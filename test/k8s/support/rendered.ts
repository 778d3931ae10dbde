import { type KubeObject, renderManifestObjects } from '@platform/k8s-platform';
import { loadPlatformModel, type PlatformModel } from '@platform/model';
import { buildClusterApp } from '../../../apps/cluster/src/cluster-app';

/** A parsed manifest; tests walk into it freely, as a reader of the YAML would. */
// biome-ignore lint/suspicious/noExplicitAny: parsed YAML has no static shape
type Json = Record<string, any>;
export type Manifest = Json & KubeObject & { readonly metadata: Json & KubeObject['metadata'] };

/** One file of dist/ as the cluster app renders it: its path below dist/ and the object it holds. */
export interface RenderedObject {
  readonly path: string;
  readonly environment: string;
  readonly object: Manifest;
}

/**
 * Everything the cluster app writes to dist/ for a model: the objects themselves, by the paths they are written to.
 * The YAML text reads back as these objects (portableYaml's contract, test/pipeline/portable-yaml.test.ts), so
 * rendering it and parsing it back here would only take time: tests of the text itself render it.
 */
export function renderModel(model: PlatformModel = loadPlatformModel()): RenderedObject[] {
  const objects = renderManifestObjects(buildClusterApp(model));
  return [...objects].map(([path, object]) => ({ path, environment: path.split('/')[0], object: object as Manifest }));
}

export function objectsOf(rendered: readonly RenderedObject[], environment: string, kind?: string): Manifest[] {
  return rendered
    .filter((file) => file.environment === environment && (kind === undefined || file.object.kind === kind))
    .map((file) => file.object);
}

/** The single object of a kind and name in an environment; fails the test when there is not exactly one. */
export function findObject(
  rendered: readonly RenderedObject[],
  environment: string,
  kind: string,
  name: string,
  namespace?: string,
): Manifest {
  const matches = objectsOf(rendered, environment, kind).filter(
    (object) => object.metadata.name === name && (namespace === undefined || object.metadata.namespace === namespace),
  );
  if (matches.length !== 1) throw new Error(`expected one ${kind} ${name} in ${environment}, found ${matches.length}`);
  return matches[0];
}
