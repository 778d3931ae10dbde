import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CiStack, GITHUB_OIDC_ISSUER, type SharedServicesStack } from '@platform/aws-platform';
import {
  availabilityZoneContextKey,
  EnvironmentNaming,
  environmentStackId,
  type PlatformModel,
  SHARED_SERVICES_DEPLOYMENT,
  SHARED_SERVICES_STACK,
  sharedServicesDeployRoleName,
} from '@platform/model';
import { Template } from 'aws-cdk-lib/assertions';
import { buildCloudApp } from '../../apps/cloud/src/cloud-app';
import { testCdkApp } from '../support/cdk-app';
import { type CloudTemplates, resourcesOfType, shippedCloud } from './cloud-assembly';

/**
 * The deploy roles: one per environment in its account, and one for the shared-services stack. Each may be assumed
 * only through the account's GitHub OIDC provider by a job of the model's repository in the GitHub Environment of
 * its name (exact subject, no wildcard), and may do nothing but assume the CDK bootstrap roles `cdk deploy` uses.
 * IAM holds one OIDC provider per URL per account: each account gets exactly one, also when accounts are shared.
 */

/** The bootstrap qualifier of cdk.json, or the CDK's default (`cdk bootstrap` without --qualifier). */
const QUALIFIER =
  (JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context[
    '@aws-cdk/core:bootstrapQualifier'
  ] as string | undefined) ?? 'hnb659fds';

/** The bootstrap roles of an account and region, written out as `cdk bootstrap` names them. */
const bootstrapRoles = (account: string, region: string) =>
  ['deploy-role', 'file-publishing-role', 'lookup-role'].map(
    (role) => `arn:aws:iam::${account}:role/cdk-${QUALIFIER}-${role}-${account}-${region}`,
  );

type Resource = { Properties: Record<string, unknown> };

function roleNamed(template: Template, name: string): Resource {
  const roles = Object.values(resourcesOfType(template, 'AWS::IAM::Role')).filter(
    (role) => role.Properties.RoleName === name,
  );
  expect(roles).toHaveLength(1);
  return roles[0];
}

/** What every deploy role must be, exactly: trust, inline policy, nothing else attached. */
function expectDeployRole(
  template: Template,
  role: Resource,
  expected: { repository: string; branch: string; githubEnvironment: string; account: string; region: string },
) {
  const trust = role.Properties.AssumeRolePolicyDocument as { Statement: Record<string, unknown>[] };
  expect(trust.Statement).toHaveLength(1);
  const [statement] = trust.Statement;
  expect(statement.Effect).toBe('Allow');
  expect(statement.Action).toBe('sts:AssumeRoleWithWebIdentity');
  expect(Object.keys(statement.Principal as object)).toEqual(['Federated']);
  expect(statement.Condition).toEqual({
    StringEquals: {
      [`${GITHUB_OIDC_ISSUER}:aud`]: 'sts.amazonaws.com',
      // GitHub's subject with the repository's template `repo, context, ref` (README, "Deploying"): the GitHub
      // Environment and the protected branch, so another ref in the same GitHub Environment is refused.
      [`${GITHUB_OIDC_ISSUER}:sub`]: `repo:${expected.repository}:environment:${expected.githubEnvironment}:ref:refs/heads/${expected.branch}`,
    },
  });
  expect(JSON.stringify(statement.Condition)).not.toContain('*');
  expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  expect(role.Properties.Policies).toEqual([
    {
      PolicyName: expect.any(String),
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: bootstrapRoles(expected.account, expected.region) },
        ],
      },
    },
  ]);
  // No policy resource adds to any role of the stack beyond what the test of that role expects.
  const attached = Object.values(resourcesOfType(template, 'AWS::IAM::Policy')).filter((policy) =>
    JSON.stringify(policy.Properties.Roles).includes(String(role.Properties.RoleName)),
  );
  expect(attached).toEqual([]);
}

/** The provider a role's trust names: a Ref to the template's own provider, or the account's provider ARN. */
function federatedProvider(template: Template, role: Resource): string {
  const [statement] = (
    role.Properties.AssumeRolePolicyDocument as { Statement: { Principal: { Federated: unknown } }[] }
  ).Statement;
  const federated = statement.Principal.Federated as string | { Ref?: string };
  if (typeof federated === 'object' && typeof federated.Ref === 'string') {
    const provider = resourcesOfType(template, 'AWS::IAM::OIDCProvider')[federated.Ref];
    expect(provider.Properties).toMatchObject({
      Url: `https://${GITHUB_OIDC_ISSUER}`,
      ClientIdList: ['sts.amazonaws.com'],
    });
    return 'own';
  }
  return JSON.stringify(federated);
}

