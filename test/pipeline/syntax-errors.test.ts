import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyRepository } from '../support/repo-copy';

/**
 * A syntax error in the model is reported as one `file:line:column: message` line and exit code 1 by
 * every command that loads the model, without a bundler trace; the commands run in a copy of the
 * repository whose data file is broken.
 */

const DATA = 'packages/platform-model/src/data';

let root: string;

beforeAll(() => {
  root = copyRepository();
});

function run(command: string, args: string[]): SpawnSyncReturns<string> {
  return spawnSync(command, args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
}

const tsx = (script: string, ...args: string[]) => run(process.execPath, ['--import', 'tsx', script, ...args]);

function expectOneLocatedLine(result: SpawnSyncReturns<string>, location: string): void {
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

  it.each([
    ['pnpm validate', ['tools/validate.ts']],
    ['pnpm synth', ['tools/synth.ts']],
    ['pnpm synth:check', ['tools/synth.ts', '--check']],
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

  it.each(files.sort().slice(0, 1))('%s: pnpm validate and the CDK app print one line with its place', (file) => {
    const original = readFileSync(join(root, DATA, file), 'utf8');
    try {
      // The object's last member followed by one whose value is missing: the comma at column 13.
      const body = original.trimEnd().replace(/\n?\}$/, '');
      writeFileSync(join(root, DATA, file), `${body},\n  "broken": ,\n}\n`);
      const location = `${DATA}/${file}:${body.split('\n').length + 1}:13`;

      expectOneLocatedLine(tsx('tools/validate.ts'), location);
      expectOneLocatedLine(tsx('apps/cloud/src/main.ts'), location);
    } finally {
      writeFileSync(join(root, DATA, file), original);
    }
  });
});

describe('a proposed model (--model) that is not JSON', () => {
  it.each([
    ['tools/validate.ts', []],
    ['tools/synth.ts', []],
    ['tools/synth.ts', ['--check']],
  ])('%s %j prints one line with its place', (script, args) => {
    // The second comma on line 3 breaks the grammar: column 20.
    writeFileSync(join(root, 'proposed.json'), '{\n  "organization": {\n    "name": "acme",,\n  }\n}\n');

    expectOneLocatedLine(tsx(script, ...args, '--model', 'proposed.json'), 'proposed.json:3:20');
  });
});
