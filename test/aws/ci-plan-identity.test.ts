import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CiPlanIdentity, GITHUB_OIDC_ISSUER, newGitHubOidcProvider } from '@platform/aws-platform';
import { EnvironmentNaming, environmentStackId } from '@platform/model';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { testCdkApp } from '../support/cdk-app';
import { resourcesOfType, shippedCloud } from './cloud-assembly';

/**
 * The plan roles: one per environment, in its `ci` stack. A plan job runs in a GitHub Environment without reviewers
 * (`<env>-plan`), before anyone approved the deployment, so its role may read and nothing else: it may assume the
 * account's CDK bootstrap lookup role only (ReadOnlyAccess without kms:Decrypt, as `cdk bootstrap` creates it), not
 * the deploy or file-publishing role, and only a job of the model's repository on its protected branch in that GitHub
 * Environment may assume it.
 */

/** The bootstrap qualifier of cdk.json, or the CDK's default (`cdk bootstrap` without --qualifier). */
const QUALIFIER =
  (JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context[
    '@aws-cdk/core:bootstrapQualifier'
  ] as string | undefined) ?? 'hnb659fds';

/** The lookup role of an account and region, written out as `cdk bootstrap` names it. */
const lookupRole = (account: string, region: string, qualifier = QUALIFIER) =>
  `arn:aws:iam::${account}:role/cdk-${qualifier}-lookup-role-${account}-${region}`;

type Resource = { Properties: Record<string, unknown> };

function expectPlanRole(template: Template, roleName: string, expected: { subject: string; lookupRole: string }): void {
  const roles = Object.values(resourcesOfType(template, 'AWS::IAM::Role')).filter(
    (role) => role.Properties.RoleName === roleName,
  );
  expect(roles).toHaveLength(1);
  const [role] = roles as Resource[];
  const trust = role.Properties.AssumeRolePolicyDocument as { Statement: Record<string, unknown>[] };
  expect(trust.Statement).toHaveLength(1);
  expect(trust.Statement[0].Action).toBe('sts:AssumeRoleWithWebIdentity');
  expect(trust.Statement[0].Condition).toEqual({
    StringEquals: {
      [`${GITHUB_OIDC_ISSUER}:aud`]: 'sts.amazonaws.com',
      [`${GITHUB_OIDC_ISSUER}:sub`]: expected.subject,
    },
  });
  expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  expect(role.Properties.MaxSessionDuration).toBe(7200);
  expect(role.Properties.Policies).toEqual([
    {
      PolicyName: expect.any(String),
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: expected.lookupRole }],
      },
    },
  ]);
  const attached = Object.values(resourcesOfType(template, 'AWS::IAM::Policy')).filter((policy) =>
    JSON.stringify(policy.Properties.Roles).includes(roleName),
  );
  expect(attached).toEqual([]);
}

describe('the plan roles', () => {
  it("of every environment: trusted by its plan jobs only, allowed to assume its account's lookup role only", () => {
    const cloud = shippedCloud();
    const { model } = cloud;
    for (const environment of model.environments) {
      expectPlanRole(
        cloud.template(environmentStackId(environment.name, 'ci')),
        new EnvironmentNaming(model.organization, environment).ciPlanRoleName,
        {
          subject: `repo:${model.organization.ci.githubRepository}:environment:${environment.name}-plan:ref:refs/heads/${model.organization.ci.branch}`,
          lookupRole: lookupRole(environment.account, environment.region),
        },
      );
    }
  });

  it("follow the stack's account and region and a given bootstrap qualifier", () => {
    const app = testCdkApp();
    const stack = new Stack(app, 'Plan', { env: { account: '123456789012', region: 'eu-west-1' } });
    new CiPlanIdentity(stack, 'PlanIdentity', {
      provider: newGitHubOidcProvider(stack, 'Provider'),
      roleName: 'x-ci-plan',
      ci: { githubRepository: 'owner/repository', branch: 'trunk' },
      githubEnvironment: 'x-plan',
      bootstrapQualifier: 'custom123',
    });
    expectPlanRole(Template.fromStack(stack), 'x-ci-plan', {
      subject: 'repo:owner/repository:environment:x-plan:ref:refs/heads/trunk',
      lookupRole: lookupRole('123456789012', 'eu-west-1', 'custom123'),
    });
  });

  it("trust the subject with the owner's and the repository's IDs when the repository's tokens carry them", () => {
    const app = testCdkApp();
    const stack = new Stack(app, 'Plan', { env: { account: '123456789012', region: 'eu-west-1' } });
    new CiPlanIdentity(stack, 'PlanIdentity', {
      provider: newGitHubOidcProvider(stack, 'Provider'),
      roleName: 'x-ci-plan',
      ci: { githubRepository: 'owner/repository', branch: 'trunk', githubRepositoryOwnerId: 7, githubRepositoryId: 42 },
      githubEnvironment: 'x-plan',
      bootstrapQualifier: 'custom123',
    });
    expectPlanRole(Template.fromStack(stack), 'x-ci-plan', {
      subject: 'repo:owner@7/repository@42:environment:x-plan:ref:refs/heads/trunk',
      lookupRole: lookupRole('123456789012', 'eu-west-1', 'custom123'),
    });
  });
});
