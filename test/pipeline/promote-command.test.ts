import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlatformModel, type PlatformModel, releasesFileText, servicesIn } from '@platform/model';
import { promote } from '../../tools/promote';
import { type CommandResult, runCommand, spawnScript } from '../support/command-run';
import { changedBetween, RELEASES, releaseOutputs } from '../support/release-outputs';
import { copyRepository } from '../support/repo-copy';

/**
 * `pnpm promote` as a user runs it, in a copy of the repository: it rewrites one entry of releases.json and
 * synthesizes, and only the target environment's outputs change. The promotion runs the script, which spawns
 * `tools/synth.ts --env` (so this is also the test that synth, run as a script, writes only that environment),
 * and one refusal, which shows that the script reports through runEntryPoint; the other runs of the command are in
 * this process (test/support/command-run.ts).
 */

const model = loadPlatformModel();
const [from, to] = [model.environments.at(-2)?.name ?? '', model.environments.at(-1)?.name ?? ''];
const [service] = model.services;

let root: string;

beforeAll(() => {
  root = copyRepository();
});

// CDK_VALIDATION: see synth-command.test.ts.
const run = (args: string[]): CommandResult => spawnScript(root, 'tools/promote.ts', args, { CDK_VALIDATION: 'false' });

const outputs = () => releaseOutputs(root);

describe('pnpm promote', () => {
  it('needs at least two environments and a service in the shipped model to be exercised', () => {
    expect(model.environments.length).toBeGreaterThanOrEqual(2);
    expect(service).toBeDefined();
  });

  it('refuses a command line without --to, and writes nothing', () => {
    const before = outputs();
    const result = run([service.name, '--from', from]);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(changedBetween(before, outputs())).toEqual([]);
  });

  it('refuses an unknown environment, naming the known ones, and writes nothing', async () => {
    const before = outputs();
    const result = await runCommand(() => promote([service.name, '--from', from, '--to', 'no-such-env'], root));
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      `--to: unknown environment 'no-such-env'; known: ${model.environments.map((e) => e.name).join(', ')}`,
    );
    expect(changedBetween(before, outputs())).toEqual([]);
  });

  it(`changes only releases.json and the target environment's dist/ files`, async () => {
    // The source environment runs a tag no environment has yet: written as a user would, before promoting.
    const tags = new Set(
      model.environments.map((e) => servicesIn(model, e.name).find((s) => s.name === service.name)?.image.tag),
    );
    // A release tag (the model's first pattern written out) that no environment runs yet.
    const [pattern] = model.organization.images.releaseTagPatterns;
    let tag = pattern.replaceAll('*', '91');
    for (let n = 92; tags.has(tag); n++) tag = pattern.replaceAll('*', String(n));
    const releases = structuredClone(model.releases ?? {});
    releases[from] = { ...releases[from], [service.name]: { ...releases[from]?.[service.name], image: { tag } } };
    writeFileSync(join(root, RELEASES), releasesFileText(releases));
    const before = outputs();

    const result = run([service.name, '--from', from, '--to', to]);

    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const changed = changedBetween(before, outputs());
    expect(changed).toContain(RELEASES);
    expect(changed.filter((path) => path !== RELEASES && !path.startsWith(join('dist', to, '')))).toEqual([]);
    const promoted: PlatformModel = { ...model, releases: JSON.parse(readFileSync(join(root, RELEASES), 'utf8')) };
    expect(servicesIn(promoted, to).find((s) => s.name === service.name)?.image.tag).toBe(tag);
    expect(changed.some((path) => readFileSync(join(root, path), 'utf8').includes(`:${tag}`))).toBe(true);

    // Again, in this process: the copy's command, which loads the copy's model, releases.json as now written.
    let promoteInCopy: typeof promote = () => Promise.reject(new Error('not loaded'));
    jest.isolateModules(() => {
      promoteInCopy = require(join(root, 'tools', 'promote.ts')).promote;
    });
    const again = await runCommand(() => promoteInCopy([service.name, '--from', from, '--to', to]));
    expect(again.status).toBe(0);
    expect(again.stdout.trim()).toBe(`${to} already runs ${service.name} ${tag}; nothing to promote`);
  });
});
