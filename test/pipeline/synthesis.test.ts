import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadPlatformModel, platformModelInput, templatePath } from '@platform/model';
import { diffAgainstDirectory, isTemplatePath, listFiles } from '../../apps/cluster/src/dist-directory';
import { renderDist } from '../../apps/cluster/src/synthesize-dist';
import { tempDir } from '../support/temp-dirs';

const ROOT = join(__dirname, '..', '..');

function runTs(script: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
}

describe('rendering dist/', () => {
  const rendered = renderDist(loadPlatformModel());

  it('gives byte-identical files on a second run', () => {
    expect(renderDist(loadPlatformModel())).toEqual(rendered);
  });

  it('is what the committed dist/ holds', () => {
    expect(diffAgainstDirectory(join(ROOT, 'dist'), rendered, (path) => !isTemplatePath(path))).toEqual([]);
  });

  it('writes one folder per environment of the model', () => {
    const environments = new Set([...rendered.keys()].map((path) => path.split('/')[0]));
    expect([...environments].sort()).toEqual(
      loadPlatformModel()
        .environments.map((environment) => environment.name)
        .sort(),
    );
  });

  it('uses stable, human names: no hash suffixes', () => {
    const names = [...rendered.values()].map((text) => /\n {2}name: (\S+)/.exec(text)?.[1] ?? '');
    expect(names.filter((name) => /-c8[0-9a-f]{6}$/.test(name))).toEqual([]);
    expect(names.filter((name) => name === '')).toEqual([]);
  });
});

describe('the cdk8s entry point', () => {
  it('writes the rendered manifests into the folder cdk8s gives it, keeping the templates there', () => {
    const outdir = join(tempDir(), 'dist');
    const template = templatePath('some-stack');
    mkdirSync(dirname(join(outdir, template)), { recursive: true });
    writeFileSync(join(outdir, template), '{"Resources": {}}\n');

    const result = runTs('apps/cluster/src/main.ts', [], { CDK8S_OUTDIR: outdir });

    expect(result.status).toBe(0);
    expect(diffAgainstDirectory(outdir, renderDist(loadPlatformModel()), (path) => !isTemplatePath(path))).toEqual([]);
    expect(listFiles(outdir).length).toBeGreaterThan(1);
    expect(readFileSync(join(outdir, template), 'utf8')).toBe('{"Resources": {}}\n');
  });
});

describe('validating a proposed model from the command line', () => {
  it('accepts the shipped model', () => {
    const file = join(tempDir(), 'model.json');
    writeFileSync(file, JSON.stringify(platformModelInput));

    const result = runTs('tools/validate.ts', ['--model', file]);

    const model = loadPlatformModel();
    const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      `The model is valid: ${count(model.environments.length, 'environment')}, ${count(model.services.length, 'service')}, ${count(model.queues.length, 'queue')}.\n`,
    );
  });

  it('exits non-zero with every problem located, and no stack trace', () => {
    const model = structuredClone(platformModelInput) as typeof platformModelInput;
    const [service] = model.services;
    const environment = model.environments[model.environments.length - 1];
    service.port = 0;
    environment.account = '42';
    const file = join(tempDir(), 'model.json');
    writeFileSync(file, JSON.stringify(model));

    const result = runTs('tools/validate.ts', ['--model', file]);

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('The platform model is invalid (2 problems)');
    expect(result.stderr).toContain(`- services.${service.name}.port: port must be between 1 and 65535`);
    expect(result.stderr).toContain(
      `- environments.${environment.name}.account: AWS account id must be exactly 12 digits`,
    );
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('says where, when the file is not JSON', () => {
    const file = join(tempDir(), 'model.json');
    writeFileSync(file, '{ not json');

    const result = runTs('tools/validate.ts', ['--model', file]);

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
});
