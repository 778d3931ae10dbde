import { isUserError, loadPlatformModel } from '@platform/model';
import { buildCloudApp, TODAY_CONTEXT_KEY } from '../../apps/cloud/src/cloud-app';
import { testCdkApp } from '../support/cdk-app';
import { modelWithEnvironment, SHIPPED_ENVIRONMENTS } from './cloud-assembly';

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
  buildCloudApp(app, loadPlatformModel());
  expect(app.node.children.map((child) => child.node.id)).toEqual([
    'shared-services',
    ...SHIPPED_ENVIRONMENTS.flatMap((name) => [
      `${name}-network`,
      `${name}-cluster`,
      `${name}-data`,
      `${name}-messaging`,
    ]),
  ]);
});

test('an environment whose account has no committed AZ context is a user error that says how to add it', () => {
  const model = modelWithEnvironment('staging', (environment) => ({ ...environment, account: '555555555555' }));
  const error = errorOf(() => buildCloudApp(testCdkApp(), model));
  expect(isUserError(error)).toBe(true);
  expect(error.message).toContain('environments.staging.availabilityZones: cdk.json has no availability-zone context');
  expect(error.message).toContain('account 555555555555, us-east-1');
  expect(error.message).toContain(
    '"availability-zones:account=555555555555:region=us-east-1": ["us-east-1a","us-east-1b","us-east-1c"]',
  );
  expect(error.message).toContain('cdk.json');
});

test('an AZ missing from the committed context is a user error naming it', () => {
  const model = modelWithEnvironment('dev', (environment) => ({
    ...environment,
    availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1f'],
  }));
  const error = errorOf(() => buildCloudApp(testCdkApp(), model));
  expect(isUserError(error)).toBe(true);
  expect(error.message).toMatch(/environments\.dev\.availabilityZones: us-east-1f not in the committed context/);
});

test('a malformed platform:today is a user error', () => {
  const error = errorOf(() => buildCloudApp(testCdkApp({ [TODAY_CONTEXT_KEY]: 'tomorrow' }), loadPlatformModel()));
  expect(isUserError(error)).toBe(true);
  expect(error.message).toContain('context.platform:today: "tomorrow" is no date; allowed: an ISO date');
});

test('a flow-log retention CloudWatch does not offer is a user error listing the allowed values', () => {
  const model = modelWithEnvironment('dev', (environment) => ({
    ...environment,
    network: { ...environment.network, flowLogRetentionDays: 45 },
  }));
  const error = errorOf(() => buildCloudApp(testCdkApp(), model));
  expect(isUserError(error)).toBe(true);
  expect(error.message).toMatch(
    /environment 'dev': network.flowLogRetentionDays is 45; CloudWatch Logs allows 1, 3, 5/,
  );
});

test('a node group mixing ARM and x86 instance types is a user error', () => {
  const model = modelWithEnvironment('prod', (environment) => ({
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
  expect(error.message).toContain("environment 'prod': cluster.nodeGroups.spot.instanceTypes mixes ARM and x86");
});

test('a cache ID longer than ElastiCache allows is a user error naming the environment', () => {
  const shipped = loadPlatformModel();
  const longName = 'notification-service-with-long-x';
  const model = {
    ...shipped,
    services: shipped.services.map((service) =>
      service.name === 'notification-service' ? { ...service, name: longName } : service,
    ),
  };
  const error = errorOf(() => buildCloudApp(testCdkApp(), model));
  expect(isUserError(error)).toBe(true);
  expect(error.message).toContain(`environment 'dev': the cache ID 'acme-dev-${longName}'`);
  expect(error.message).toContain('ElastiCache allows 40');
});
