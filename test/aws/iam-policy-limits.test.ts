import type { PlatformModel } from '@platform/model';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import fc from 'fast-check';
import { buildCloudApp, TODAY_CONTEXT_KEY } from '../../apps/cloud/src/cloud-app';
import { availabilityZoneContext } from '../properties/support/property-runs';
import { testCdkApp } from '../support/cdk-app';
import { IAM_POLICY_LIMITS, policySizeProblems, policySizes } from '../support/iam-policy-sizes';
import { platformModelArbitrary } from '../support/model-arbitrary';
import { TEST_TODAY } from './cloud-assembly';

/**
 * No IAM policy grows with the catalog: a role's inline policies stay within IAM's 10,240 characters and a managed
 * policy within 6,144 however many services one team owns, since what grows with the catalog (each service's secret
 * reader, workload identity) is one role per service, and the External Secrets controller assumes the readers by one
 * ARN pattern. A team's services all live in one namespace, the case where a per-team role would list them all.
 */

function synthesize(model: PlatformModel): CloudAssembly {
  const app = testCdkApp({ [TODAY_CONTEXT_KEY]: TEST_TODAY, ...availabilityZoneContext(model) });
  buildCloudApp(app, model);
  // A generated model may name a Kubernetes version past its support: aws-cdk-lib reports the warning on stderr.
  const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    return app.synth();
  } finally {
    spy.mockRestore();
  }
}

test('one team owning 200 services: every role’s inline policies and every managed policy stay within IAM’s limits', () => {
  const [model] = fc.sample(
    platformModelArbitrary({ minServices: 200, maxServices: 200, maxQueues: 2, maxEnvironments: 1, maxTeams: 1 }),
    { numRuns: 1, seed: 20261202 },
  );
  expect(model.teams).toHaveLength(1);
  expect(model.services).toHaveLength(200);
  // Most services have a data store, whose secrets and parameters External Secrets reads.
  const withStores = model.services.filter((service) => service.dependencies.database || service.dependencies.cache);
  expect(withStores.length).toBeGreaterThan(100);
  const assembly = synthesize(model);
  expect(policySizeProblems(assembly)).toEqual([]);
  // The measure sees the readers: one role per service with a data store, each with its policy.
  const readers = policySizes(assembly).filter((size) => /^role .+-sr-/.test(size.subject));
  expect(readers).toHaveLength(withStores.length);
  for (const reader of readers) expect(reader.characters).toBeGreaterThan(0);
}, 600_000);

test('the measure finds a role whose inline policies together pass 10,240 characters, and a managed policy past 6,144', () => {
  const statement = (index: number) => ({
    Effect: 'Allow',
    Action: 'ssm:GetParameter',
    Resource: `arn:aws:ssm:us-east-1:123456789012:parameter/${'p'.repeat(90)}${index}`,
  });
  const document = (count: number) => ({
    Version: '2012-10-17',
    Statement: Array.from({ length: count }, (_, index) => statement(index)),
  });
  // Two policies of 50 statements (about 6,200 characters each): each is under the inline limit, not together.
  const template = {
    Resources: {
      Reader: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'reader', AssumeRolePolicyDocument: {} } },
      First: { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: 'Reader' }], PolicyDocument: document(50) } },
      Second: { Type: 'AWS::IAM::Policy', Properties: { Roles: ['reader'], PolicyDocument: document(50) } },
      Managed: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: document(50) } },
    },
  };
  const assembly = { stacks: [{ hierarchicalId: 'one', template }] } as unknown as CloudAssembly;
  expect(policySizeProblems(assembly)).toEqual([
    expect.stringMatching(
      new RegExp(`^one: managed policy Managed \\d+ of ${IAM_POLICY_LIMITS.managedPolicy} characters$`),
    ),
    expect.stringMatching(new RegExp(`^one: role reader \\d+ of ${IAM_POLICY_LIMITS.roleInlinePolicies} characters$`)),
  ]);
});
