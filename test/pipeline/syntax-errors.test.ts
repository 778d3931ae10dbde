import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { synth } from '../../tools/synth';
import { validate } from '../../tools/validate';
import { type CommandResult, runCommand } from '../support/command-run';
import { copyRepository } from '../support/repo-copy';

/**
 * A syntax error in the model is reported as one `file:line:column: message` line and exit code 1 by
 * every command that loads the model, without a bundler trace; the commands run in a copy of the
 * repository whose data file is broken. A broken data file is what tsx's and Node's loaders report, so each
 * entry point runs as a script; a broken --model file is read by the command itself, which runs in this process.
 */

const DATA = 'packages/platform-model/src/data';

let root: string;

beforeAll(() => {
  root = copyRepository();
});

function run(command: string, args: string[]): CommandResult {
  const result = spawnSync(command, args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

const tsx = (script: string, ...args: string[]) => run(process.execPath, ['--import', 'tsx', script, ...args]);

function expectOneLocatedLine(result: CommandResult, location: string): void {
  expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 1, stdout: '' });
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^${location.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\S`));
}

/** Appends a line that does not parse to a file; returns its `file:line:column` (1-based). */
function breakFile(path: string, broken: string, column: number): string {
  const text = readFileSync(join(root, path), 'utf8');
  const body = text.endsWith('\n') ? text : `${text}\n`;
  writeFileSync(join(root, path), `${body}${broken}\n`);
  return `${path}:${body.split('\n').length}:${column}`;
}

describe('a syntax error in a TypeScript model data file', () => {
  const file = readdirSync(join(__dirname, '..', '..', DATA))
    .filter((name) => name.endsWith('.ts') && name !== 'index.ts')
    .sort()[0];
  let location: string;
  let original: string;

  beforeAll(() => {
    original = readFileSync(join(root, DATA, file), 'utf8');
    // `;` where an expression must be: column 32 of the appended line.
    location = breakFile(`${DATA}/${file}`, 'export const notAnExpression = ;', 32);
  });

  afterAll(() => writeFileSync(join(root, DATA, file), original));

  // `pnpm synth:check` is tools/synth.ts too: --check matters only once the model has loaded.
  it.each([
    ['pnpm validate', ['tools/validate.ts']],
    ['pnpm synth', ['tools/synth.ts']],
    ['the cdk8s app', ['apps/cluster/src/main.ts']],
  ])('%s prints one line with its place', (_command, [script, ...args]) => {
    expectOneLocatedLine(tsx(script, ...args), location);
  });

  it('cdk synth shows that line, and no trace', () => {
    const result = run(join(root, 'node_modules', '.bin', 'cdk'), [
      'synth',
      '--no-notices',
      '--ci',
      '--output',
      join(root, 'cdk-synth-out'),
    ]);

    expect(result.status).not.toBe(0);
    expect(result.stderr.split('\n')).toContainEqual(expect.stringMatching(new RegExp(`^${location}: \\S`)));
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stderr).not.toContain('Transform failed');
  });
});

describe('a syntax error in a JSON model data file', () => {
  const files = readdirSync(join(__dirname, '..', '..', DATA)).filter((name) => name.endsWith('.json'));

  // Node's JSON loader, not tsx, reports this one; the entry points pass it on as they pass on tsx's (above), so
  // one of them shows that the line is located.
  it.each(files.sort().slice(0, 1))('%s: pnpm validate prints one line with its place', (file) => {
    const original = readFileSync(join(root, DATA, file), 'utf8');
    try {
      // The object's last member followed by one whose value is missing: the comma at column 13.
      const body = original.trimEnd().replace(/\n?\}$/, '');
      writeFileSync(join(root, DATA, file), `${body},\n  "broken": ,\n}\n`);
      const location = `${DATA}/${file}:${body.split('\n').length + 1}:13`;

      expectOneLocatedLine(tsx('tools/validate.ts'), location);
    } finally {
      writeFileSync(join(root, DATA, file), original);
    }
  });
});

describe('a proposed model (--model) that is not JSON', () => {
  const COMMANDS = { 'pnpm validate': validate, 'pnpm synth': synth };

  it.each([
    ['pnpm validate', []],
    ['pnpm synth', []],
    ['pnpm synth', ['--check']],
  ] as const)('%s %j prints one line with its place', async (command, args) => {
    // The second comma on line 3 breaks the grammar: column 20.
    writeFileSync(join(root, 'proposed.json'), '{\n  "organization": {\n    "name": "acme",,\n  }\n}\n');
    // The path as the user gives it, relative to where the command runs.
    const cwd = process.cwd();
    process.chdir(root);
    try {
      const result = await runCommand(() => COMMANDS[command]([...args, '--model', 'proposed.json'], root));
      expectOneLocatedLine(result, 'proposed.json:3:20');
    } finally {
      process.chdir(cwd);
    }
  });
});
