import { statefulRemovalLines } from '../../apps/cloud/src/stateful-removals';
import { committedTemplates } from './cloud-assembly';

/**
 * `pnpm synth` names, before it replaces the committed templates, every database, cache, queue and secret that
 * leaves them, with what CloudFormation's DeletionPolicy makes the next deploy do to it. Judged on the committed
 * templates, with resources and stacks taken away as a model edit would.
 */
type Template = { Resources: Record<string, { Type: string; DeletionPolicy?: string }> };

const STATEFUL = new Set([
  'AWS::RDS::DBInstance',
  'AWS::ElastiCache::ReplicationGroup',
  'AWS::SQS::Queue',
  'AWS::SecretsManager::Secret',
]);
const OUTCOMES: Record<string, RegExp> = {
  Snapshot: /the next deploy snapshots it, then deletes it$/,
  Retain: /the next deploy keeps it, outside the stack$/,
  Delete: /the next deploy deletes it and its data$/,
};

const templates = new Map(
  committedTemplates().map(([stack, template]) => [`cloudformation/${stack}.template.json`, template as Template]),
);
const texts = (map: ReadonlyMap<string, Template>) =>
  new Map([...map].map(([path, template]) => [path, JSON.stringify(template)]));
const stateful = [...templates].flatMap(([path, template]) =>
  Object.entries(template.Resources)
    .filter(([, resource]) => STATEFUL.has(resource.Type))
    .map(([id, resource]) => ({ path, id, policy: resource.DeletionPolicy ?? 'Delete' })),
);

test('the committed templates hold stateful resources of every kind to take away', () => {
  const kinds = new Set(stateful.map(({ path, id }) => templates.get(path)?.Resources[id]?.Type));
  expect([...kinds].sort()).toEqual([...STATEFUL].sort());
});

test('a synth that keeps every resource prints nothing', () => {
  expect(statefulRemovalLines(texts(templates), texts(templates))).toEqual([]);
});

test.each(stateful.map((resource) => [`${resource.path} ${resource.id}`, resource] as const))(
  'taking away %s prints one line naming it and what its DeletionPolicy does',
  (_name, { path, id, policy }) => {
    const after = structuredClone(templates.get(path) as Template);
    delete after.Resources[id];
    const lines = statefulRemovalLines(texts(templates), texts(new Map([...templates, [path, after]])));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`(${id}) leaves the model`);
    expect(lines[0]).toMatch(OUTCOMES[policy] ?? /unknown policy/);
  },
);

test('a stack that leaves takes every stateful resource it holds, each with a line', () => {
  for (const path of new Set(stateful.map((resource) => resource.path))) {
    const after = new Map(templates);
    after.delete(path);
    const lines = statefulRemovalLines(texts(templates), texts(after));
    expect(lines).toHaveLength(stateful.filter((resource) => resource.path === path).length);
  }
});
