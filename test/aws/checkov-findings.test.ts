/**
 * What checkov (run by `npm run verify`, tools/verify/checkov.ts) asks of the templates, as facts jest can
 * check without it: each finding is fixed, or skipped in the resource's Metadata.checkov.skip exactly while
 * its cause holds, with a reason. Judged on the synthesized templates of the shipped model and of a variant.
 */
import { environmentStackIds, loadModel, loadPlatformModel, type PlatformModel } from '@platform/model';
import { committedTemplates, MODEL_ENVIRONMENTS, modelWithEnvironment, synthesizeCloud } from './cloud-assembly';

interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: { checkov?: { skip?: { id: string; comment: string }[] } };
}

/** Every resource of every stack, as `<stack artifact ID>/<logical ID>`, e.g. `dev-service-orders/…`. */
function resourcesOf(templates: Iterable<readonly [string, unknown]>): Map<string, Resource> {
  const resources = new Map<string, Resource>();
  for (const [stackId, template] of templates) {
    for (const [id, resource] of Object.entries((template as { Resources: Record<string, Resource> }).Resources)) {
      resources.set(`${stackId}/${id}`, resource);
    }
  }
  return resources;
}

/** A model's templates, synthesized. */
function synthesizedTemplates(model: PlatformModel): [string, unknown][] {
  return synthesizeCloud({ model }).assembly.stacks.map((stack) => [stack.id, stack.template]);
}

const skipped = (resource: Resource, check: string) =>
  (resource.Metadata?.checkov?.skip ?? []).some((skip) => skip.id === check);

/** The resources of a type that break the rule: `ok` must hold, or the check be skipped (and only then). */
function violations(
  resources: Map<string, Resource>,
  type: string,
  check: string,
  ok: (properties: Record<string, unknown>) => boolean,
): string[] {
  return [...resources]
    .filter(([, resource]) => resource.Type === type)
    .filter(([, resource]) => ok(resource.Properties ?? {}) === skipped(resource, check))
    .map(([id]) => `${id} ${check}`);
}

/** The statements of an ECR repository's policy whose principal is everyone (`*` or `{"AWS": "*"}`). */
const everyoneStatements = (p: Record<string, unknown>) =>
  (
    (p.RepositoryPolicyText as { Statement?: { Effect: string; Principal?: unknown }[] } | undefined)?.Statement ?? []
  ).filter(
    (statement) =>
      JSON.stringify(statement.Principal) === '"*"' || JSON.stringify(statement.Principal) === '{"AWS":"*"}',
  );

function checkovRules(resources: Map<string, Resource>): string[] {
  const variables = (p: Record<string, unknown>) =>
    Object.keys((p.Environment as { Variables?: object } | undefined)?.Variables ?? {});
  return [
    ...violations(resources, 'AWS::RDS::DBInstance', 'CKV_AWS_157', (p) => p.MultiAZ === true),
    ...violations(resources, 'AWS::SQS::Queue', 'CKV_AWS_27', (p) => p.KmsMasterKeyId !== undefined),
    ...violations(resources, 'AWS::ECR::Repository', 'CKV_AWS_32', (p) => everyoneStatements(p).length === 0),
    ...violations(resources, 'AWS::SecretsManager::Secret', 'CKV_AWS_149', (p) => p.KmsKeyId !== undefined),
    ...violations(
      resources,
      'AWS::Lambda::Function',
      'CKV_AWS_115',
      (p) => p.ReservedConcurrentExecutions !== undefined,
    ),
    ...violations(resources, 'AWS::Lambda::Function', 'CKV_AWS_116', (p) => p.DeadLetterConfig !== undefined),
    ...violations(resources, 'AWS::Lambda::Function', 'CKV_AWS_117', (p) => p.VpcConfig !== undefined),
    ...violations(
      resources,
      'AWS::Lambda::Function',
      'CKV_AWS_173',
      (p) => variables(p).length === 0 || p.KmsKeyArn !== undefined,
    ),
  ];
}

