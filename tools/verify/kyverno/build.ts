/**
 * Builds the Kyverno CLI (`kubectl-kyverno`) at the Kyverno version the platform runs, from the Go module
 * proxy, into `.tools/kyverno-<version>/kyverno`, once: the next run finds the binary beside a stamp of the
 * module, its checksum and the build flags, and reuses it.
 *
 * github.com/kyverno/kyverno has a replace directive (k8s.io/pod-security-admission → its fork), so
 * `go install module@version` refuses it; the build runs inside a writable copy of the downloaded module
 * instead, with the module's own go.mod and go.sum as the only pins.
 */
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UPSTREAM_MODULES, type UpstreamModule } from '@platform/k8s-platform';
import type { EngineContext } from '../engine';
import { lastLines, runProcess } from '../process-output';

/** The Kyverno release whose CLI checks the policies: the one the kyverno chart of dist/ runs. */
export const KYVERNO_MODULE: UpstreamModule = UPSTREAM_MODULES.kyverno;

// The CLI's main package and the version variable upstream's Makefile sets (kyverno/kyverno Makefile, LD_FLAGS).
const CLI_PACKAGE = './cmd/cli/kubectl-kyverno';
const VERSION_VARIABLE = 'github.com/kyverno/kyverno/pkg/version.BuildVersion';

// Outside any workspace, so nothing of this repository changes what Go resolves; static like upstream's build.
// -mod=readonly: the module's own go.mod and go.sum are the pins; a build that would change them fails.
const GO_ENV = { GOWORK: 'off', GOFLAGS: '-mod=readonly', CGO_ENABLED: '0' };

/** Path of the CLI binary, built first when `.tools/` lacks it or holds one of another module or flags. */
export async function ensureKyvernoCli(
  context: EngineContext,
  module: UpstreamModule = KYVERNO_MODULE,
): Promise<string> {
  const ldflags = `-s -w -X ${VERSION_VARIABLE}=${module.version}`;
  const stamp = `${module.path}@${module.version} ${module.sum} ${CLI_PACKAGE} -trimpath -ldflags=${ldflags}`;
  const directory = join(context.toolsDirectory, `kyverno-${module.version}`);
  const binary = join(directory, 'kyverno');
  const stampFile = join(directory, '.stamp');
  if (existsSync(binary) && existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === stamp) return binary;

  context.log(
    `building the Kyverno CLI ${module.version} from the Go module proxy (the first build takes many minutes)`,
  );
  const started = Date.now();
  const work = mkdtempSync(join(tmpdir(), 'verify-kyverno-build-'));
  mkdirSync(directory, { recursive: true });
  const partial = `${binary}.partial-${process.pid}`;
  try {
    const source = await downloadModule(module, work);
    const copy = join(work, 'src');
    cpSync(source, copy, { recursive: true });
    makeWritable(copy);
    const build = await runProcess('go', ['build', '-trimpath', `-ldflags=${ldflags}`, '-o', partial, CLI_PACKAGE], {
      cwd: copy,
      env: GO_ENV,
    });
    if (build.status !== 0) {
      throw new Error(
        `go build ${CLI_PACKAGE} of ${module.path}@${module.version} failed:\n${lastLines(`${build.stdout}${build.stderr}`, 40)}`,
      );
    }
    const version = await runProcess(partial, ['version'], { cwd: work });
    if (!version.stdout.includes(`Version: ${module.version}`)) {
      throw new Error(
        `the built CLI reports another version than ${module.version}:\n${lastLines(`${version.stdout}${version.stderr}`, 40)}`,
      );
    }
    renameSync(partial, binary);
  } finally {
    rmSync(partial, { force: true });
    rmSync(work, { recursive: true, force: true });
  }
  writeFileSync(stampFile, `${stamp}\n`);
  context.log(`built the Kyverno CLI ${module.version} in ${Math.round((Date.now() - started) / 1000)} s`);
  return binary;
}

/** `go mod download` of the module: its directory in the module cache, after checking its go.sum hash. */
async function downloadModule(module: UpstreamModule, cwd: string): Promise<string> {
  const reference = `${module.path}@${module.version}`;
  const result = await runProcess('go', ['mod', 'download', '-json', reference], { cwd, env: GO_ENV });
  let info: { Dir?: string; Sum?: string; Error?: string } = {};
  try {
    info = JSON.parse(result.stdout);
  } catch {
    // Reported below with the command's output.
  }
  if (result.status !== 0 || !info.Dir || info.Error) {
    throw new Error(
      `go mod download ${reference} failed: ${info.Error ?? lastLines(`${result.stdout}${result.stderr}`, 40)}`,
    );
  }
  if (info.Sum !== module.sum) {
    throw new Error(`${reference} has checksum ${info.Sum}, but upstream-crds.ts pins ${module.sum}`);
  }
  return info.Dir;
}

/** The module cache is read-only; Go may rewrite go.mod and go.sum of the copy. */
function makeWritable(path: string): void {
  chmodSync(path, statSync(path).mode | 0o200);
  if (!statSync(path).isDirectory()) return;
  for (const entry of readdirSync(path)) makeWritable(join(path, entry));
}
