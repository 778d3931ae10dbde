import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel, type PlatformModel, platformModelInput } from '@platform/model';
import { listFiles } from '../../apps/cluster/src/dist-directory';
import { type PlatformOutputs, type RenderOptions, renderPlatformOutputs } from '../../tools/platform-outputs';
import { SYNTH, synth } from '../../tools/synth';
import { VALIDATE, validate } from '../../tools/validate';
import { runCommand, spawnScript } from '../support/command-run';
import { copyRepository } from '../support/repo-copy';
import { STATEFUL_TYPE_NAMES } from '../support/stateful-types';
import { tempDir } from '../support/temp-dirs';

/**
 * `pnpm synth`, `pnpm synth:check` and `pnpm validate` on a copy of the repository, so that what they write (or
 * should not write) is the copy's. The commands run in this process, through the runEntryPoint their scripts call
 * (test/support/command-run.ts), except where only a child process shows it: that a script exits 2 with one stderr
 * line for a command line it refuses. That `synth --env` run as a script writes only its environment is shown by
 * promote-command.test.ts, whose `pnpm promote` spawns it; a syntax error in the model, by syntax-errors.test.ts.
 */

// The check and the write of one proposed model render it once: see 'one environment from a proposed model'.
jest.mock('../../tools/platform-outputs', () => {
  const actual = jest.requireActual('../../tools/platform-outputs');
  return { ...actual, renderPlatformOutputs: jest.fn(actual.renderPlatformOutputs) };
});
const render = jest.mocked(renderPlatformOutputs);
const realRender: typeof renderPlatformOutputs =
  jest.requireActual('../../tools/platform-outputs').renderPlatformOutputs;

const SYNTH_OPTIONS = ['--check', '--env NAME', '--model FILE', '--help'];
const VALIDATE_OPTIONS = ['--model FILE', '--help'];

let root: string;
let validation: string | undefined;

/**
 * The CDK's built-in template validation (CDK_VALIDATION, aws-cdk-lib 2.276.0
 * core/lib/private/synthesis-validation.ts) takes about two thirds of a synthesis and changes no
 * template; `pnpm synth:check` and the compliance tests run it on the shipped model, so it is off here.
 */
beforeAll(() => {
  root = copyRepository();
  validation = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false';
});

afterAll(() => {
  if (validation === undefined) delete process.env.CDK_VALIDATION;
  else process.env.CDK_VALIDATION = validation;
});

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

const COMMANDS = {
  'pnpm synth': (args: string[]) => synth(args, root),
  'pnpm validate': (args: string[]) => validate(args, root),
} as const;

