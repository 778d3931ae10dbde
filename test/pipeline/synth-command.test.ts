import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel, type PlatformModel, platformModelInput } from '@platform/model';
import { listFiles } from '../../apps/cluster/src/dist-directory';
import { copyRepository } from '../support/repo-copy';

/**
 * `pnpm synth`, `pnpm synth:check` and `pnpm validate` as a user runs them: the real scripts, spawned in
 * a copy of the repository so that what they write (or should not write) is the copy's.
 */

const SYNTH = 'tools/synth.ts';
const VALIDATE = 'tools/validate.ts';
const SYNTH_OPTIONS = ['--check', '--env NAME', '--model FILE', '--help'];
const VALIDATE_OPTIONS = ['--model FILE', '--help'];

let root: string;

beforeAll(() => {
  root = copyRepository();
});

/**
 * Runs a script of the copy. The CDK's built-in template validation (CDK_VALIDATION, aws-cdk-lib 2.276.0
 * core/lib/private/synthesis-validation.ts) takes about two thirds of a synthesis and changes no
 * template; `pnpm synth:check` and the compliance tests run it on the shipped model, so it is off here.
 */
function run(script: string, args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', CDK_VALIDATION: 'false' },
  });
}

/** Every file of the copy's dist/, by path below it. */
function distFiles(): Map<string, string> {
  const dist = join(root, 'dist');
  return new Map(listFiles(dist).map((path) => [path, readFileSync(join(dist, path), 'utf8')]));
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

/** `n noun` with the noun's plural unless n is 1. */
function count(n: number, singular: string, plural: string): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

describe('help and the command line', () => {
  it.each([
    [SYNTH, [], 'pnpm synth', SYNTH_OPTIONS],
    [VALIDATE, [], 'pnpm validate', VALIDATE_OPTIONS],
  ])('%s %j --help prints the usage and writes nothing', (script, args, command, options) => {
    const before = distFiles();

    const result = run(script, [...args, '--help']);

    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: ${command} `));
    for (const option of options) expect(result.stdout).toContain(`  ${option}`);
    expect(result.stderr).toBe('');
    expect(distFiles()).toEqual(before);
    expect(existsSync(join(root, 'cdk.out'))).toBe(false);
  });

  // The parser's other refusals are tested in command-line.test.ts, in process.
  it.each([
    [SYNTH, ['--frobnicate'], "unknown option '--frobnicate'", SYNTH_OPTIONS],
    [SYNTH, ['--check', 'extra'], "unexpected argument 'extra'", SYNTH_OPTIONS],
    [VALIDATE, ['--bogus'], "unknown option '--bogus'", VALIDATE_OPTIONS],
  ])('%s %j is refused in one line naming it and what is allowed (exit 2)', (script, args, problem, options) => {
    const before = distFiles();

    const result = run(script, args);

    expect(result.status).toBe(2);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain(problem);
    expect(result.stderr).toContain(`allowed: ${options.join(', ')}`);
    expect(result.stdout).toBe('');
    expect(distFiles()).toEqual(before);
    expect(existsSync(join(root, 'cdk.out'))).toBe(false);
  });

  it('names the known environments when --env names none of them', () => {
    const known = loadModel(platformModelInput).environments.map((environment) => environment.name);
    const unknown = `${known.join('')}x`.slice(0, 63);

    const result = run(SYNTH, ['--env', unknown]);

    expect(result.status).toBe(1);
    expect(lines(result.stderr)).toEqual([
      `--env ${unknown}: the model has no such environment; known: ${known.join(', ')}`,
    ]);
    expect(existsSync(join(root, 'cdk.out'))).toBe(false);
  });
});

describe('one environment from a proposed model', () => {
  /**
   * The proposed model: the shipped one cut to its first environment (and that environment's
   * releases), which keeps the renders quick, with the organization renamed, a change both halves must
   * show: it prefixes AWS resource names and the environment's secret paths.
   */
  const proposed = structuredClone(platformModelInput) as typeof platformModelInput;
  proposed.environments = proposed.environments.slice(0, 1);
  const kept = proposed.environments.map((environment) => environment.name);
  proposed.releases = Object.fromEntries(
    Object.entries(proposed.releases ?? {}).filter(([name]) => kept.includes(name)),
  ) as typeof proposed.releases;
  proposed.organization.name = [...proposed.organization.name].map((char) => (char === 'q' ? 'z' : 'q')).join('');
  const model: PlatformModel = loadModel(proposed);
  const environment = model.environments[0].name;
  const ownTemplate = (path: string) =>
    /^cloudformation\/(.+)\.template\.json$/.exec(path)?.[1]?.startsWith(`${environment}-`) ?? false;
  const owned = (path: string) => path.startsWith(`${environment}/`) || ownTemplate(path);

  let modelFile: string;
  let before: Map<string, string>;
  let check: SpawnSyncReturns<string>;
  let synth: SpawnSyncReturns<string>;
  let after: Map<string, string>;

  beforeAll(() => {
    modelFile = join(root, 'proposed-model.json');
    writeFileSync(modelFile, JSON.stringify(proposed));
    // A file nothing renders in the environment's folder, and an edited template of a stack that is
    // not the environment's.
    writeFileSync(
      join(root, 'dist', environment, 'stale-object.yaml'),
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: stale\n',
    );
    const foreign = listFiles(join(root, 'dist')).find(
      (path) => path.startsWith('cloudformation/') && !ownTemplate(path),
    );
    if (!foreign) throw new Error('dist/cloudformation/ holds no template of another stack');
    writeFileSync(join(root, 'dist', foreign), `${readFileSync(join(root, 'dist', foreign), 'utf8')}\n`);

    before = distFiles();
    check = run(SYNTH, ['--check', '--env', environment, '--model', modelFile]);
    synth = run(SYNTH, ['--env', environment, '--model', modelFile]);
    after = distFiles();
  });

  it('synth:check fails, listing exactly the files the synth then adds, changes and removes', () => {
    const expected = [
      ...[...after.keys()].filter((path) => !before.has(path)).map((path) => `added:   dist/${path}`),
      ...[...after.keys()]
        .filter((path) => before.has(path) && before.get(path) !== after.get(path))
        .map((path) => `changed: dist/${path}`),
      ...[...before.keys()].filter((path) => !after.has(path)).map((path) => `removed: dist/${path}`),
    ].sort((a, b) => (a.slice(9) < b.slice(9) ? -1 : 1));

    expect(check.status).toBe(1);
    expect(expected).toContain(`removed: dist/${environment}/stale-object.yaml`);
    expect(expected.filter((line) => line.includes('dist/cloudformation/')).length).toBeGreaterThan(1);
    expect(lines(check.stderr).slice(1)).toEqual(expected.map((line) => `  ${line}`));
    expect(check.stdout).toBe('');
  });

  it('writes the environment and its stacks, and prints only its summary', () => {
    expect(synth.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('[Warning at /'))).toEqual([]);
    expect(synth.status).toBe(0);
    // The summary, after one line per stateful resource a removal keeps (statefulRemovalLines).
    const printed = lines(synth.stdout);
    expect(printed.filter((line) => !/ is (snapshotted|retained) on removal$/.test(line))).toHaveLength(1);
    expect(printed.filter((line) => / database .* is (snapshotted|retained) on removal$/.test(line)).length).toBe(
      printed.filter((line) => / secret .*\/postgres .* is retained on removal$/.test(line)).length,
    );
    expect(synth.stdout).toContain(`dist/${environment}/`);
  });

  it('renders both halves from the proposed model', () => {
    const mentions = (select: (path: string) => boolean) =>
      [...after].filter(([path, text]) => select(path) && text.includes(model.organization.name)).length;

    expect(mentions((path) => path.startsWith(`${environment}/`))).toBeGreaterThan(0);
    expect(mentions(ownTemplate)).toBeGreaterThan(0);
  });

  it('leaves every other file of dist/ as it was', () => {
    const others = (files: Map<string, string>) => [...files].filter(([path]) => !owned(path));

    expect(others(after)).toEqual(others(before));
  });

  it('counts in the right number', () => {
    const result = run(VALIDATE, ['--model', modelFile]);

    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      `The model is valid: ${count(model.environments.length, 'environment', 'environments')}, ${count(model.services.length, 'service', 'services')}, ${count(model.queues.length, 'queue', 'queues')}.\n`,
    );
  });
});
