/**
 * Builds one main package of an upstream Go module through a small build module of this repository
 * (tools/verify/go/<name>/: go.mod and go.sum only), into `.tools/<binary>-<version>/`, once: the next
 * run finds the binary with a stamp equal to the SHA-256 of that go.mod, go.sum and the linker flags, and
 * reuses it.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface GoBinary {
  /** Folder of the build module, relative to the repository root. */
  readonly module: string;
  /** The main package to build, e.g. `k8s.io/kubernetes/cmd/kube-apiserver`. */
  readonly package: string;
  /** Name of the binary, e.g. `kube-apiserver`. */
  readonly binary: string;
  /** Upstream version the build module pins, e.g. `v1.35.8`; names the cache folder. */
  readonly version: string;
  /** Extra linker flags, e.g. `-X` stamps of the version the binary reports. @default none */
  readonly linkerFlags?: readonly string[];
}

export interface GoBuildContext {
  readonly root: string;
  readonly toolsDirectory: string;
  readonly log: (line: string) => void;
}

/** Runs a command; resolves with its combined output, rejects with the output's tail when it fails. */
function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', (error) => reject(new Error(`cannot run ${command}: ${error.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${code}:\n${output.trim().slice(-4000)}`));
    });
  });
}

/** The binary's path, built first when the cache lacks it or was built from another go.mod/go.sum. */
export async function ensureGoBinary(context: GoBuildContext, target: GoBinary): Promise<string> {
  const moduleDirectory = join(context.root, target.module);
  const stamp = createHash('sha256')
    .update(readFileSync(join(moduleDirectory, 'go.mod')))
    .update(readFileSync(join(moduleDirectory, 'go.sum')))
    .update(JSON.stringify(target.linkerFlags ?? []))
    .digest('hex');
  const directory = join(context.toolsDirectory, `${target.binary}-${target.version}`);
  const binary = join(directory, target.binary);
  const stampFile = join(directory, '.stamp');
  if (existsSync(binary) && existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === stamp) return binary;

  mkdirSync(directory, { recursive: true });
  const partial = `${binary}.partial-${process.pid}`;
  context.log(`building ${target.binary} ${target.version} from ${target.module} (the first build takes minutes)`);
  const started = Date.now();
  try {
    await run(
      'go',
      [
        'build',
        '-trimpath',
        `-ldflags=${['-s', '-w', ...(target.linkerFlags ?? [])].join(' ')}`,
        '-o',
        partial,
        target.package,
      ],
      moduleDirectory,
      // Outside any workspace; -mod=readonly: the build module's go.mod and go.sum are the pins, and a build
      // that would add to or change them fails instead of resolving something unpinned.
      { ...process.env, GOWORK: 'off', GOFLAGS: '-mod=readonly' },
    );
    renameSync(partial, binary);
  } finally {
    rmSync(partial, { force: true });
  }
  writeFileSync(stampFile, `${stamp}\n`);
  context.log(`built ${target.binary} ${target.version} in ${Math.round((Date.now() - started) / 1000)} s`);
  return binary;
}
