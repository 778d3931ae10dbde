/**
 * Brings the upstream CRDs that dist/ is checked against into `.upstream/crds/` (git-ignored), from
 * the Go module proxy at the versions UPSTREAM_CRDS pins, and refuses any module or file whose
 * checksum differs from the table's.
 *
 *   tsx tools/fetch-upstream.ts        needs `go` (1.21 or later) on PATH and the Go module proxy
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UPSTREAM_CRD_DIRECTORY, UPSTREAM_CRDS, type UpstreamModule } from '@platform/k8s-platform';

const root = join(__dirname, '..');

/** `go mod download` of one module: its directory in the module cache, after checking its go.sum hash. */
function download(module: UpstreamModule): string {
  const reference = `${module.path}@${module.version}`;
  // Outside any Go module or workspace, so nothing in the environment changes what is resolved.
  const result = spawnSync('go', ['mod', 'download', '-json', reference], {
    cwd: tmpdir(),
    encoding: 'utf8',
    env: { ...process.env, GOWORK: 'off', GOFLAGS: '-mod=mod' },
  });
  if (result.error) fail(`cannot run 'go' (${result.error.message}): install Go 1.21 or later`);
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
const staging = join(root, `${UPSTREAM_CRD_DIRECTORY}.staging`);
rmSync(staging, { recursive: true, force: true });
mkdirSync(staging, { recursive: true });
for (const crd of UPSTREAM_CRDS) {
  const key = `${crd.module.path}@${crd.module.version}`;
  const directory = directories.get(key) ?? download(crd.module);
  directories.set(key, directory);
  const content = readFileSync(join(directory, crd.file));
  const sha256 = createHash('sha256').update(content).digest('hex');
  if (sha256 !== crd.sha256) fail(`${key}/${crd.file} has SHA-256 ${sha256}, the table pins ${crd.sha256}`);
  writeFileSync(join(staging, `${crd.name}.yaml`), content);
}
// Swapped in whole, so a failed run never leaves a half-filled folder behind.
rmSync(join(root, UPSTREAM_CRD_DIRECTORY), { recursive: true, force: true });
renameSync(staging, join(root, UPSTREAM_CRD_DIRECTORY));
process.stdout.write(
  `Fetched ${UPSTREAM_CRDS.length} CRDs from ${directories.size} modules into ${UPSTREAM_CRD_DIRECTORY}/.\n`,
);
