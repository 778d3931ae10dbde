import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DistCheckError,
  diffAgainstDirectory,
  listFiles,
  replaceDistDirectory,
} from '../../apps/cluster/src/dist-directory';
import { tempDir } from '../support/temp-dirs';

const namespace = (name: string) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`;

function existingDist(): string {
  const dist = join(tempDir(), 'dist');
  mkdirSync(join(dist, 'dev', 'old'), { recursive: true });
  writeFileSync(join(dist, 'dev', 'old', 'namespace-old.yaml'), namespace('old'));
  return dist;
}

function snapshotOf(dist: string): Record<string, string> {
  return Object.fromEntries(listFiles(dist).map((path) => [path, readFileSync(join(dist, path), 'utf8')]));
}

describe('replacing dist/', () => {
  it('writes the new files and removes the files of objects that are gone', () => {
    const dist = existingDist();

    replaceDistDirectory(dist, new Map([['dev/namespaces/namespace-a.yaml', namespace('a')]]));

    expect(snapshotOf(dist)).toEqual({ 'dev/namespaces/namespace-a.yaml': namespace('a') });
  });

  it('creates dist/ when there is none yet, and leaves no staging directory behind', () => {
    const parent = tempDir();
    const dist = join(parent, 'dist');

    replaceDistDirectory(dist, new Map([['prod/namespace-a.yaml', namespace('a')]]));

    expect(listFiles(dist)).toEqual(['prod/namespace-a.yaml']);
    expect(listFiles(parent)).toEqual(['dist/prod/namespace-a.yaml']);
  });

  const broken: Array<[string, string, RegExp]> = [
    ['YAML that does not parse', 'kind: [Namespace\n', /YAML does not parse/],
    ['two documents in one file', `${namespace('a')}---\n${namespace('b')}`, /exactly one YAML document/],
    ['an object without kind', 'apiVersion: v1\nmetadata:\n  name: a\n', /missing kind/],
    ['an object without apiVersion', 'kind: Namespace\nmetadata:\n  name: a\n', /missing apiVersion/],
    ['an object without metadata.name', 'apiVersion: v1\nkind: Namespace\nmetadata: {}\n', /missing metadata\.name/],
    [
      'a Secret',
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: a\nstringData:\n  password: x\n',
      /Secret would put a secret value into Git/,
    ],
  ];

  it.each(broken)('refuses %s and leaves dist/ byte-identical', (_what, text, problem) => {
    const dist = existingDist();
    const before = snapshotOf(dist);

    const attempt = () =>
      replaceDistDirectory(
        dist,
        new Map([
          ['dev/namespaces/namespace-ok.yaml', namespace('ok')],
          ['dev/namespaces/broken.yaml', text],
        ]),
      );

    expect(attempt).toThrow(DistCheckError);
    expect(attempt).toThrow(problem);
    expect(snapshotOf(dist)).toEqual(before);
    expect(listFiles(join(dist, '..'))).toEqual(['dist/dev/old/namespace-old.yaml']);
  });

  it('refuses the same kind/namespace/name twice in one environment, but allows it across environments', () => {
    const dist = existingDist();
    const twice = new Map([
      ['dev/a/namespace-x.yaml', namespace('x')],
      ['dev/b/namespace-x.yaml', namespace('x')],
    ]);
    expect(() => replaceDistDirectory(dist, twice)).toThrow(
      /dev\/b\/namespace-x.yaml: duplicates dev\/a\/namespace-x.yaml/,
    );

    const acrossEnvironments = new Map([
      ['dev/a/namespace-x.yaml', namespace('x')],
      ['prod/a/namespace-x.yaml', namespace('x')],
    ]);
    replaceDistDirectory(dist, acrossEnvironments);
    expect(existsSync(join(dist, 'prod', 'a', 'namespace-x.yaml'))).toBe(true);
  });
});

describe('comparing rendered files with dist/', () => {
  it('lists added, changed and removed files', () => {
    const dist = existingDist();
    writeFileSync(join(dist, 'dev', 'old', 'namespace-same.yaml'), namespace('same'));
    writeFileSync(join(dist, 'dev', 'old', 'namespace-edited.yaml'), namespace('before'));

    const differences = diffAgainstDirectory(
      dist,
      new Map([
        ['dev/old/namespace-same.yaml', namespace('same')],
        ['dev/old/namespace-edited.yaml', namespace('after')],
        ['dev/new/namespace-new.yaml', namespace('new')],
      ]),
    );

    expect(differences).toEqual([
      'added:   dist/dev/new/namespace-new.yaml',
      'changed: dist/dev/old/namespace-edited.yaml',
      'removed: dist/dev/old/namespace-old.yaml',
    ]);
  });

  it('treats a missing dist/ as empty', () => {
    expect(diffAgainstDirectory(join(tempDir(), 'absent'), new Map([['dev/a.yaml', 'x']]))).toEqual([
      'added:   dist/dev/a.yaml',
    ]);
  });
});

describe('the CloudFormation templates in dist/', () => {
  const template = '{\n "Resources": {\n  "Queue": {\n   "Type": "AWS::SQS::Queue"\n  }\n }\n}';

  it('are checked as templates, not as manifests, and change together with the manifests', () => {
    const dist = existingDist();

    replaceDistDirectory(
      dist,
      new Map([
        ['dev/namespaces/namespace-a.yaml', namespace('a')],
        ['cloudformation/dev-network.template.json', template],
      ]),
    );

    expect(snapshotOf(dist)).toEqual({
      'cloudformation/dev-network.template.json': template,
      'dev/namespaces/namespace-a.yaml': namespace('a'),
    });
  });

  const broken: Array<[string, string, string, RegExp]> = [
    ['JSON that does not parse', 'cloudformation/dev-network.template.json', '{ "Resources": ', /JSON does not parse/],
    ['a template without Resources', 'cloudformation/dev-network.template.json', '{}', /needs a Resources object/],
    ['a file not named <stack>.template.json', 'cloudformation/dev-network.json', template, /holds only/],
    ['a nested file', 'cloudformation/dev/network.template.json', template, /holds only/],
  ];

  it.each(broken)('refuses %s and leaves dist/ as it was', (_what, path, text, problem) => {
    const dist = existingDist();
    const before = snapshotOf(dist);

    expect(() => replaceDistDirectory(dist, new Map([[path, text]]))).toThrow(problem);
    expect(snapshotOf(dist)).toEqual(before);
  });

  it('keeps the files the caller names when it renders only part of dist/, and drops the others', () => {
    const dist = existingDist();
    writeFileSync(join(dist, 'dev', 'old', 'namespace-kept.yaml'), namespace('kept'));
    mkdirSync(join(dist, 'cloudformation'));
    writeFileSync(join(dist, 'cloudformation', 'prod-network.template.json'), template);

    replaceDistDirectory(dist, new Map([['dev/old/namespace-old.yaml', namespace('new')]]), {
      keep: (path) => path.startsWith('cloudformation/'),
    });

    expect(snapshotOf(dist)).toEqual({
      'cloudformation/prod-network.template.json': template,
      'dev/old/namespace-old.yaml': namespace('new'),
    });
  });

  it('are compared, and only the files the rendering owns can be missing', () => {
    const dist = existingDist();
    mkdirSync(join(dist, 'cloudformation'));
    writeFileSync(join(dist, 'cloudformation', 'dev-network.template.json'), template);
    writeFileSync(join(dist, 'cloudformation', 'prod-network.template.json'), template);

    const differences = diffAgainstDirectory(
      dist,
      new Map([['cloudformation/dev-network.template.json', `${template}\n`]]),
      (path) => path.startsWith('cloudformation/dev-'),
    );

    expect(differences).toEqual(['changed: dist/cloudformation/dev-network.template.json']);
  });
});
