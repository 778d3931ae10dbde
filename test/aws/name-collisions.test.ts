import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nameCollisionLines, type TemplateHistory } from '../../apps/cloud/src/name-collisions';
import { gitTemplateHistory } from '../../tools/template-history';
import { tempDir } from '../support/temp-dirs';
import { committedTemplates } from './cloud-assembly';

/**
 * A stateful resource that a template adds can meet one of the same name that the account still holds: CloudFormation
 * creates it, AWS answers "already exists", and the deploy fails. `pnpm synth` names the cases it can tell from the
 * committed templates and their Git history: a resource that returns after its removal kept it (DeletionPolicy
 * Retain), a resource that takes the name of one leaving under another logical ID, and a log group that EKS or RDS
 * created on its own for a resource the committed template already had.
 */
type Resource = { Type: string; DeletionPolicy?: string; Properties: Record<string, unknown> };
type Template = { Resources: Record<string, Resource> };

const templates = new Map(
  committedTemplates().map(([stack, template]) => [`cloudformation/${stack}.template.json`, template as Template]),
);
const texts = (map: ReadonlyMap<string, Template>) =>
  new Map([...map].map(([path, template]) => [path, JSON.stringify(template)]));
const noHistory: TemplateHistory = () => [];
const pathsWith = (type: string) =>
  [...templates].filter(([, template]) => Object.values(template.Resources).some((r) => r.Type === type));

/** `before` is the committed templates with one template edited; `after` is the committed templates. */
function linesFrom(path: string, edit: (resources: Record<string, Resource>) => void, history = noHistory) {
  const before = structuredClone(templates.get(path) as Template);
  edit(before.Resources);
  return nameCollisionLines(texts(new Map([...templates, [path, before]])), texts(templates), history);
}

test('templates that add nothing give no line', () => {
  expect(nameCollisionLines(texts(templates), texts(templates), noHistory)).toEqual([]);
});

describe.each(pathsWith('AWS::EKS::Cluster').map(([path]) => [path]))('%s', (path) => {
  const resources = (templates.get(path) as Template).Resources;
  const [clusterId, cluster] = Object.entries(resources).find(([, r]) => r.Type === 'AWS::EKS::Cluster') as [
    string,
    Resource,
  ];
  const logGroupName = `/aws/eks/${cluster.Properties.Name}/cluster`;
  const [groupId] = Object.entries(resources).find(([, r]) => r.Properties.LogGroupName === logGroupName) as [
    string,
    Resource,
  ];
  const stack = /([^/]+)\.template\.json$/.exec(path)?.[1];

  test('a control-plane log group added to a cluster that already logs says EKS created it, and how to import it', () => {
    const lines = linesFrom(path, (before) => delete before[groupId]);
    expect(lines).toEqual([
      expect.stringContaining(`${stack}: log group ${logGroupName} (${groupId}) is new, but EKS (cluster`),
    ]);
    expect(lines[0]).toContain(`\`cdk deploy ${stack} --import-existing-resources\``);
  });

  test('no line where the committed cluster did not log its control plane', () => {
    const lines = linesFrom(path, (before) => {
      delete before[groupId];
      before[clusterId].Properties.Logging = { ClusterLogging: { EnabledTypes: [] } };
    });
    expect(lines).toEqual([]);
  });
});

describe.each(pathsWith('AWS::RDS::DBInstance').map(([path]) => [path]))('%s', (path) => {
  test('log groups added for instances that already export those logs say RDS created them', () => {
    const resources = (templates.get(path) as Template).Resources;
    const instances = Object.values(resources).filter((r) => r.Type === 'AWS::RDS::DBInstance');
    const names = instances.flatMap((instance) =>
      (instance.Properties.EnableCloudwatchLogsExports as string[]).map(
        (log) => `/aws/rds/instance/${instance.Properties.DBInstanceIdentifier}/${log}`,
      ),
    );
    expect(names.length).toBeGreaterThan(0);
    const groups = Object.keys(resources).filter((id) => names.includes(String(resources[id].Properties.LogGroupName)));
    expect(groups).toHaveLength(names.length);

    const lines = linesFrom(path, (before) => {
      for (const id of groups) delete before[id];
    });
    expect(lines).toHaveLength(names.length);
    for (const line of lines) expect(line).toMatch(/is new, but RDS \(instance .* exports its .* log\)/);
  });
});

