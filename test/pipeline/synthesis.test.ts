import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadPlatformModel, type PlatformModel, platformModelInput, templatePath } from '@platform/model';
import fc from 'fast-check';
import { diffAgainstDirectory, isTemplatePath, listFiles } from '../../apps/cluster/src/dist-directory';
import { renderDist } from '../../apps/cluster/src/synthesize-dist';
import { validate } from '../../tools/validate';
import { runCommand, spawnScript } from '../support/command-run';
import { platformModelArbitrary } from '../support/model-arbitrary';
import { tempDir } from '../support/temp-dirs';

const ROOT = join(__dirname, '..', '..');

/**
 * The shipped model's manifests as committed in dist/: `pnpm test` runs `pnpm synth:check` before jest, which
 * proves they are what the code renders now, so they are read here rather than rendered again.
 */
const committed = new Map(
  listFiles(join(ROOT, 'dist'))
    .filter((path) => !isTemplatePath(path))
    .map((path) => [path, readFileSync(join(ROOT, 'dist', path), 'utf8')]),
);

/**
 * A small generated model (a fixed seed, the property suites' quick size: the first drawn with queues, a database
 * and calls between services, so that rendering runs each kind of object). A second rendering in the same process
 * shows state that one rendering leaves behind for the next (a counter, a cache, a mutated default), for which any
 * model that runs the code will do, and these hold for every valid model, not the shipped one only. That the shipped
 * model renders the same from run to run is shown by renderings in other processes: the committed dist/,
 * synth:check and the cdk8s entry point below.
 */
const generated: PlatformModel[] = fc
  .sample(platformModelArbitrary({ maxServices: 6, maxEnvironments: 2 }), { numRuns: 20, seed: 20261122 })
  .filter(
    (model) =>
      model.environments.length > 1 &&
      model.queues.length > 0 &&
      model.services.some((service) => service.dependencies.database) &&
      model.services.some((service) => service.dependencies.calls.length > 0),
  )
  .slice(0, 1);

/** What a describe below checks: a model, and its manifests as rendered now (or, for the shipped one, committed). */
interface Rendering {
  readonly model: () => PlatformModel;
  readonly render: () => Map<string, string>;
  /** Whether `render` renders, so that rendering twice shows determinism. */
  readonly renders: boolean;
}

const RENDERINGS: [string, Rendering][] = [
  ['the shipped model (committed dist/)', { model: loadPlatformModel, render: () => committed, renders: false }],
  ...generated.map((model, index): [string, Rendering] => [
    `generated model ${index + 1}`,
    { model: () => model, render: () => renderDist(model), renders: true },
  ]),
];

it('has a generated model to render', () => {
  expect(generated).toHaveLength(1);
});

describe.each(RENDERINGS)('rendering dist/ of %s', (_name, { model, render, renders }) => {
  let rendered: Map<string, string>;

  beforeAll(() => {
    rendered = render();
  });

  it('writes one folder per environment of the model', () => {
    const environments = new Set([...rendered.keys()].map((path) => path.split('/')[0]));
    expect([...environments].sort()).toEqual(
      model()
        .environments.map((environment) => environment.name)
        .sort(),
    );
  });

  it('uses stable, human names: no hash suffixes', () => {
    const names = [...rendered.values()].map((text) => /\n {2}name: (\S+)/.exec(text)?.[1] ?? '');
    expect(names.filter((name) => /-c8[0-9a-f]{6}$/.test(name))).toEqual([]);
    expect(names.filter((name) => name === '')).toEqual([]);
  });

  if (renders) {
    it('gives byte-identical files on a second run in the same process', () => {
      expect(render()).toEqual(rendered);
    });
  }
});

