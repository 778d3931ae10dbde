import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { tempDir } from '../../support/temp-dirs';

/** promtool of the Debian `prometheus` package, which `.ci/run` installs. */
export const PROMTOOL = '/usr/bin/promtool';

export interface PromtoolRun {
  readonly status: number | null;
  readonly output: string;
}

/** Runs promtool, failing loudly when it is not installed: a missing engine must never count as a pass. */
export function promtool(args: readonly string[], cwd: string): PromtoolRun {
  if (!existsSync(PROMTOOL)) {
    throw new Error(`${PROMTOOL} is missing; install it with 'apt-get install prometheus' (as .ci/run does)`);
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
