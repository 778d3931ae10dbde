import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { listFiles } from '../../../apps/cluster/src/dist-directory';
import type { KubeObject } from './kyverno-evaluation';

export const DIST = join(__dirname, '..', '..', '..', 'dist');

export interface DistManifest {
  /** Path relative to dist/. */
  readonly path: string;
  readonly object: KubeObject;
}

/** Every object of an environment's dist/ folder; dist/ must have been synthesized (`pnpm synth`). */
export function readDistEnvironment(environment: string): DistManifest[] {
  const root = join(DIST, environment);
  if (!existsSync(root)) throw new Error(`dist/${environment} does not exist; run 'pnpm synth' first`);
  return listFiles(root).map((path) => ({
    path: `${environment}/${path}`,
    object: parse(readFileSync(join(root, path), 'utf8')) as KubeObject,
  }));
}

export function ofKind(manifests: readonly DistManifest[], ...kinds: string[]): KubeObject[] {
  return manifests.filter((m) => kinds.includes(m.object.kind)).map((m) => m.object);
}

/** The labels of every Namespace the environment ships, by name. */
export function namespaceLabelsOf(manifests: readonly DistManifest[]): Record<string, Record<string, string>> {
  return Object.fromEntries(
    ofKind(manifests, 'Namespace').map((n) => [n.metadata.name, (n.metadata.labels ?? {}) as Record<string, string>]),
  );
}