describe.each(pathsWith('AWS::RDS::DBInstance').map(([path]) => [path]))('%s: a service that returns', (path) => {
  const resources = (templates.get(path) as Template).Resources;
  const [instanceId] = Object.entries(resources).find(([, r]) => r.Type === 'AWS::RDS::DBInstance') as [
    string,
    Resource,
  ];
  // Everything the service's database brought: the resources whose logical IDs hold the instance's construct path.
  const prefix = instanceId.replace(/Instance[0-9A-F]{8}$/, '');
  const serviceIds = new Set(Object.keys(resources).filter((id) => id.includes(prefix)));
  const remove = (before: Record<string, Resource>) => {
    for (const id of serviceIds) delete before[id];
  };
  const stateful = [...serviceIds].filter((id) =>
    /^AWS::(RDS::DBInstance|SecretsManager::Secret|KMS::Key|Logs::LogGroup)$/.test(resources[id].Type),
  );
  const history: TemplateHistory = (asked) =>
    asked === path ? [{ commit: 'c0ffee00c0ffee00c0ffee00', text: JSON.stringify(templates.get(path)) }] : [];

  test('the removed service held a database, its secret, its key and its log groups', () => {
    expect(stateful.map((id) => resources[id].Type).sort()).toEqual([
      'AWS::KMS::Key',
      'AWS::Logs::LogGroup',
      'AWS::Logs::LogGroup',
      'AWS::RDS::DBInstance',
      'AWS::SecretsManager::Secret',
    ]);
  });

  test('each of its stateful resources that its removal kept or snapshotted gets a line, from the history', () => {
    const lines = linesFrom(path, remove, history);
    const expected = stateful.filter((id) => ['Retain', 'Snapshot'].includes(resources[id].DeletionPolicy ?? ''));
    expect(lines).toHaveLength(expected.length);
    for (const id of expected) {
      const line = lines.find((candidate) => candidate.includes(`${id}`)) ?? '';
      expect(line).toContain('c0ffee00c0ff');
      if (resources[id].DeletionPolicy === 'Retain') {
        expect(line).toContain('returns, and CloudFormation kept it when it left');
        expect(line).toContain(resources[id].Type === 'AWS::KMS::Key' ? 'creates a second one' : 'fails on its name');
        expect(line).toContain('unless `cdk import` takes it back first');
      } else {
        expect(line).toContain('returns empty: CloudFormation snapshotted and deleted it');
      }
    }
  });

  test('without history there is nothing to tell', () => {
    expect(linesFrom(path, remove)).toEqual([]);
  });

  test('a stack that returns says its resources were kept only if the stack was deleted', () => {
    const lines = nameCollisionLines(
      texts(new Map([...templates].filter(([other]) => other !== path))),
      texts(templates),
      history,
    );
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toContain('if its stack was deleted');
  });

  test('a resource that takes the name of one leaving under another logical ID makes the deploy fail', () => {
    const after = structuredClone(templates.get(path) as Template);
    after.Resources[`${instanceId}Moved`] = after.Resources[instanceId];
    delete after.Resources[instanceId];
    const lines = nameCollisionLines(texts(templates), texts(new Map([...templates, [path, after]])), history);
    expect(lines).toEqual([
      expect.stringContaining(
        `(${instanceId}Moved) takes the name of ${instanceId}, which leaves: CloudFormation creates the new resource before it removes the old one`,
      ),
    ]);
  });
});

describe('the Git history of a template', () => {
  const git = (root: string, ...args: string[]) =>
    spawnSync('git', ['-C', root, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
      encoding: 'utf8',
    });

  test('lists its committed versions, newest first', () => {
    const root = tempDir('platform-history-');
    mkdirSync(join(root, 'dist', 'cloudformation'), { recursive: true });
    expect(git(root, 'init', '--quiet').status).toBe(0);
    const file = join(root, 'dist', 'cloudformation', 'x.template.json');
    for (const version of ['{"Resources":{"A":{}}}', '{"Resources":{}}']) {
      writeFileSync(file, version);
      expect(git(root, 'add', '.').status).toBe(0);
      expect(git(root, 'commit', '--quiet', '-m', 'version').status).toBe(0);
    }
    const versions = [...gitTemplateHistory(root)('cloudformation/x.template.json')];
    expect(versions.map(({ text }) => text)).toEqual(['{"Resources":{}}', '{"Resources":{"A":{}}}']);
    expect(versions[0].commit).toBe(git(root, 'rev-parse', 'HEAD').stdout.trim());
  });

  test('is empty outside a Git work tree of its own', () => {
    expect([...gitTemplateHistory(tempDir('platform-no-history-'))('cloudformation/x.template.json')]).toEqual([]);
  });
});
