import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * dist/ is what Argo CD syncs, with prune: a half-written dist/ would delete production objects.
 * So it is written to a sibling staging directory, checked there, and only then swapped into place.
 */
export function replaceDistDirectory(distDir: string, files: ReadonlyMap<string, string>): void {
  const target = resolve(distDir);
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const staging = mkdtempSync(join(parent, '.dist-staging-'));
  try {
    writeFiles(staging, files);
    const problems = checkManifestDirectory(staging);
    if (problems.length > 0) throw new DistCheckError(problems);
    swapInto(staging, target);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

export class DistCheckError extends Error {
  public constructor(public readonly problems: readonly string[]) {
    super(
      `The rendered manifests failed their checks; dist/ was left as it was:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'DistCheckError';
  }
}

function writeFiles(root: string, files: ReadonlyMap<string, string>): void {
  for (const [path, text] of files) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
}

function swapInto(staging: string, target: string): void {
  const previous = `${staging.replace('.dist-staging-', '.dist-previous-')}`;
  let moved = false;
  try {
    renameSync(target, previous);
    moved = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  renameSync(staging, target);
  if (moved) rmSync(previous, { recursive: true, force: true });
}

/** Every file below a directory, as paths relative to it with '/' separators, sorted. */
export function listFiles(root: string): string[] {
  const entries = readdirSync(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort();
}

/**
 * The checks a directory of manifests must pass before it may become dist/: every file parses as one
 * YAML document holding an object with apiVersion, kind and metadata.name; no kind/namespace/name
 * appears twice within an environment; and no Secret, since secret values never enter Git.
 */
export function checkManifestDirectory(root: string): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const path of listFiles(root)) {
    const documents = parseAllDocuments(readFileSync(join(root, path), 'utf8'));
    if (!Array.isArray(documents) || documents.length !== 1) {
      problems.push(`${path}: expected exactly one YAML document`);
      continue;
    }
    const [document] = documents;
    if (document.errors.length > 0) {
      problems.push(`${path}: YAML does not parse: ${document.errors[0].message}`);
      continue;
    }
    const object = document.toJS() as {
      apiVersion?: unknown;
      kind?: unknown;
      metadata?: { name?: unknown; namespace?: unknown };
    };
    const missing = ['apiVersion', 'kind'].filter((field) => typeof object?.[field as 'kind'] !== 'string');
    if (typeof object?.metadata?.name !== 'string') missing.push('metadata.name');
    if (missing.length > 0) {
      problems.push(`${path}: missing ${missing.join(', ')}`);
      continue;
    }
    if (object.kind === 'Secret')
      problems.push(`${path}: a Secret would put a secret value into Git; use an ExternalSecret`);
    const environment = path.split('/')[0];
    const key = `${environment}: ${object.kind} ${object.metadata?.namespace ?? '(cluster)'}/${object.metadata?.name}`;
    const earlier = seen.get(key);
    if (earlier) problems.push(`${path}: duplicates ${earlier} (${key})`);
    else seen.set(key, path);
  }
  return problems;
}

/** Files that differ between the rendered manifests and a directory: added, removed or changed. */
export function diffAgainstDirectory(distDir: string, files: ReadonlyMap<string, string>): string[] {
  const existing = safeListFiles(distDir);
  const differences: string[] = [];
  for (const [path, text] of files) {
    if (!existing.includes(path)) differences.push(`added:   dist/${path}`);
    else if (readFileSync(join(distDir, path), 'utf8') !== text) differences.push(`changed: dist/${path}`);
  }
  for (const path of existing) {
    if (!files.has(path)) differences.push(`removed: dist/${path}`);
  }
  return differences.sort((a, b) => (a.slice(9) < b.slice(9) ? -1 : 1));
}

function safeListFiles(root: string): string[] {
  try {
    return listFiles(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