/**
 * @param githubRepository how the subjects name the repository: `owner/repo`, or with GitHub's immutable subject
 * `owner@<id>/repo@<id>`
 */
function expectAllDeployRoles(cloud: CloudTemplates, githubRepository = cloud.model.organization.ci.githubRepository) {
  const { model } = cloud;
  const { branch } = model.organization.ci;
  const shared = cloud.template(SHARED_SERVICES_STACK);
  const sharedRole = roleNamed(shared, sharedServicesDeployRoleName(model.organization));
  expectDeployRole(shared, sharedRole, {
    repository: githubRepository,
    branch,
    githubEnvironment: SHARED_SERVICES_DEPLOYMENT,
    ...model.organization.sharedServices,
  });
  const existing = model.organization.ci.existingOidcProviderAccounts ?? [];
  const sharedProvider = federatedProvider(shared, sharedRole);
  if (existing.includes(model.organization.sharedServices.account)) {
    expect(sharedProvider).toContain(
      `:iam::${model.organization.sharedServices.account}:oidc-provider/${GITHUB_OIDC_ISSUER}`,
    );
  } else {
    expect(sharedProvider).toBe('own');
  }
  for (const environment of model.environments) {
    const template = cloud.template(environmentStackId(environment.name, 'ci'));
    const role = roleNamed(template, new EnvironmentNaming(model.organization, environment).ciDeployRoleName);
    expectDeployRole(template, role, {
      repository: githubRepository,
      branch,
      githubEnvironment: environment.name,
      account: environment.account,
      region: environment.region,
    });
    const provider = federatedProvider(template, role);
    if (existing.includes(environment.account)) expect(provider).not.toBe('own');
    if (provider !== 'own') {
      expect(provider).toContain(`:iam::${environment.account}:oidc-provider/${GITHUB_OIDC_ISSUER}`);
    }
  }
}

/** Per account, how many GitHub OIDC providers the stacks deployed there create. */
function providersPerAccount(cloud: CloudTemplates): Map<string, number> {
  const { model } = cloud;
  const stacks: [string, string][] = [
    [SHARED_SERVICES_STACK, model.organization.sharedServices.account],
    ...model.environments.map((environment): [string, string] => [
      environmentStackId(environment.name, 'ci'),
      environment.account,
    ]),
  ];
  const counts = new Map<string, number>();
  for (const [stack, account] of stacks) {
    const providers = Object.keys(resourcesOfType(cloud.template(stack), 'AWS::IAM::OIDCProvider')).length;
    counts.set(account, (counts.get(account) ?? 0) + providers);
  }
  return counts;
}

describe('the shipped model', () => {
  const cloud = shippedCloud();

  it('has a deploy role per environment and for the shared-services stack, each exactly as trusted and allowed', () => {
    expectAllDeployRoles(cloud);
  });

  it('creates exactly one GitHub OIDC provider in each account', () => {
    for (const count of providersPerAccount(cloud).values()) expect(count).toBe(1);
  });
});

/** The shipped model with the first environment in the shared-services account and the last in the second's. */
function sharedAccounts(): { model: PlatformModel; context: Record<string, unknown> } {
  const model = shippedCloud().model;
  const environments = structuredClone(model.environments);
  const [first, second] = environments;
  const last = environments[environments.length - 1];
  if (environments.length < 3) throw new Error('the shipped model needs three environments for this test');
  first.account = model.organization.sharedServices.account;
  last.account = second.account;
  const context = Object.fromEntries(
    environments.map((environment) => [availabilityZoneContextKey(environment), environment.availabilityZones]),
  );
  return { model: { ...model, environments }, context };
}

