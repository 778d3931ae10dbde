import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { CLOUDFORMATION_FOLDER } from '@platform/model';
import { parseAllDocuments } from 'yaml';

export interface ReplaceDistOptions {
  /**
   * Which files of the current dist/ to carry over when `files` has none at their path, e.g. the other
   * environments when one is rendered. Default: none, so a file nothing renders any more disappears.
   */
  readonly keep?: (path: string) => boolean;
}

/**
 * dist/ is what Argo CD syncs, with prune: a half-written dist/ would delete production objects.
 * So it is written to a sibling staging directory, checked there, and only then swapped into place:
 * the manifests of every environment and the CloudFormation templates change together or not at all.
 */
export function replaceDistDirectory(
  distDir: string,
  files: ReadonlyMap<string, string>,
  options: ReplaceDistOptions = {},
): void {
  const target = resolve(distDir);
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const staging = mkdtempSync(join(parent, '.dist-staging-'));
  try {
    const { keep } = options;
    const kept = keep ? safeListFiles(target).filter((path) => keep(path) && !files.has(path)) : [];
    writeFiles(staging, new Map(kept.map((path) => [path, readFileSync(join(target, path), 'utf8')])));
    writeFiles(staging, files);
    const problems = checkDistDirectory(staging);
    if (problems.length > 0) throw new DistCheckError(problems);
    replaceDirectory(staging, target);
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
  // Each folder is made once: a folder holds many files.
  const made = new Set<string>();
  for (const [path, text] of files) {
    const file = join(root, path);
    const folder = dirname(file);
    if (!made.has(folder)) mkdirSync(folder, { recursive: true });
    made.add(folder);
    writeFileSync(file, text);
  }
}

/**
 * Puts a complete directory in place of another (which may not exist) by two renames, so the target is
 * never half-written; both must be on one file system (siblings).
 */
export function replaceDirectory(source: string, target: string): void {
  const previous = join(dirname(target), `.dist-previous-${process.pid}-${Date.now()}`);
  let moved = false;
  try {
    renameSync(target, previous);
    moved = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  renameSync(source, target);
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

/** The checks a directory must pass before it may become dist/: its manifests' and its templates'. */
export function checkDistDirectory(root: string): string[] {
  return [...checkManifestDirectory(root), ...checkTemplateFiles(root)];
}

/** Whether a path below dist/ is a CloudFormation template rather than a manifest of an environment. */
export function isTemplatePath(path: string): boolean {
  return path.startsWith(`${CLOUDFORMATION_FOLDER}/`);
}

/**
 * The checks the manifests (every file outside cloudformation/) must pass: every file parses as one
 * YAML document holding an object with apiVersion, kind and metadata.name; no kind/namespace/name
 * appears twice within an environment; and no Secret, since secret values never enter Git.
 */
export function checkManifestDirectory(root: string): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const path of listFiles(root).filter((path) => !isTemplatePath(path))) {
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

/**
 * Every file of cloudformation/ must be a template as the CDK writes one: `<stack>.template.json`, JSON
 * holding an object with a Resources object.
 */
export function checkTemplateFiles(root: string): string[] {
  const problems: string[] = [];
  for (const path of listFiles(root).filter(isTemplatePath)) {
    if (!path.endsWith('.template.json') || path.split('/').length !== 2) {
      problems.push(`${path}: ${CLOUDFORMATION_FOLDER}/ holds only <stack>.template.json files`);
      continue;
    }
    let template: { Resources?: unknown };
    try {
      template = JSON.parse(readFileSync(join(root, path), 'utf8'));
    } catch (error) {
      problems.push(`${path}: JSON does not parse: ${(error as Error).message}`);
      continue;
    }
    if (typeof template?.Resources !== 'object' || template.Resources === null) {
      problems.push(`${path}: a CloudFormation template needs a Resources object`);
    }
  }
  return problems;
}

/**
 * Files that differ between the rendered files and a directory: added, changed, and removed (a file
 * of the directory that `owns` claims but nothing renders; by default every file is claimed).
 */
export function diffAgainstDirectory(
  distDir: string,
  files: ReadonlyMap<string, string>,
  owns: (path: string) => boolean = () => true,
): string[] {
  const existing = safeListFiles(distDir);
  const present = new Set(existing);
  const differences: string[] = [];
  for (const [path, text] of files) {
    if (!present.has(path)) differences.push(`added:   dist/${path}`);
    else if (readFileSync(join(distDir, path), 'utf8') !== text) differences.push(`changed: dist/${path}`);
  }
  for (const path of existing) {
    if (owns(path) && !files.has(path)) differences.push(`removed: dist/${path}`);
  }
  return differences.sort((a, b) => (a.slice(9) < b.slice(9) ? -1 : 1));
}

/** listFiles, or nothing when the directory does not exist. */
export function safeListFiles(root: string): string[] {
  try {
    return listFiles(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