describe('checkov findings on the templates of the shipped model', () => {
  const resources = resourcesOf(committedTemplates());

  test('every environment is covered', () => {
    const stacks = new Set([...resources.keys()].map((id) => id.split('/')[0]));
    for (const environment of MODEL_ENVIRONMENTS) {
      for (const id of environmentStackIds(loadPlatformModel(), environment)) expect(stacks).toContain(id);
    }
  });

  test('every RDS instance has Enhanced Monitoring at an interval RDS offers (CKV_AWS_118)', () => {
    const instances = [...resources].filter(([, r]) => r.Type === 'AWS::RDS::DBInstance');
    expect(instances.length).toBeGreaterThan(0);
    for (const [id, instance] of instances) {
      const interval = instance.Properties?.MonitoringInterval;
      expect({ id, offered: [1, 5, 10, 15, 30, 60].includes(interval as number) }).toEqual({ id, offered: true });
      expect({ id, role: instance.Properties?.MonitoringRoleArn }).toEqual({ id, role: expect.anything() });
    }
  });

  test('a finding is skipped exactly while its cause holds: queues, secrets, databases, provider functions', () => {
    expect(checkovRules(resources)).toEqual([]);
  });

  test('a repository skips CKV_AWS_32 only because its statements naming everyone deny', () => {
    const repositories = [...resources].filter(([, r]) => r.Type === 'AWS::ECR::Repository');
    expect(repositories.length).toBeGreaterThan(0);
    for (const [id, repository] of repositories) {
      const effects = everyoneStatements(repository.Properties ?? {}).map((statement) => statement.Effect);
      expect({ id, effects: [...new Set(effects)] }).toEqual({ id, effects: effects.length > 0 ? ['Deny'] : [] });
    }
  });

  test('a queue skips CKV_AWS_27 only because SQS-managed keys encrypt it', () => {
    for (const [id, queue] of resources) {
      if (queue.Type !== 'AWS::SQS::Queue') continue;
      const encrypted =
        queue.Properties?.KmsMasterKeyId !== undefined || queue.Properties?.SqsManagedSseEnabled === true;
      expect({ id, encrypted }).toEqual({ id, encrypted: true });
    }
  });

  test('every skip names a check and a reason a reviewer can read, once per resource', () => {
    let count = 0;
    for (const [id, resource] of resources) {
      const skips = resource.Metadata?.checkov?.skip ?? [];
      expect({ id, unique: new Set(skips.map((skip) => skip.id)).size }).toEqual({ id, unique: skips.length });
      for (const skip of skips) {
        count += 1;
        expect(skip.id).toMatch(/^CKV_AWS_\d+$/);
        expect(skip.comment.length).toBeGreaterThan(60);
      }
    }
    expect(count).toBeGreaterThan(0);
  });
});

test('a model whose environment runs its databases in two AZs loses the CKV_AWS_157 skip there', () => {
  const [environment] = loadPlatformModel().environments;
  const changed = modelWithEnvironment(environment.name, (shipped) => ({
    ...shipped,
    database: { ...shipped.database, multiAz: true },
  }));
  // That environment alone: the others would be the shipped model's, whose templates the tests above judge.
  const model = loadModel({
    ...changed,
    environments: changed.environments.filter((candidate) => candidate.name === environment.name),
    releases: Object.fromEntries(Object.entries(changed.releases ?? {}).filter(([name]) => name === environment.name)),
  });
  const resources = resourcesOf(synthesizedTemplates(model));
  const instances = [...resources].filter(
    ([id, r]) => id.startsWith(`${environment.name}-`) && r.Type === 'AWS::RDS::DBInstance',
  );
  expect(instances.length).toBe(model.services.filter((service) => service.dependencies.database).length);
  for (const [, instance] of instances) expect(skipped(instance, 'CKV_AWS_157')).toBe(false);
  expect(checkovRules(resources)).toEqual([]);
});
