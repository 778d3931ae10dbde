/**
 * Proves that everyday model changes need nothing but `pnpm synth`: each change is applied by a small scripted
 * edit to a throw-away copy of this repository (packages linked, not reinstalled), then `pnpm synth` and the
 * README's test command (`pnpm test`) run there. Prints, per change, whether both passed, the failing tests,
 * and which files of dist/ changed. The repository itself is never written. Slow (minutes per change), so it is
 * not part of `pnpm test`.
 *
 *   tsx tools/everyday-changes.ts                      every change
 *   tsx tools/everyday-changes.ts --only tag,promote   some of them
 *   tsx tools/everyday-changes.ts --keep               keep the copies (their paths are printed)
 *   tsx tools/everyday-changes.ts --ref main           start from a commit instead of the files on disk
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlatformModel } from '@platform/model';
import { runEntryPoint, UsageError } from '@platform/model/entry-point';
import { helpText, parseCommandLine } from './command-line';
import { type ChangeContext, EVERYDAY_CHANGES, type EverydayChange, type ModelInput } from './everyday-changes/changes';
import { type CommandResult, RepositoryCopy } from './everyday-changes/repository-copy';

const ROOT = join(__dirname, '..');
const IDS = EVERYDAY_CHANGES.map((change) => change.id);

const TEST_CHANGES = {
  command: 'pnpm test:changes',
  summary:
    'Applies each everyday model change to a throw-away copy of the repository and runs `pnpm synth` and\n' +
    "`pnpm test` there; reports per change whether both passed, the failing tests and dist/'s changed files.",
  options: {
    only: { type: 'string', placeholder: 'IDS', description: `comma-separated, of: ${IDS.join(', ')}` },
    keep: { type: 'boolean', description: 'keep the copies (their paths are printed)' },
    ref: { type: 'string', placeholder: 'COMMIT', description: 'start from a commit instead of the files on disk' },
  },
} as const;

interface Outcome {
  readonly change: EverydayChange;
  readonly status: 'pass' | 'fail' | 'skipped';
  readonly description: string;
  readonly synth?: CommandResult;
  readonly test?: CommandResult;
  readonly failingTests: readonly string[];
  readonly changedFiles: readonly string[];
  readonly problems: readonly string[];
  readonly log: string;
  readonly copy?: string;
}

/** The failing tests of a failed test run, as jest names them (`● suite › test`). */
export function failingTests(output: string): string[] {
  const names = output
    .split('\n')
    .map((line) => /^\s*● (.+)$/.exec(line)?.[1]?.trim())
    .filter((name): name is string => name !== undefined && !name.startsWith('Console'));
  return names.length > 0 ? [...new Set(names)] : ['(no jest failure: a step before jest failed, see the log)'];
}

function runChange(change: EverydayChange, logs: string, keep: boolean, ref?: string): Outcome {
  const copy = new RepositoryCopy(ROOT, change.id, ref);
  const log: string[] = [];
  const logFile = join(logs, `${change.id}.log`);
  const outcome = (fields: Omit<Outcome, 'change' | 'log' | 'copy'>): Outcome => {
    writeFileSync(logFile, log.join('\n'));
    return { change, log: logFile, copy: keep ? copy.root : undefined, ...fields };
  };
  try {
    // The changes pick their targets from the model they start from: the copy's.
    const { input, model } = copy.model() as { input: ModelInput; model: PlatformModel };
    const context: ChangeContext = { copy, input, model };
    const unavailable = change.unavailable?.(context);
    if (unavailable) {
      log.push(`skipped: ${unavailable}`);
      return outcome({ status: 'skipped', description: unavailable, failingTests: [], changedFiles: [], problems: [] });
    }
    const prepared = change.prepare?.(context);
    if (prepared) {
      const synth = copy.run('pnpm', ['--silent', 'synth']);
      log.push(`prepare: ${prepared}`, synth.output);
      if (!synth.ok) throw new Error(`the synth of the prepared state failed (${prepared})`);
      copy.commit(`prepare: ${prepared}`);
    }
    const description = change.apply(context);
    log.push(`change: ${description}`, copy.run('git', ['diff', '--stat']).output);
    const synth = copy.run('pnpm', ['synth']);
    log.push(synth.output);
    const changedFiles = copy.changedFiles('dist');
    const problems = change.checkOutputs?.(changedFiles, context) ?? [];
    const test = synth.ok ? copy.run('pnpm', ['test']) : undefined;
    if (test) log.push(test.output);
    const failing = test && !test.ok ? failingTests(test.output) : [];
    const status = synth.ok && test?.ok && problems.length === 0 ? 'pass' : 'fail';
    return outcome({ status, description, synth, test, failingTests: failing, changedFiles, problems });
  } catch (error) {
    log.push(String((error as Error).stack ?? error));
    return outcome({
      status: 'fail',
      description: (error as Error).message.split('\n')[0],
      failingTests: [],
      changedFiles: [],
      problems: [(error as Error).message],
    });
  } finally {
    if (!keep) copy.remove();
  }
}