describe('the cdk8s entry point', () => {
  it('writes the rendered manifests into the folder cdk8s gives it, keeping the templates there', () => {
    const outdir = join(tempDir(), 'dist');
    const template = templatePath('some-stack');
    mkdirSync(dirname(join(outdir, template)), { recursive: true });
    writeFileSync(join(outdir, template), '{"Resources": {}}\n');

    const result = spawnScript(ROOT, 'apps/cluster/src/main.ts', [], { CDK8S_OUTDIR: outdir });

    expect(result.status).toBe(0);
    expect(diffAgainstDirectory(outdir, committed, (path) => !isTemplatePath(path))).toEqual([]);
    expect(listFiles(outdir).length).toBeGreaterThan(1);
    expect(readFileSync(join(outdir, template), 'utf8')).toBe('{"Resources": {}}\n');
  });
});

describe('validating a proposed model from the command line', () => {
  it('accepts the shipped model', async () => {
    const file = join(tempDir(), 'model.json');
    writeFileSync(file, JSON.stringify(platformModelInput));

    const result = await runCommand(() => validate(['--model', file]));

    const model = loadPlatformModel();
    const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      `The model is valid: ${count(model.environments.length, 'environment')}, ${count(model.services.length, 'service')}, ${count(model.queues.length, 'queue')}.\n`,
    );
  });

  // As a script: that a rejected model ends the process with its message, not a stack trace.
  it('exits non-zero with every problem located, and no stack trace', () => {
    const model = structuredClone(platformModelInput) as typeof platformModelInput;
    const [service] = model.services;
    const environment = model.environments[model.environments.length - 1];
    service.port = 0;
    environment.account = '42';
    const file = join(tempDir(), 'model.json');
    writeFileSync(file, JSON.stringify(model));

    const result = spawnScript(ROOT, 'tools/validate.ts', ['--model', file]);

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('The platform model is invalid (2 problems)');
    expect(result.stderr).toContain(`- services.${service.name}.port: port must be between 1 and 65535`);
    expect(result.stderr).toContain(
      `- environments.${environment.name}.account: AWS account id must be exactly 12 digits`,
    );
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('says where, when the file is not JSON', async () => {
    const file = join(tempDir(), 'model.json');
    writeFileSync(file, '{ not json');

    const result = await runCommand(() => validate(['--model', file]));

    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^${file}:1:3: .+\n$`));
  });
});

describe('package boundaries', () => {
  const importsOf = (dir: string) =>
    listFiles(join(ROOT, dir))
      .filter((path) => path.endsWith('.ts') && !path.startsWith('imports/'))
      .flatMap((path) =>
        [...readFileSync(join(ROOT, dir, path), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => `${path}: ${m[1]}`),
      );

  it('keeps the model free of either half', () => {
    expect(importsOf('packages/platform-model/src').filter((i) => /aws-cdk|cdk8s|@platform\//.test(i))).toEqual([]);
  });

  it('keeps the AWS constructs free of the Kubernetes half', () => {
    expect(importsOf('packages/aws-platform/src').filter((i) => /cdk8s|k8s-platform/.test(i))).toEqual([]);
  });

  it('keeps the Kubernetes constructs free of the AWS half', () => {
    expect(importsOf('packages/k8s-platform/src').filter((i) => /aws-cdk|aws-platform/.test(i))).toEqual([]);
  });

  it('reaches no private member of a library (`._name`): aws-cdk-lib and cdk8s change those without notice', () => {
    const sources = ['packages/platform-model/src', 'packages/aws-platform/src', 'packages/k8s-platform/src', 'apps'];
    const privateUses = sources.flatMap((dir) =>
      listFiles(join(ROOT, dir))
        .filter((path) => path.endsWith('.ts') && !path.startsWith('imports/'))
        .flatMap((path) =>
          readFileSync(join(ROOT, dir, path), 'utf8')
            .split('\n')
            .map((line, index) => ({ line, where: `${dir}/${path}:${index + 1}` }))
            .filter(({ line }) => /\._[A-Za-z]|\[['"`]_[A-Za-z]/.test(line))
            .map(({ line, where }) => `${where}: ${line.trim()}`),
        ),
    );
    expect(privateUses).toEqual([]);
  });
});
