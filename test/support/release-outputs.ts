import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listFiles } from '../../apps/cluster/src/dist-directory';

/** The releases file, relative to a repository's root. */
export const RELEASES = join('packages', 'platform-model', 'src', 'data', 'releases.json');

/** Every file of a repository copy's dist/ and its releases.json, by path: what promote and release may write. */
export function releaseOutputs(root: string): Map<string, string> {
  const files = listFiles(join(root, 'dist')).map((path) => join('dist', path));
  return new Map([...files, RELEASES].map((path) => [path, readFileSync(join(root, path), 'utf8')]));
}

/** The paths whose content differs between two such snapshots (added and removed included), sorted. */
export function changedBetween(before: Map<string, string>, after: Map<string, string>): string[] {
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths].filter((path) => before.get(path) !== after.get(path)).sort();
}