/** `+added ~modified -removed`, and per top folder of dist/ (usually an environment), how many files. */
function summarizeChanges(changed: readonly string[]): string {
  const count = (letter: string) => changed.filter((line) => line.startsWith(letter)).length;
  const folders = new Map<string, number>();
  for (const line of changed) {
    const folder = line.split(' ')[1]?.split('/')[1] ?? '?';
    folders.set(folder, (folders.get(folder) ?? 0) + 1);
  }
  const perFolder = [...folders].map(([folder, files]) => `${folder}: ${files}`).join(', ');
  return `${changed.length} files (+${count('A')} ~${count('M')} -${count('D')})${perFolder ? ` — ${perFolder}` : ''}`;
}

function main(): void {
  const { help, values } = parseCommandLine(TEST_CHANGES, process.argv.slice(2));
  if (help) {
    process.stdout.write(helpText(TEST_CHANGES));
    return;
  }
  const ids = values.only?.split(',').map((id) => id.trim()) ?? IDS;
  const unknown = ids.filter((id) => !IDS.includes(id));
  if (unknown.length > 0) {
    throw new UsageError(
      `${TEST_CHANGES.command}: unknown change(s) ${unknown.join(', ')}; allowed: ${IDS.join(', ')}`,
    );
  }
  const logs = mkdtempSync(join(tmpdir(), 'everyday-changes-logs-'));
  mkdirSync(logs, { recursive: true });

  const outcomes: Outcome[] = [];
  for (const change of EVERYDAY_CHANGES.filter((candidate) => ids.includes(candidate.id))) {
    process.stdout.write(`${change.id}: ${change.title} …\n`);
    const outcome = runChange(change, logs, values.keep === true, values.ref);
    outcomes.push(outcome);
    const seconds = [outcome.synth, outcome.test].map((step) => (step ? `${step.seconds.toFixed(0)} s` : '–'));
    process.stdout.write(`  ${outcome.status.toUpperCase()}: ${outcome.description}\n`);
    if (outcome.status !== 'skipped') {
      process.stdout.write(
        `  synth ${outcome.synth?.ok ? 'ok' : 'FAILED'} (${seconds[0]}), test ${outcome.test ? (outcome.test.ok ? 'ok' : 'FAILED') : 'not run'} (${seconds[1]})\n`,
      );
      process.stdout.write(`  dist/ changed: ${summarizeChanges(outcome.changedFiles)}\n`);
    }
    for (const name of outcome.failingTests) process.stdout.write(`  failing: ${name}\n`);
    for (const problem of outcome.problems) process.stdout.write(`  problem: ${problem}\n`);
    if (outcome.copy) process.stdout.write(`  copy kept: ${outcome.copy}\n`);
  }
  process.stdout.write(`\n| change | result | synth | test | dist/ files changed |\n| --- | --- | --- | --- | --- |\n`);
  for (const { change, status, synth, test, changedFiles } of outcomes) {
    const step = (result?: CommandResult) =>
      result ? `${result.ok ? 'ok' : 'FAILED'} ${result.seconds.toFixed(0)} s` : '–';
    process.stdout.write(
      `| ${change.id} | ${status} | ${step(synth)} | ${step(test)} | ${status === 'skipped' ? '–' : summarizeChanges(changedFiles)} |\n`,
    );
  }
  process.stdout.write(`\nlogs: ${logs}\n`);
  if (outcomes.some((outcome) => outcome.status === 'fail')) process.exitCode = 1;
}

runEntryPoint(main);
