import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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
  /** stdout, then stderr. */
  readonly output: string;
  readonly stdout: string;
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
  return { status: result.status, output: `${result.stdout}${result.stderr}`, stdout: result.stdout };
}

/** Writes YAML documents into a fresh temp dir and returns the dir. */
export function writeYamlFiles(files: Readonly<Record<string, unknown>>): string {
  const dir = tempDir('platform-promtool-');
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), stringify(content, { lineWidth: 0 }));
  }
  return dir;
}

/** What promtool said of one file of a batch. */
export interface PromtoolFileResult {
  /** `check rules`: the rule count of a file it accepted. */
  readonly rulesFound?: number;
  /** `test rules`: the unit tests it ran from the file, and how many failed or could not run. */
  readonly tests?: number;
  readonly failures?: number;
  readonly errors?: number;
}

export interface PromtoolBatch extends PromtoolRun {
  /** Each file's result by file name; a file promtool said nothing of is missing. */
  readonly files: ReadonlyMap<string, PromtoolFileResult>;
}

/**
 * `promtool check rules` on several rule files in one process (one start instead of one per file). promtool
 * checks each file on its own and prints `Checking <file>`, then `  SUCCESS: <n> rules found` for a file it
 * accepts (its findings go to stderr, each naming its file); the exit status is 0 only if it accepted every file.
 */
export function checkRuleFiles(files: Readonly<Record<string, unknown>>): PromtoolBatch {
  const dir = writeYamlFiles(files);
  const names = Object.keys(files);
  const run = promtool(['check', 'rules', ...names], dir);
  const results = new Map<string, PromtoolFileResult>();
  for (const section of run.stdout.split(/^Checking /m).slice(1)) {
    const name = section.slice(0, section.indexOf('\n'));
    const found = /^ {2}SUCCESS: (\d+) rules found$/m.exec(section);
    if (names.includes(name)) results.set(name, { rulesFound: found ? Number(found[1]) : undefined });
  }
  return { ...run, files: results };
}

/**
 * `promtool test rules` on several unit-test files in one process. Its console output does not say which file a
 * result belongs to, so each file's counts are read from the JUnit report it writes: one testsuite per file,
 * named for it, with its tests, failures and errors.
 */
export function testRuleFiles(files: Readonly<Record<string, unknown>>, testFiles: readonly string[]): PromtoolBatch {
  const dir = writeYamlFiles(files);
  const run = promtool(['test', 'rules', '--junit=junit.xml', ...testFiles], dir);
  const results = new Map<string, PromtoolFileResult>();
  const report = existsSync(join(dir, 'junit.xml')) ? readFileSync(join(dir, 'junit.xml'), 'utf8') : '';
  for (const [, attributes] of report.matchAll(/<testsuite\b([^>]*)>/g)) {
    const attribute = (key: string) => new RegExp(`\\b${key}="([^"]*)"`).exec(attributes)?.[1];
    const name = attribute('name');
    if (name === undefined || !testFiles.includes(name)) continue;
    results.set(name, {
      tests: Number(attribute('tests')),
      failures: Number(attribute('failures')),
      errors: Number(attribute('errors')),
    });
  }
  return { ...run, files: results };
}
