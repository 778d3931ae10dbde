import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnScriptAsync } from '../support/command-run';

/**
 * Every command of package.json that runs a TypeScript tool (`tsx tools/<file>.ts`) refuses an unknown option in one
 * line with exit code 2 before it does anything, as README "Commands" promises: the list is read from package.json, so
 * a new command is covered without editing this test.
 */
const ROOT = join(__dirname, '..', '..');
const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
const tools = Object.entries(scripts).flatMap(([name, command]) => {
  const match = /^tsx (tools\/\S+\.ts)( --\S+)*$/.exec(command);
  return match ? [[name, match[1]] as const] : [];
});

test('package.json names tool commands', () => {
  expect(tools.map(([name]) => name)).toEqual(expect.arrayContaining(['synth', 'fetch:upstream', 'plan']));
});

// Concurrent: each is a process that starts and stops at once, so they overlap instead of queueing.
test.concurrent.each(tools)(
  'pnpm %s refuses an unknown option in one line, with exit code 2',
  async (_command, file) => {
    const result = await spawnScriptAsync(ROOT, file, ['--no-such-option']);
    expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 2, stdout: '' });
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining("unknown option '--no-such-option'")]);
  },
);
