/**
 * Brings the upstream files that dist/ is checked against into `.upstream/` (git-ignored), from the Go
 * module proxy at the versions the tables pin, and refuses any module or file whose checksum differs
 * from the table's:
 *   - the CRDs of UPSTREAM_CRDS into `.upstream/crds/<name>.yaml`;
 *   - the values.yaml of each chart of CHART_VALUE_KEYS that is in a Go module into
 *     `.upstream/charts/<release>/values.yaml`.
 *
 *   pnpm fetch:upstream        needs `go` (1.21 or later) on PATH and the Go module proxy; `--help` lists the options
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  CHART_VALUE_KEYS,
  UPSTREAM_CHART_VALUES_DIRECTORY,
  UPSTREAM_CRD_DIRECTORY,
  UPSTREAM_CRDS,
  type UpstreamModule,
} from '@platform/k8s-platform';
import { runEntryPoint } from '@platform/model/entry-point';
import { helpText, parseCommandLine } from './command-line';

const root = join(__dirname, '..');

/** The command's name and summary, as `--help` prints them. */
export const FETCH_UPSTREAM = {
  command: 'pnpm fetch:upstream',
  summary:
    'Fetches the pinned upstream CRDs and chart values files into .upstream/ from the Go module proxy, checking\n' +
    'every checksum; needs go (1.21 or later) on PATH.',
  options: {},
} as const;

/** `go mod download` of one module: its directory in the module cache, after checking its go.sum hash. */
function download(module: UpstreamModule): string {
  const reference = `${module.path}@${module.version}`;
  // Outside any Go module or workspace, so nothing in the environment changes what is resolved.
  const result = spawnSync('go', ['mod', 'download', '-json', reference], {
    cwd: tmpdir(),
    encoding: 'utf8',
    env: { ...process.env, GOWORK: 'off', GOFLAGS: '-mod=mod' },
  });
  if (result.error) fail(`cannot run 'go' (${result.error.message}): install Go 1.19 or later`);
  let info: { Dir?: string; Sum?: string; Error?: string } = {};
  try {
    info = JSON.parse(result.stdout);
  } catch {
    fail(`go mod download ${reference} failed: ${result.stderr.trim()}`);
  }
  if (info.Error || !info.Dir) fail(`go mod download ${reference} failed: ${info.Error ?? result.stderr.trim()}`);
  if (info.Sum !== module.sum) fail(`${reference} has checksum ${info.Sum}, the table pins ${module.sum}`);
  return info.Dir as string;
}

function fail(message: string): never {
  process.stderr.write(`fetch-upstream: ${message}\n`);
  process.exit(1);
}

const directories = new Map<string, string>();

/** The module's directory, downloaded once per run. */
function moduleDirectory(module: UpstreamModule): string {
  const key = `${module.path}@${module.version}`;
  const directory = directories.get(key) ?? download(module);
  directories.set(key, directory);
  return directory;
}

/** One upstream file, after checking its SHA-256 against the table's. */
function upstreamFile(module: UpstreamModule, file: string, sha256: string): Buffer {
  const content = readFileSync(join(moduleDirectory(module), file));
  const actual = createHash('sha256').update(content).digest('hex');
  if (actual !== sha256)
    fail(`${module.path}@${module.version}/${file} has SHA-256 ${actual}, the table pins ${sha256}`);
  return content;
}

/** Writes `files` (relative path → content) into a staging folder, then swaps it in whole for `directory`. */
function replaceDirectory(directory: string, files: ReadonlyMap<string, Buffer>): void {
  const target = join(root, directory);
  const staging = `${target}.staging`;
  rmSync(staging, { recursive: true, force: true });
  for (const [path, content] of files) {
    mkdirSync(dirname(join(staging, path)), { recursive: true });
    writeFileSync(join(staging, path), content);
  }
  mkdirSync(staging, { recursive: true });
  // Swapped in whole, so a failed run never leaves a half-filled folder behind.
  rmSync(target, { recursive: true, force: true });
  renameSync(staging, target);
}

/** The command: fetches and checks both tables, then replaces both folders. */
function fetchUpstream(args: readonly string[]): void {
  if (parseCommandLine(FETCH_UPSTREAM, args).help) {
    process.stdout.write(helpText(FETCH_UPSTREAM));
    return;
  }
  const crds = new Map(
    UPSTREAM_CRDS.map((crd) => [`${crd.name}.yaml`, upstreamFile(crd.module, crd.file, crd.sha256)]),
  );
  const charts = new Map(
    CHART_VALUE_KEYS.flatMap((row) =>
      row.module
        ? [[`${row.release}/values.yaml`, upstreamFile(row.module.module, row.module.file, row.module.sha256)] as const]
        : [],
    ),
  );
  // Both tables are read and checked before either folder is replaced.
  replaceDirectory(UPSTREAM_CRD_DIRECTORY, crds);
  replaceDirectory(UPSTREAM_CHART_VALUES_DIRECTORY, charts);
  process.stdout.write(
    `Fetched ${crds.size} CRDs into ${UPSTREAM_CRD_DIRECTORY}/ and ${charts.size} chart values files into ` +
      `${UPSTREAM_CHART_VALUES_DIRECTORY}/ from ${directories.size} modules.\n`,
  );
}

if (require.main === module) runEntryPoint(async () => fetchUpstream(process.argv.slice(2)));
