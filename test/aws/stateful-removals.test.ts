import { statefulRemovalLines } from '../../apps/cloud/src/stateful-removals';
import { STATEFUL_TYPE_NAMES } from '../support/stateful-types';
import { committedTemplates } from './cloud-assembly';

/**
 * `pnpm synth` names, before it replaces the committed templates, every database, cache, queue, secret, key, log
 * group, image repository and cluster that leaves them, with what CloudFormation's DeletionPolicy makes the next
 * deploy do to it and what adding it back takes. Judged on the committed templates, with resources and stacks taken
 * away as a model edit would.
 */
type Template = {
  Resources: Record<string, { Type: string; DeletionPolicy?: string; Properties?: Record<string, unknown> }>;
};

const STATEFUL = STATEFUL_TYPE_NAMES;
/** What CloudFormation does with a resource that leaves its template, by DeletionPolicy (CloudFormation's docs). */
const OUTCOMES: Record<string, RegExp> = {
  Snapshot: /snapshots it, then deletes it/,
  Retain: /keeps it, outside the stack/,
  Delete: /deletes it and its data|deletes it once it is empty/,
};

const templates = new Map(
  committedTemplates().map(([stack, template]) => [`cloudformation/${stack}.template.json`, template as Template]),
);
const texts = (map: ReadonlyMap<string, Template>) =>
  new Map([...map].map(([path, template]) => [path, JSON.stringify(template)]));
const stateful = [...templates].flatMap(([path, template]) =>
  Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type in STATEFUL)
    .map(([id, resource]) => ({ path, id, resource, policy: resource.DeletionPolicy ?? 'Delete' })),
);

test('the committed templates hold stateful resources of every kind to take away', () => {
  const kinds = new Set(stateful.map(({ resource }) => resource.Type));
  expect([...kinds].sort()).toEqual(Object.keys(STATEFUL).sort());
});

test('a synth that keeps every resource prints nothing', () => {
  expect(statefulRemovalLines(texts(templates), texts(templates))).toEqual([]);
});

test.each(stateful.map((entry) => [`${entry.path} ${entry.id}`, entry] as const))(
  'taking away %s prints one line naming it, what its DeletionPolicy does and what adding it back takes',
  (_name, { path, id, resource, policy }) => {
    const after = structuredClone(templates.get(path) as Template);
    delete after.Resources[id];
    const lines = statefulRemovalLines(texts(templates), texts(new Map([...templates, [path, after]])));
    expect(lines).toHaveLength(1);
    const name = STATEFUL[resource.Type] && resource.Properties?.[STATEFUL[resource.Type] as string];
    expect(lines[0]).toContain(
      typeof name === 'string' ? `${name} (${id}) leaves the model` : ` ${id} leaves the model`,
    );
    expect(lines[0]).toMatch(/; the next deploy /);
    expect(lines[0]).toMatch(OUTCOMES[policy] ?? /unknown policy/);
    // A kept resource blocks its name (or leaves its data behind a key) until it is imported; a snapshot restores.
    if (policy === 'Retain') {
      expect(lines[0]).toContain('`cdk import`');
      expect(lines[0]).toContain(typeof name === 'string' ? 'fails on its name' : 'creates another');
    }
    if (policy === 'Snapshot') expect(lines[0]).toContain('adding it back creates it empty');
    if (policy === 'Delete') expect(lines[0]).not.toContain('adding it back');
    if (policy !== 'Retain' && resource.Type === 'AWS::RDS::DBInstance') {
      expect(lines[0]).toContain('with its automated backups');
    }
  },
);

test('a resource under deletion protection that CloudFormation would delete is said to fail', () => {
  const [path, template] = [...templates].find(([, candidate]) =>
    Object.values(candidate.Resources).some((resource) => resource.Type === 'AWS::EKS::Cluster'),
  ) as [string, Template];
  const before = structuredClone(template);
  const [id, cluster] = Object.entries(before.Resources).find(
    ([, resource]) => resource.Type === 'AWS::EKS::Cluster',
  ) as [string, Template['Resources'][string]];
  cluster.Properties = { ...cluster.Properties, DeletionProtection: true };
  delete cluster.DeletionPolicy;
  const after = structuredClone(before);
  delete after.Resources[id];
  const lines = statefulRemovalLines(texts(new Map([[path, before]])), texts(new Map([[path, after]])));
  expect(lines).toEqual([expect.stringContaining('deletion protection is on: that deletion fails')]);
});

test('a stack that leaves the app is not deleted by a deploy: each stateful resource says what deleting the stack does', () => {
  for (const path of new Set(stateful.map((resource) => resource.path))) {
    const after = new Map(templates);
    after.delete(path);
    const lines = statefulRemovalLines(texts(templates), texts(after));
    expect(lines).toHaveLength(stateful.filter((resource) => resource.path === path).length);
    for (const line of lines) {
      expect(line).toContain(
        'leaves the model with its stack; cdk deploy does not delete a stack the app no longer has',
      );
      expect(line).toMatch(/deleting the stack (snapshots it|keeps it|deletes it)/);
      expect(line).not.toContain('the next deploy');
    }
  }
});
