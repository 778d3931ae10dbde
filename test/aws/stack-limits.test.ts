import { addComplianceChecks } from '@platform/aws-platform';
import {
  environmentStackId,
  imageRepositoryStackId,
  type PlatformModel,
  queueStackId,
  serviceStackId,
} from '@platform/model';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import fc from 'fast-check';
import { buildCloudApp, TODAY_CONTEXT_KEY } from '../../apps/cloud/src/cloud-app';
import { availabilityZoneContext } from '../properties/support/property-runs';
import { testCdkApp } from '../support/cdk-app';
import { platformModelArbitrary } from '../support/model-arbitrary';
import { CLOUDFORMATION_LIMITS, LIMIT_HEADROOM, stackLimitProblems, stackUsages } from '../support/stack-limits';
import { TEST_TODAY } from './cloud-assembly';

/**
 * What grows with the catalog (each service's identity and data stores, each queue with its alarms) has a stack of
 * its own, so no stack nears CloudFormation's per-template quotas however many services there are, and a service's
 * stack and logical IDs do not depend on any other service.
 */

/**
 * The model's cloud assembly, synthesized as `pnpm synth` does (compliance checks included unless `compliance` is
 * false: the quotas are CloudFormation's, whatever cdk-nag finds), without the report
 * aws-cdk-lib writes to stderr for a warning (a generated model may name a Kubernetes version past its support).
 */
function synthesize(model: PlatformModel, compliance = true): CloudAssembly {
  const app = testCdkApp({ [TODAY_CONTEXT_KEY]: TEST_TODAY, ...availabilityZoneContext(model) });
  buildCloudApp(app, model);
  if (compliance) addComplianceChecks(app);
  const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    return app.synth();
  } finally {
    spy.mockRestore();
  }
}

/** The one model of the given size the generator draws from this seed. */
function generated(size: Parameters<typeof platformModelArbitrary>[0], seed: number): PlatformModel {
  const [model] = fc.sample(platformModelArbitrary(size), { numRuns: 1, seed });
  return model;
}

test('a 500-service catalog with 100 queues: every stack stays within half of each CloudFormation limit', () => {
  const model = generated(
    { minServices: 500, maxServices: 500, minQueues: 100, maxQueues: 100, maxEnvironments: 1 },
    20261202,
  );
  expect(model.services).toHaveLength(500);
  expect(model.queues).toHaveLength(100);
  // The largest service stack holds both data stores.
  expect(model.services.some((service) => service.dependencies.database && service.dependencies.cache)).toBe(true);
  const assembly = synthesize(model, false);
  const usages = stackUsages(assembly);
  const [environment] = model.environments;
  for (const service of model.services) {
    expect(usages.map((usage) => usage.stack)).toContain(serviceStackId(environment.name, service.name));
  }
  expect(stackLimitProblems(assembly)).toEqual([]);
  // The fullest stack per limit, for the record of how far each is.
  const fullest = Object.fromEntries(
    (Object.keys(CLOUDFORMATION_LIMITS) as (keyof typeof CLOUDFORMATION_LIMITS)[]).map((limit) => {
      const top = [...usages].sort((a, b) => b.usage[limit] - a.usage[limit])[0];
      return [limit, `${top.stack} ${top.usage[limit]}`];
    }),
  );
  expect(Object.keys(fullest)).toHaveLength(Object.keys(CLOUDFORMATION_LIMITS).length);
  expect(LIMIT_HEADROOM).toBeLessThan(1);
}, 600_000);

test('the check finds a stack over a limit', () => {
  const problems = stackLimitProblems({
    stacks: [
      {
        hierarchicalId: 'one-stack',
        template: { Resources: Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`R${i}`, {}])) },
        templateFullPath: __filename,
      },
    ],
  } as unknown as CloudAssembly);
  expect(problems).toEqual([expect.stringMatching(/^one-stack: resources 3000 of 500$/)]);
});

/** Every stack's template by construct ID. */
function templates(assembly: CloudAssembly): Map<string, Record<string, Record<string, unknown>>> {
  return new Map(assembly.stacks.map((stack) => [stack.hierarchicalId, stack.template]));
}

/** The model without one service that no other service calls, as if it had never been added. */
function withoutService(model: PlatformModel, name: string): PlatformModel {
  const releases = model.releases
    ? Object.fromEntries(
        Object.entries(model.releases).map(([environment, entries]) => [
          environment,
          Object.fromEntries(Object.entries(entries).filter(([service]) => service !== name)),
        ]),
      )
    : undefined;
  return {
    ...model,
    services: model.services.filter((service) => service.name !== name),
    ...(releases ? { releases } : {}),
  };
}

test('adding a service leaves every other stack of a service or queue as it was, and every logical ID where it was', () => {
  // The added one: a service no other service calls (so the model without it is valid), with a data store; the
  // first generated model that has one.
  const uncalledWithStore = (model: PlatformModel) =>
    model.services.find(
      (service) =>
        (service.dependencies.database || service.dependencies.cache) &&
        !model.services.some((caller) => caller.dependencies.calls.includes(service.name)),
    );
  const model = fc
    .sample(
      platformModelArbitrary({ minServices: 8, maxServices: 12, minQueues: 2, maxQueues: 5, maxEnvironments: 2 }),
      {
        numRuns: 50,
        seed: 4242,
      },
    )
    .find((candidate) => uncalledWithStore(candidate) !== undefined && candidate.environments.length > 1);
  const added = model && uncalledWithStore(model);
  if (!model || !added) throw new Error('no generated model has a service with a data store that nobody calls');
  const before = templates(synthesize(withoutService(model, added.name)));
  const after = templates(synthesize(model));
  // The new service has a repository stack and a stack per environment of its own; nothing else is new.
  expect([...after.keys()].filter((id) => !before.has(id)).sort()).toEqual(
    [imageRepositoryStackId(added.name), ...model.environments.map((e) => serviceStackId(e.name, added.name))].sort(),
  );
  for (const environment of model.environments) {
    // Its secret reader is in its own stack, and External Secrets assumes readers by pattern: the cluster stack
    // does not list the services.
    const cluster = environmentStackId(environment.name, 'cluster');
    expect({ id: cluster, template: after.get(cluster) }).toEqual({ id: cluster, template: before.get(cluster) });
    for (const service of model.services.filter((service) => service.name !== added.name)) {
      const id = serviceStackId(environment.name, service.name);
      expect({ id, template: after.get(id) }).toEqual({ id, template: before.get(id) });
    }
    for (const queue of model.queues) {
      const id = queueStackId(environment.name, queue.name);
      expect({ id, template: after.get(id) }).toEqual({ id, template: before.get(id) });
    }
  }
  for (const service of model.services.filter((service) => service.name !== added.name)) {
    const id = imageRepositoryStackId(service.name);
    expect({ id, template: after.get(id) }).toEqual({ id, template: before.get(id) });
  }
  // No stack lost a resource: every logical ID stays in the stack it was in.
  for (const [id, template] of before) {
    const kept = Object.keys(after.get(id)?.Resources ?? {});
    expect({
      id,
      missing: Object.keys(template.Resources ?? {}).filter((logicalId) => !kept.includes(logicalId)),
    }).toEqual({ id, missing: [] });
  }
}, 600_000);
