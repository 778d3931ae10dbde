import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { PROMETHEUS_VERSION, promtoolPath } from '../../../tools/verify/promtool';
import { tempDir } from '../../support/temp-dirs';

/**
 * promtool of the Prometheus the cluster runs (PROMETHEUS_VERSION, 3.x: left-open range windows), the one
 * `npm run verify` uses; `npm run setup` builds it into .tools/ with tools/verify/build-promtool.ts.
 */
export const PROMTOOL = promtoolPath(join(__dirname, '..', '..', '..', '.tools'));

export interface PromtoolRun {
  readonly status: number | null;
  readonly output: string;
}

/** Runs promtool, failing loudly when it is not installed: a missing engine must never count as a pass. */
export function promtool(args: readonly string[], cwd: string): PromtoolRun {
  if (!existsSync(PROMTOOL)) {
    throw new Error(
      `${PROMTOOL} (promtool ${PROMETHEUS_VERSION}) is missing; build it with 'pnpm exec tsx tools/verify/build-promtool.ts' (as 'npm run setup' does)`,
    );
  }
  const result = spawnSync(PROMTOOL, args, { cwd, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Writes YAML documents into a fresh temp dir and returns the dir. */
export function writeYamlFiles(files: Readonly<Record<string, unknown>>): string {
  const dir = tempDir('platform-promtool-');
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), stringify(content, { lineWidth: 0 }));
  }
  return dir;
}
