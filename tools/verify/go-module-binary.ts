import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EngineContext } from './engine';
import { runOrThrow } from './process-output';

/** A main package of a Go module at a pinned version, built from the Go module proxy. */
export interface GoModuleBinary {
  /** Name of the binary, and of its cache folder in `.tools/go/`. */
  readonly name: string;
  /** Module path, e.g. `github.com/prometheus/prometheus`. */
  readonly module: string;
  /** Exact module version, e.g. `v0.313.1`. */
  readonly version: string;
  /**
   * The module's `h1:` hash as in go.sum and sum.golang.org, e.g. `h1:BOyo…=`: `go mod download` must report the
   * same `Sum`, so a proxy or cache serving other content for this version is refused.
   */
  readonly sum: string;
  /** The main package, relative to the module root, e.g. `./cmd/promtool`. */
  readonly mainPackage: string;
  /** `-X importpath.name=value` settings for the linker, e.g. the version a binary reports. @default - none */
  readonly linkerSettings?: readonly string[];
}

/** Where the binary is cached: `.tools/go/<name>-<version>/<name>`. */
export function goModuleBinaryPath(toolsDirectory: string, binary: GoModuleBinary): string {
  return join(toolsDirectory, 'go', `${binary.name}-${binary.version}`, binary.name);
}

/**
 * Path of the binary in `.tools/go/<name>-<version>/`, built on first use and reused after. It is built
 * inside the module as downloaded (`go mod download`), with the module's own go.mod and go.sum: unlike
 * `go install module@version` this also works for modules with replace directives (Prometheus has one).
 */
export async function goModuleBinary(context: EngineContext, binary: GoModuleBinary): Promise<string> {
  const path = goModuleBinaryPath(context.toolsDirectory, binary);
  const directory = dirname(path);
  if (existsSync(path)) return path;

  const started = Date.now();
  context.log(`${binary.name}: building ${binary.module}@${binary.version} ${binary.mainPackage} (first run only)`);
  // The module's go.work (if any) names folders the module zip does not hold; the build must ignore it.
  // -mod=readonly: the module's own go.mod and go.sum are the pins; a build that would change them fails.
  const env = { GOWORK: 'off', GOFLAGS: '-mod=readonly', CGO_ENABLED: '0' };
  mkdirSync(directory, { recursive: true });
  const download = await runOrThrow('go', ['mod', 'download', '-json', `${binary.module}@${binary.version}`], {
    cwd: directory,
    env,
  });
  const { Dir: moduleDirectory, Sum: sum } = JSON.parse(download.stdout) as { Dir?: string; Sum?: string };
  if (!moduleDirectory) throw new Error(`go mod download gave no directory for ${binary.module}@${binary.version}`);
  if (sum !== binary.sum) {
    throw new Error(`${binary.module}@${binary.version} has checksum ${sum}, but ${binary.name} pins ${binary.sum}`);
  }

  const partial = `${path}.partial-${process.pid}`;
  const ldflags = ['-s', '-w', ...(binary.linkerSettings ?? []).map((setting) => `-X ${setting}`)].join(' ');
  try {
    await runOrThrow('go', ['build', '-trimpath', `-ldflags=${ldflags}`, '-o', partial, binary.mainPackage], {
      cwd: moduleDirectory,
      env,
    });
    renameSync(partial, path);
  } finally {
    rmSync(partial, { force: true });
  }
  context.log(`${binary.name}: built in ${Math.round((Date.now() - started) / 1000)} s`);
  return path;
}