describe('help and the command line', () => {
  it('tools/synth.ts, run as a script, refuses an unknown option in one stderr line with exit code 2', () => {
    const before = distFiles();

    const result = spawnScript(root, 'tools/synth.ts', ['--frobnicate']);

    expect(result.status).toBe(2);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain("unknown option '--frobnicate'");
    expect(result.stderr).toContain(`allowed: ${SYNTH_OPTIONS.join(', ')}`);
    expect(result.stdout).toBe('');
    expect(distFiles()).toEqual(before);
    expect(existsSync(join(root, 'cdk.out'))).toBe(false);
  });

  it.each([
    ['pnpm synth', SYNTH, SYNTH_OPTIONS],
    ['pnpm validate', VALIDATE, VALIDATE_OPTIONS],
  ] as const)('%s --help prints the usage and writes nothing', async (command, spec, options) => {
    const before = distFiles();

    const result = await runCommand(() => COMMANDS[command](['--help']));

    expect(spec.command).toBe(command);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: ${command} `));
    for (const option of options) expect(result.stdout).toContain(`  ${option}`);
    expect(result.stderr).toBe('');
    expect(distFiles()).toEqual(before);
    expect(existsSync(join(root, 'cdk.out'))).toBe(false);
  });

  // The parser's other refusals are tested in command-line.test.ts.
  it.each([
    ['pnpm synth', ['--check', 'extra'], "unexpected argument 'extra'", SYNTH_OPTIONS],
    ['pnpm validate', ['--bogus'], "unknown option '--bogus'", VALIDATE_OPTIONS],
  ] as const)(
    '%s %j is refused in one line naming it and what is allowed (exit 2)',
    async (command, args, problem, options) => {
      const before = distFiles();

      const result = await runCommand(() => COMMANDS[command]([...args]));

      expect(result.status).toBe(2);
      expect(lines(result.stderr)).toHaveLength(1);
      expect(result.stderr).toContain(problem);
      expect(result.stderr).toContain(`allowed: ${options.join(', ')}`);
      expect(result.stdout).toBe('');
      expect(distFiles()).toEqual(before);
      expect(existsSync(join(root, 'cdk.out'))).toBe(false);
    },
  );

  it('names the known environments when --env names none of them', async () => {
    const known = loadModel(platformModelInput).environments.map((environment) => environment.name);
    const unknown = `${known.join('')}x`.slice(0, 63);

    const result = await runCommand(() => synth(['--env', unknown], root));

    expect(result.status).toBe(1);
    expect(lines(result.stderr)).toEqual([
      `--env ${unknown}: the model has no such environment; known: ${known.join(', ')}`,
    ]);
    expect(existsSync(join(root, 'cdk.out'))).toBe(false);
    expect(render).not.toHaveBeenCalled();
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
  let check: Awaited<ReturnType<typeof runCommand>>;
  let written: Awaited<ReturnType<typeof runCommand>>;
  let after: Map<string, string>;
  const renders: { model: PlatformModel; options: RenderOptions }[] = [];

  beforeAll(async () => {
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

    // The check renders; the write that follows gets the same outputs and cloud assembly instead of a second
    // rendering of the same model (rendering is deterministic: synthesis.test.ts, template-determinism.test.ts).
    // The first test below holds both runs to the same model and environment.
    const assembly = tempDir('platform-assembly-');
    let rendered: PlatformOutputs | undefined;
    render.mockImplementation((renderedModel, options) => {
      renders.push({ model: renderedModel, options });
      if (!rendered) {
        rendered = realRender(renderedModel, options);
        cpSync(options.cloudOutdir, assembly, { recursive: true });
      } else {
        cpSync(assembly, options.cloudOutdir, { recursive: true });
      }
      return rendered;
    });

    before = distFiles();
    check = await runCommand(() => synth(['--check', '--env', environment, '--model', modelFile], root));
    written = await runCommand(() => synth(['--env', environment, '--model', modelFile], root));
    after = distFiles();
  });

  afterAll(() => render.mockReset());

  it('the check and the write render the proposed model for the environment', () => {
    const parameters = ({ model: rendered, options }: (typeof renders)[number]) => ({
      model: rendered,
      root: options.root,
      environment: options.environment,
    });
    expect(renders.map(parameters)).toEqual([
      { model, root, environment },
      { model, root, environment },
    ]);
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
    expect(written.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('[Warning at /'))).toEqual([]);
    expect(written.status).toBe(0);
    // The summary, after one line per stateful resource that left the environment's templates, and one per
    // stateful resource that stays under a new name (the organization's), which CloudFormation replaces.
    const NAMES = STATEFUL_TYPE_NAMES;
    const stateful = (files: Map<string, string>) =>
      new Map(
        [...files]
          .filter(([path]) => ownTemplate(path))
          .flatMap(([path, text]) =>
            Object.entries(
              JSON.parse(text).Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>,
            )
              .filter(([, resource]) => resource.Type in NAMES)
              .map(([id, resource]) => {
                const property = NAMES[resource.Type];
                return [`${path} ${id}`, property && JSON.stringify(resource.Properties?.[property])] as const;
              }),
          ),
      );
    const kept = stateful(after);
    const committed = stateful(before);
    const removed = [...committed.keys()].filter((id) => !kept.has(id));
    const renamed = [...committed].filter(([id, name]) => kept.has(id) && name && kept.get(id) !== name);
    expect(renamed.length).toBeGreaterThan(0);
    const printed = lines(written.stdout);
    expect(printed).toHaveLength(1 + removed.length + renamed.length);
    for (const id of removed)
      expect(printed).toContainEqual(expect.stringContaining(`(${id.split(' ')[1]}) leaves the model`));
    for (const [id] of renamed)
      expect(printed).toContainEqual(
        expect.stringMatching(new RegExp(`[ (]${id.split(' ')[1]}\\)? is replaced by the next deploy`)),
      );
    expect(written.stdout).toContain(`dist/${environment}/`);
    expect(existsSync(join(root, 'cdk.out', 'manifest.json'))).toBe(true);
  });

  it('renders both halves from the proposed model', () => {
    const mentions = (select: (path: string) => boolean) =>
      [...after].filter(([path, text]) => select(path) && text.includes(model.organization.name)).length;

    expect(mentions((path) => path.startsWith(`${environment}/`))).toBeGreaterThan(0);
    expect(mentions(ownTemplate)).toBeGreaterThan(0);
  });

  it('rewrites every stack of the environment, its services’ and queues’ included', () => {
    // Every stack of the environment names its resources after the organization, which the proposed model renamed.
    const stale = [...after]
      .filter(([path, text]) => ownTemplate(path) && !text.includes(model.organization.name))
      .map(([path]) => path);
    expect(stale).toEqual([]);
    const stacks = [...after.keys()].filter(ownTemplate);
    for (const kind of ['service', 'queue'] as const) {
      const catalog = kind === 'service' ? model.services : model.queues;
      expect(stacks.filter((path) => path.startsWith(`cloudformation/${environment}-${kind}-`))).toHaveLength(
        catalog.length,
      );
    }
  });

  it('leaves every other file of dist/ as it was', () => {
    const others = (files: Map<string, string>) => [...files].filter(([path]) => !owned(path));

    expect(others(after)).toEqual(others(before));
  });

  it('counts in the right number', async () => {
    const result = await runCommand(() => validate(['--model', modelFile], root));

    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      `The model is valid: ${count(model.environments.length, 'environment', 'environments')}, ${count(model.services.length, 'service', 'services')}, ${count(model.queues.length, 'queue', 'queues')}.\n`,
    );
  });
});
