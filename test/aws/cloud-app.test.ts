import { ENVIRONMENT_STACKS, environmentStackId, isUserError, loadPlatformModel } from '@platform/model';
import { buildCloudApp, TODAY_CONTEXT_KEY } from '../../apps/cloud/src/cloud-app';
import { testCdkApp } from '../support/cdk-app';
import { MODEL_ENVIRONMENTS, modelWithEnvironment } from './cloud-assembly';

function errorOf(build: () => void): Error {
  try {
    build();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

test('the stack IDs are the public contract cdk deploy selects', () => {
  const app = testCdkApp({ [TODAY_CONTEXT_KEY]: '2026-11-22' });
  const model = loadPlatformModel();
  buildCloudApp(app, model);
  expect(app.node.children.map((child) => child.node.id)).toEqual([
    'shared-services',
    ...model.services.map((service) => `shared-services-image-${service.name}`),
    ...MODEL_ENVIRONMENTS.flatMap((name) => [
      `${name}-ci`,
      `${name}-network`,
      `${name}-messaging`,
      `${name}-backup`,
      `${name}-cluster`,
      ...model.services.map((service) => `${name}-service-${service.name}`),
      ...model.queues.map((queue) => `${name}-queue-${queue.name}`),
    ]),
  ]);
});

test("every other stack of an environment depends on its ci stack, and the account's other stacks on shared-services", () => {
  const app = testCdkApp({ [TODAY_CONTEXT_KEY]: '2026-11-22' });
  const model = loadPlatformModel();
  const { sharedServices, imageRepositories, environments } = buildCloudApp(app, model);
  for (const stack of imageRepositories.values()) expect(stack.dependencies).toContain(sharedServices);
  for (const stacks of environments.values()) {
    const others = [
      stacks.network,
      stacks.cluster,
      stacks.messaging,
      stacks.backup,
      ...stacks.services.values(),
      ...stacks.queues.values(),
    ];
    for (const stack of others)
      expect({ stack: stack.node.id, ci: stack.dependencies.includes(stacks.ci) }).toEqual({
        stack: stack.node.id,
        ci: true,
      });
    // The Pod Identity associations need the cluster; the queues' alarms need the topic. The cluster stack binds
    // Velero's role, which the backup stack creates, before Argo CD installs Velero; the backup stack needs no cluster.
    for (const stack of stacks.services.values()) expect(stack.dependencies).toContain(stacks.cluster);
    expect(stacks.cluster.dependencies).toContain(stacks.backup);
    expect(stacks.backup.dependencies).not.toContain(stacks.cluster);
    for (const stack of stacks.queues.values()) expect(stack.dependencies).toContain(stacks.messaging);
  }
});

test('ENVIRONMENT_STACKS lists the fixed stacks of an environment after every stack each depends on', () => {
  const app = testCdkApp({ [TODAY_CONTEXT_KEY]: '2026-11-22' });
  const model = loadPlatformModel();
  const { environments } = buildCloudApp(app, model);
  for (const [name, stacks] of environments) {
    const fixed = ENVIRONMENT_STACKS.map((stack) => environmentStackId(name, stack));
    const late = [stacks.ci, stacks.network, stacks.messaging, stacks.backup, stacks.cluster].flatMap((stack) =>
      stack.dependencies
        .filter((dependency) => fixed.indexOf(dependency.node.id) > fixed.indexOf(stack.node.id))
        .map((dependency) => `${stack.node.id} depends on ${dependency.node.id}, listed after it`),
    );
    expect(late).toEqual([]);
  }
});

/** An account no environment of the model uses, whose context cdk.json therefore lacks. */
const UNKNOWN_ACCOUNT = '987654321098';
const [first] = loadPlatformModel().environments;
const last = loadPlatformModel().environments.at(-1) ?? first;

test('an environment whose account has no committed AZ context is a user error that says how to add it', () => {
  const model = modelWithEnvironment(last.name, (environment) => ({ ...environment, account: UNKNOWN_ACCOUNT }));
  const error = errorOf(() => buildCloudApp(testCdkApp(), model));
  expect(isUserError(error)).toBe(true);
  expect(error.message).toContain(
    `environments.${last.name}.availabilityZones: cdk.json has no availability-zone context`,
  );
  expect(error.message).toContain(`account ${UNKNOWN_ACCOUNT}, ${last.region}`);
  expect(error.message).toContain(
    `"availability-zones:account=${UNKNOWN_ACCOUNT}:region=${last.region}": ${JSON.stringify(last.availabilityZones)}`,
  );
  expect(error.message).toContain('cdk.json');
});

test('an AZ missing from the committed context is a user error naming it', () => {
  // A zone of the region that the committed context of the account does not list.
  const missing = [...'zyxwvutsrqponmlkjihgfedcba']
    .map((letter) => `${first.region}${letter}`)
    .find((zone) => !first.availabilityZones.includes(zone)) as string;
  const model = modelWithEnvironment(first.name, (environment) => ({
    ...environment,
    availabilityZones: [...environment.availabilityZones.slice(0, -1), missing],
  }));
  const error = errorOf(() => buildCloudApp(testCdkApp(), model));
  expect(isUserError(error)).toBe(true);
  expect(error.message).toMatch(
    new RegExp(`environments\\.${first.name}\\.availabilityZones: ${missing} not in the committed context`),
  );
});

test('a malformed platform:today is a user error', () => {
  const error = errorOf(() => buildCloudApp(testCdkApp({ [TODAY_CONTEXT_KEY]: 'tomorrow' }), loadPlatformModel()));
  expect(isUserError(error)).toBe(true);
  expect(error.message).toContain('context.platform:today: "tomorrow" is no date; allowed: an ISO date');
});

test('a flow-log retention CloudWatch does not offer is a user error listing the allowed values', () => {
  const model = modelWithEnvironment(first.name, (environment) => ({
    ...environment,
    network: { ...environment.network, flowLogRetentionDays: 45 },
  }));
  const error = errorOf(() => buildCloudApp(testCdkApp(), model));
  expect(isUserError(error)).toBe(true);
  expect(error.message).toMatch(
    new RegExp(`environment '${first.name}': network.flowLogRetentionDays is 45; CloudWatch Logs allows 1, 3, 5`),
  );
});

test('a node group mixing ARM and x86 instance types is a user error', () => {
  const model = modelWithEnvironment(last.name, (environment) => ({
    ...environment,
    cluster: {
      ...environment.cluster,
      nodeGroups: {
        ...environment.cluster.nodeGroups,
        spot: { ...environment.cluster.nodeGroups.spot, instanceTypes: ['m7g.2xlarge', 'm7i.2xlarge'] },
      },
    },
  }));
  const error = errorOf(() => buildCloudApp(testCdkApp(), model));
  expect(isUserError(error)).toBe(true);
  expect(error.message).toContain(
    `environment '${last.name}': cluster.nodeGroups.spot.instanceTypes mixes ARM and x86`,
  );
});

test('a cache ID longer than ElastiCache allows is a user error naming the environment', () => {
  const shipped = loadPlatformModel();
  // A service name of 32 characters, the most a DNS label allows: with a cache its ID passes 40 characters.
  const longName = 'a-service-name-of-32-characters1';
  const [subject] = shipped.services;
  const cacheId = `${shipped.organization.name}-${first.name}-${longName}`;
  // An organization and environment of a few letters leave no name long enough; nothing to show then.
  if (!subject || cacheId.length <= 40) return;
  const model = {
    ...shipped,
    services: shipped.services.map((service) =>
      service === subject
        ? { ...service, name: longName, dependencies: { ...service.dependencies, cache: true } }
        : {
            ...service,
            dependencies: {
              ...service.dependencies,
              calls: service.dependencies.calls.map((c) => (c === subject.name ? longName : c)),
            },
          },
    ),
  };
  const error = errorOf(() => buildCloudApp(testCdkApp(), model));
  expect(isUserError(error)).toBe(true);
  expect(error.message).toContain(`environment '${first.name}': the cache ID '${cacheId}'`);
  expect(error.message).toContain('ElastiCache allows 40');
});
