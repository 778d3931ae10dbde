import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  imageRepositoryStackId,
  imageUri,
  loadPlatformModel,
  type PlatformModel,
  servicesIn,
  templatePath,
} from '@platform/model';
import { release } from '../../tools/release';
import { type CommandResult, runCommand, spawnScript } from '../support/command-run';
import { changedBetween, RELEASES, releaseOutputs } from '../support/release-outputs';
import { copyRepository } from '../support/repo-copy';

/**
 * `pnpm release` as the service image workflow runs it, in a copy of the repository: it writes the pushed digest
 * into one environment's release and synthesizes; only releases.json, that environment's dist/ files and the
 * service's image repository template (the registry keeps the images a model references) change. A reference the model refuses
 * is reported with its place, and nothing is written.
 */

const model = loadPlatformModel();
const [environment] = model.environments;
const [service] = model.services;
/** A digest no environment runs: 64 hex digits. */
const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
/** What the service image workflow releases: a release tag no environment runs, pinned to the digest CI pushed. */
const TAG = '9.9.9';
const PINNED = `${TAG}@${DIGEST}`;

let root: string;

beforeAll(() => {
  root = copyRepository();
});

// CDK_VALIDATION: see synth-command.test.ts.
const run = (args: string[]): CommandResult => spawnScript(root, 'tools/release.ts', args, { CDK_VALIDATION: 'false' });

const outputs = () => releaseOutputs(root);

describe('pnpm release', () => {
  it('refuses a command line without --image, and writes nothing', () => {
    const before = outputs();
    const result = run([service.name, '--env', environment.name]);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(changedBetween(before, outputs())).toEqual([]);
  });

  it('refuses an unknown environment, naming the known ones, and writes nothing', async () => {
    const before = outputs();
    const result = await runCommand(() => release([service.name, '--env', 'no-such-env', '--image', PINNED], root));
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      `--env: unknown environment 'no-such-env'; known: ${model.environments.map((e) => e.name).join(', ')}`,
    );
    expect(changedBetween(before, outputs())).toEqual([]);
  });

  it('refuses a build tag with the place and the rule, and writes nothing', async () => {
    const before = outputs();
    const tag = `${model.organization.images.buildTagPrefix}0a1b2c3`;
    const result = await runCommand(() => release([service.name, '--env', environment.name, '--image', tag], root));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`releases.${environment.name}.${service.name}.image.tag: '${tag}' starts with`);
    expect(changedBetween(before, outputs())).toEqual([]);
  });

  it('refuses a bare digest, which ECR could not keep, with the place and the allowed forms, and writes nothing', async () => {
    const before = outputs();
    const result = await runCommand(() => release([service.name, '--env', environment.name, '--image', DIGEST], root));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `releases.${environment.name}.${service.name}.image.tag: '${DIGEST}' is a bare digest`,
    );
    expect(result.stderr).toMatch(
      /allowed: a tag .* or a tag pinned to its digest \('1\.4\.2@sha256:' and 64 hex digits\)/,
    );
    expect(changedBetween(before, outputs())).toEqual([]);
  });

  it("changes only releases.json, the environment's dist/ files and the released service's repository template", () => {
    const before = outputs();

    const result = run([service.name, '--env', environment.name, '--image', PINNED]);

    expect(result.status).toBe(0);
    const changed = changedBetween(before, outputs());
    const allowed = [RELEASES, join('dist', templatePath(imageRepositoryStackId(service.name)))];
    expect(changed).toContain(RELEASES);
    expect(
      changed.filter((path) => !allowed.includes(path) && !path.startsWith(join('dist', environment.name, ''))),
    ).toEqual([]);
    const released: PlatformModel = { ...model, releases: JSON.parse(readFileSync(join(root, RELEASES), 'utf8')) };
    const runs = servicesIn(released, environment.name).find((entry) => entry.name === service.name);
    expect(runs?.image.tag).toBe(PINNED);
    // The environment's workload names the image by tag and digest, `<repository>:<tag>@sha256:…`.
    const reference = imageUri(model.organization, { ...service, image: { tag: PINNED } });
    expect(reference.endsWith(`/${model.organization.name}/${service.name}:${TAG}@${DIGEST}`)).toBe(true);
    expect(changed.some((path) => readFileSync(join(root, path), 'utf8').includes(reference))).toBe(true);
    // The registry keeps the released image by its tag.
    const repository = readFileSync(join(root, 'dist', templatePath(imageRepositoryStackId(service.name))), 'utf8');
    expect(repository).toContain(`Keep ${TAG}: an environment's model references it`);
    // Every other environment runs what it ran.
    for (const other of model.environments.filter((entry) => entry.name !== environment.name)) {
      expect(servicesIn(released, other.name)).toEqual(servicesIn(model, other.name));
    }
  });
});
