import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel, loadPlatformModel, type PlatformModel, platformModelInput } from '@platform/model';
import { cdkCliSettings } from '../../apps/cloud/src/cdk-cli-context';
import { type ChangeContext, EVERYDAY_CHANGES, type ModelInput, nextTag } from '../../tools/everyday-changes/changes';
import { DataFileEdit, literal } from '../../tools/everyday-changes/data-file-edit';
import type { RepositoryCopy } from '../../tools/everyday-changes/repository-copy';
import { tempDir } from '../support/temp-dirs';

/**
 * The scripted edits of `pnpm test:changes` (tools/everyday-changes/), applied to the data files as they are: each
 * gives a model the validator accepts, in the layout the lint step wants, with the change it names. (The whole
 * check, with `pnpm synth` and `pnpm test` in a copy, takes minutes: `pnpm test:changes`.)
 */

const ROOT = join(__dirname, '..', '..');
const DATA = join('packages', 'platform-model', 'src', 'data');
const model = loadPlatformModel();

/**
 * A folder with the data files, cdk.json and the formatter's configuration (of this repository, or of another
 * copy), in a Git repository of its own. Each read of the model needs a folder of its own: jest's runtime keeps a
 * file's text once read.
 */
function dataCopy(from = ROOT): RepositoryCopy {
  const root = tempDir('platform-everyday-');
  mkdirSync(join(root, DATA), { recursive: true });
  cpSync(join(from, DATA), join(root, DATA), { recursive: true });
  for (const file of ['cdk.json', 'biome.json', '.gitignore']) cpSync(join(from, file), join(root, file));
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
  spawnSync('git', ['init', '--quiet'], { cwd: root });
  const run = (command: string, args: readonly string[]) => {
    const result = spawnSync(command, args, { cwd: root, encoding: 'utf8' });
    return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`, seconds: 0 };
  };
  return { root, run } as unknown as RepositoryCopy;
}

/** The model the copy's data files hold now, as `platformModelInput` (the files are loaded afresh). */
function writtenModel(root: string): unknown {
  let input: unknown;
  jest.isolateModules(() => {
    input = require(join(root, DATA, 'index.ts')).platformModelInput;
  });
  return input;
}

const lint = (copy: RepositoryCopy) =>
  copy.run(join('node_modules', '.bin', 'biome'), ['check', join(DATA), 'cdk.json']);

/** What each change must have done to the model, besides keeping it valid. */
const EXPECTED: Record<string, (before: PlatformModel, after: PlatformModel) => void> = {
  tag: (before, after) => {
    expect(after.services[0].image.tag).toBe(nextTag(before.services[0].image.tag));
    expect(after.services.slice(1)).toEqual(before.services.slice(1));
  },
  replicas: (before, after) => {
    const { min, max } = before.services[0].replicas;
    expect(after.services[0].replicas).toEqual({ min: min + 1, max: max + 2 });
  },
  service: (before, after) => {
    const added = after.services.at(-1);
    expect(after.services).toHaveLength(before.services.length + 1);
    expect(added?.dependencies).toMatchObject({ calls: [before.services[0].name], database: true });
    expect(before.teams.map((team) => team.name)).not.toContain(added?.team);
    expect(after.teams.map((team) => team.name)).toContain(added?.team);
  },
  environment: (before, after) => {
    const added = after.environments.at(-1);
    expect(after.environments).toHaveLength(before.environments.length + 1);
    expect(before.environments.map((environment) => environment.region)).not.toContain(added?.region);
    expect(before.environments.map((environment) => environment.account)).not.toContain(added?.account);
  },
  remove: (before, after) => {
    const removed = before.services.find((service) => !after.services.some((s) => s.name === service.name));
    expect(after.services).toHaveLength(before.services.length - 1);
    for (const service of after.services) expect(service.dependencies.calls).not.toContain(removed?.name);
    for (const releases of Object.values(after.releases ?? {}))
      expect(Object.keys(releases)).not.toContain(removed?.name);
  },
};

describe('the scripted everyday changes', () => {
  it('cover every change but the promotion, which runs `pnpm promote` itself', () => {
    expect(EVERYDAY_CHANGES.map((change) => change.id).filter((id) => !(id in EXPECTED))).toEqual(['promote']);
  });

  it.each(Object.keys(EXPECTED))('%s: a valid model, formatted, with the change', (id) => {
    const change = EVERYDAY_CHANGES.find((candidate) => candidate.id === id);
    if (!change) throw new Error(id);
    const copy = dataCopy();
    const context: ChangeContext = { copy, input: platformModelInput as unknown as ModelInput, model };
    expect(change.apply(context)).toMatch(/\S/);
    const after = loadModel(writtenModel(copy.root), cdkCliSettings(copy.root).context);
    EXPECTED[id](model, after);
    const checked = lint(copy);
    expect({ lint: checked.ok, output: checked.ok ? '' : checked.output }).toEqual({ lint: true, output: '' });
  });
});

describe('a change applied to a model it already changed', () => {
  // `pnpm test:changes` runs the whole test command in each copy, so every change also meets a model that holds
  // its own earlier result: an added environment `eu` in eu-west-1 must not turn the next one's region into `eu2-…`.
  it.each(Object.keys(EXPECTED))('%s twice: still a valid model with the change', (id) => {
    const change = EVERYDAY_CHANGES.find((candidate) => candidate.id === id);
    if (!change) throw new Error(id);
    const first = dataCopy();
    change.apply({ copy: first, input: platformModelInput as unknown as ModelInput, model });
    const input = writtenModel(first.root) as ModelInput;
    const once = loadModel(input, cdkCliSettings(first.root).context);
    const second = dataCopy(first.root);
    expect(change.apply({ copy: second, input, model: once })).toMatch(/\S/);
    EXPECTED[id](once, loadModel(writtenModel(second.root), cdkCliSettings(second.root).context));
  });
});

describe('the data file edits', () => {
  const source = [
    'const shared = { min: 1, max: 2 };',
    'const base = { port: 8080 };',
    'export const services = [',
    "  { name: 'a', ...base, replicas: shared, image: { tag: '1.0.0' } },",
    "  { name: 'b', replicas: { min: 3, max: 4 }, image: { tag: '2.0.0' } },",
    '];',
    '',
  ].join('\n');
  const file = () => {
    const path = join(tempDir('platform-edit-'), 'services.ts');
    writeFileSync(path, source);
    return path;
  };
  const current = { a: { name: 'a', port: 8080, replicas: { min: 1, max: 2 }, image: { tag: '1.0.0' } } };

  it('replace a field written in place, leaving the rest of the text as it was', () => {
    const path = file();
    new DataFileEdit(path).setField('services', 'b', ['image', 'tag'], '2.0.1', {}).write();
    expect(readFileSync(path, 'utf8')).toBe(source.replace("'2.0.0'", "'2.0.1'"));
  });

  it('write out a field that comes from a shared constant, whole, instead of changing the constant', () => {
    const path = file();
    new DataFileEdit(path).setField('services', 'a', ['replicas', 'max'], 5, current.a).write();
    expect(readFileSync(path, 'utf8')).toContain("{ name: 'a', ...base, replicas: { min: 1, max: 5 },");
    expect(readFileSync(path, 'utf8')).toContain('const shared = { min: 1, max: 2 };');
  });

  it('add a field that comes from a spread after it, so it wins', () => {
    const path = file();
    new DataFileEdit(path).setField('services', 'a', ['port'], 9000, current.a).write();
    expect(readFileSync(path, 'utf8')).toContain("image: { tag: '1.0.0' }, port: 9000 },");
  });

  it('append, remove the first and remove the last entry', () => {
    const appended = file();
    new DataFileEdit(appended).appendEntry('services', { name: 'c', note: "it's" }).write();
    expect(readFileSync(appended, 'utf8')).toContain(",\n{ name: 'c', note: 'it\\'s' },\n];");
    for (const [name, remaining] of [
      ['a', ['b']],
      ['b', ['a']],
    ] as const) {
      const path = file();
      new DataFileEdit(path).removeEntry('services', name).write();
      expect(new DataFileEdit(path).entryNames('services')).toEqual(remaining);
    }
  });

  it('refuse a list or an entry the file does not write as a literal, naming it', () => {
    expect(() => new DataFileEdit(file()).removeEntry('services', 'z')).toThrow(/no entry named 'z'/);
    expect(() => new DataFileEdit(file()).appendEntry('teams', {})).toThrow(/no list 'teams'/);
  });

  it('write values as TypeScript literals, and count a tag up', () => {
    expect(literal({ a: 1, 'b-c': ['x', true, null] })).toBe("{ a: 1, 'b-c': ['x', true, null] }");
    expect([nextTag('1.4.2'), nextTag('v9'), nextTag('rc'), nextTag('1.0-beta.3')]).toEqual([
      '1.4.3',
      'v10',
      'rc-1',
      '1.0-beta.4',
    ]);
    // A pinned tag's digest names the old image: the next tag has none.
    expect(nextTag(`1.4.2@sha256:${'a'.repeat(64)}`)).toBe('1.4.3');
  });
});