describe('environments that share an account with the shared-services stack or with each other', () => {
  const { model, context } = sharedAccounts();
  let app: ReturnType<typeof testCdkApp>;
  let built: ReturnType<typeof buildCloudApp>;
  beforeAll(() => {
    app = testCdkApp(context);
    built = buildCloudApp(app, model);
  });
  const templates = new Map<string, Template>();
  const cloud: CloudTemplates = {
    model,
    template(stackId) {
      let template = templates.get(stackId);
      if (!template) {
        const stack = app.node.findChild(stackId) as CiStack | SharedServicesStack;
        template = Template.fromStack(stack);
        templates.set(stackId, template);
      }
      return template;
    },
    combined: () => {
      throw new Error('not used');
    },
    environment: () => {
      throw new Error('not used');
    },
    naming: () => {
      throw new Error('not used');
    },
  };

  it('creates exactly one GitHub OIDC provider in each account; the other stacks import it', () => {
    const counts = providersPerAccount(cloud);
    expect([...counts.keys()].sort()).toEqual(
      [...new Set([model.organization.sharedServices.account, ...model.environments.map((e) => e.account)])].sort(),
    );
    for (const count of counts.values()) expect(count).toBe(1);
    expectAllDeployRoles(cloud);
  });

  it('deploys the stack that creates an account’s provider before the stacks that import it', () => {
    for (const environment of model.environments) {
      const ci = built.environments.get(environment.name)?.ci;
      if (!ci || ci.ownsOidcProvider) continue;
      const owner =
        environment.account === model.organization.sharedServices.account
          ? SHARED_SERVICES_STACK
          : environmentStackId(
              model.environments.find((candidate) => candidate.account === environment.account)?.name ?? '',
              'ci',
            );
      expect(ci.dependencies.map((stack) => stack.node.id)).toContain(owner);
    }
    // The model above has both kinds: one imports from shared-services, one from another environment.
    expect([...built.environments.values()].filter((stacks) => !stacks.ci.ownsOidcProvider)).toHaveLength(2);
  });
});

/** The templates of the stacks of `app()` (built in a beforeAll), by construct ID, for the expectations above. */
function stackTemplates(model: PlatformModel, app: () => ReturnType<typeof testCdkApp>): CloudTemplates {
  const unused = () => {
    throw new Error('not used');
  };
  return {
    model,
    template: (stackId) => Template.fromStack(app().node.findChild(stackId) as CiStack | SharedServicesStack),
    environment: unused,
    naming: unused,
    combined: unused,
  };
}

describe('accounts that already hold a GitHub OIDC provider (organization.ci.existingOidcProviderAccounts)', () => {
  const { model: base, context } = sharedAccounts();
  // The second environment's account (with the last); the shared-services account (with the first) creates its own.
  const existing = [base.environments[1].account];
  const model: PlatformModel = {
    ...base,
    organization: { ...base.organization, ci: { ...base.organization.ci, existingOidcProviderAccounts: existing } },
  };
  let app: ReturnType<typeof testCdkApp>;
  let built: ReturnType<typeof buildCloudApp>;
  beforeAll(() => {
    app = testCdkApp(context);
    built = buildCloudApp(app, model);
  });
  const cloud = stackTemplates(model, () => app);

  it('creates no provider there, imports it by ARN into every stack of the account, and one elsewhere', () => {
    const counts = providersPerAccount(cloud);
    for (const [account, count] of counts)
      expect([account, count]).toEqual([account, existing.includes(account) ? 0 : 1]);
    expectAllDeployRoles(cloud);
  });

  it('orders no stack after another for a provider that exists already', () => {
    for (const environment of model.environments) {
      const ci = built.environments.get(environment.name)?.ci;
      if (!ci || !existing.includes(environment.account)) continue;
      expect(ci.ownsOidcProvider).toBe(false);
      expect(ci.dependencies.map((stack) => stack.node.id)).toEqual([]);
    }
  });
});

describe("a repository whose tokens carry GitHub's immutable subject (organization.ci's numeric IDs)", () => {
  const shipped = shippedCloud().model;
  const model: PlatformModel = {
    ...shipped,
    organization: {
      ...shipped.organization,
      ci: { ...shipped.organization.ci, githubRepositoryOwnerId: 123456, githubRepositoryId: 456789 },
    },
  };
  let app: ReturnType<typeof testCdkApp>;
  beforeAll(() => {
    app = testCdkApp(
      Object.fromEntries(
        model.environments.map((environment) => [
          availabilityZoneContextKey(environment),
          environment.availabilityZones,
        ]),
      ),
    );
    buildCloudApp(app, model);
  });
  const cloud = stackTemplates(model, () => app);

  it('every deploy role trusts the subject that names the owner and the repository by ID', () => {
    const [owner, repository] = model.organization.ci.githubRepository.split('/');
    expectAllDeployRoles(cloud, `${owner}@123456/${repository}@456789`);
  });
});
