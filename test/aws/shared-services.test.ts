import { GITHUB_OIDC_ISSUER } from '@platform/aws-platform';
import {
  availabilityZoneContextKey,
  ciImagePushRoleName,
  ciServiceImagePushRoleName,
  ecrRepositoryName,
  imageRepositoryStackId,
  type PlatformModel,
  sharedServicesStackIds,
} from '@platform/model';
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildCloudApp } from '../../apps/cloud/src/cloud-app';
import { pushersByRepository } from '../properties/support/aws-invariants';
import { testCdkApp } from '../support/cdk-app';
import { type CloudTemplates, resourcesOfType, shippedCloud } from './cloud-assembly';

// The stack's account and region are the assembly's, not the template's: test/aws/templates.test.ts checks them.
let synthesized: CloudTemplates;
beforeAll(() => {
  synthesized = shippedCloud();
});

const template = () => synthesized.template('shared-services');
/** Every service's repository, each from the service's own repository stack. */
const repositoriesOf = () =>
  synthesized.model.services.flatMap((service) =>
    Object.values(resourcesOfType(synthesized.template(imageRepositoryStackId(service.name)), 'AWS::ECR::Repository')),
  );

test('one repository per service, in its own stack: immutable tags, scan on push, KMS, lifecycle', () => {
  for (const service of synthesized.model.services) {
    expect(
      Object.keys(resourcesOfType(synthesized.template(imageRepositoryStackId(service.name)), 'AWS::ECR::Repository')),
    ).toHaveLength(1);
  }
  expect(Object.keys(resourcesOfType(template(), 'AWS::ECR::Repository'))).toHaveLength(0);
  const repositories = repositoriesOf().map(({ Properties }) => Properties);
  expect(repositories.map((repository) => repository.RepositoryName).sort()).toEqual(
    synthesized.model.services.map((service) => ecrRepositoryName(synthesized.model.organization, service.name)).sort(),
  );
  for (const repository of repositories) {
    expect(repository).toMatchObject({
      ImageTagMutability: 'IMMUTABLE',
      ImageScanningConfiguration: { ScanOnPush: true },
      EncryptionConfiguration: { EncryptionType: 'KMS' },
    });
    const rules = JSON.parse(
      String((repository.LifecyclePolicy as { LifecyclePolicyText: string }).LifecyclePolicyText),
    ).rules;
    // What they expire is judged by ECR's evaluation in image-expiry.test.ts; no rule may select every tag.
    expect(rules.map((rule: { selection: { tagStatus: string } }) => rule.selection.tagStatus)).not.toContain('any');
  }
});

test('every environment account may pull, and only pull', () => {
  const accounts = [...new Set(synthesized.model.environments.map((environment) => environment.account))].sort();
  for (const { Properties } of repositoriesOf()) {
    const statements = (Properties.RepositoryPolicyText as { Statement: Record<string, unknown>[] }).Statement.filter(
      (statement) => statement.Effect === 'Allow',
    );
    expect(statements).toHaveLength(1);
    expect([statements[0].Action].flat().sort()).toEqual([
      'ecr:BatchCheckLayerAvailability',
      'ecr:BatchGetImage',
      'ecr:GetDownloadUrlForLayer',
    ]);
    const principals = (statements[0].Principal as { AWS: unknown[] }).AWS.map((principal) =>
      JSON.stringify(principal),
    );
    expect(principals).toHaveLength(accounts.length);
    accounts.forEach((account, index) => {
      expect(principals[index]).toContain(`:iam::${account}:root`);
    });
  }
});

/** The exact trust of a push role: one OIDC subject, GitHub's audience, through the account's provider. */
function expectTrusts(role: { Properties: Record<string, unknown> }, subject: string, like = false) {
  expect(role.Properties.AssumeRolePolicyDocument).toMatchObject({
    Statement: [{ Action: 'sts:AssumeRoleWithWebIdentity' }],
  });
  const { Statement } = role.Properties.AssumeRolePolicyDocument as { Statement: { Condition: unknown }[] };
  expect(Statement).toHaveLength(1);
  const audience = { [`${GITHUB_OIDC_ISSUER}:aud`]: 'sts.amazonaws.com' };
  const sub = { [`${GITHUB_OIDC_ISSUER}:sub`]: subject };
  expect(Statement[0].Condition).toEqual(
    like ? { StringEquals: audience, StringLike: sub } : { StringEquals: { ...audience, ...sub } },
  );
}

/**
 * What a service repository's job carries in its subject by default (GitHub Docs, "OpenID Connect reference":
 * `include_claim_keys` repo, context, job_workflow_ref): the reusable workflow it runs, this repository's service
 * image workflow at any ref.
 */
const serviceImageWorkflowAnyRef = (model: PlatformModel) =>
  `job_workflow_ref:${model.organization.ci.githubRepository}/.github/workflows/service-image.yml@*`;

test('each push role is assumed through GitHub OIDC only from the protected branch of its one repository', () => {
  const { organization, services } = synthesized.model;
  template().hasResourceProperties('AWS::IAM::OIDCProvider', {
    Url: `https://${GITHUB_OIDC_ISSUER}`,
    ClientIdList: ['sts.amazonaws.com'],
  });
  // This repository's tokens follow the template `repo, context, ref` (README, "Deploying"): a job without a GitHub
  // Environment carries its ref twice.
  const { githubRepository, branch } = organization.ci;
  expectTrusts(
    roleNamed(ciImagePushRoleName(organization)),
    `repo:${githubRepository}:ref:refs/heads/${branch}:ref:refs/heads/${branch}`,
  );
  // A service repository's job on its branch, and only while it runs this repository's service image workflow.
  for (const service of services) {
    if (!service.ci) continue;
    expectTrusts(
      roleNamed(ciServiceImagePushRoleName(organization, service.name)),
      `repo:${service.ci.githubRepository}:ref:refs/heads/${service.ci.branch}:${serviceImageWorkflowAnyRef(synthesized.model)}`,
      true,
    );
  }
});

test("push roles of repositories whose tokens carry GitHub's immutable subject trust it, by the owner's and repository's IDs", () => {
  const shipped = synthesized.model;
  const withIds = <T extends { githubRepository: string }>(ci: T, ownerId: number, repositoryId: number) => ({
    ...ci,
    githubRepositoryOwnerId: ownerId,
    githubRepositoryId: repositoryId,
  });
  // The organization's repository and the first service's have IDs; any other service repository keeps names only,
  // and opts out of naming the workflow (`oidcSubject: 'default'`, GitHub's default subject).
  const first = shipped.services.findIndex((service) => service.ci !== undefined);
  expect(shipped.services.filter((service) => service.ci).length).toBeGreaterThan(1);
  const model: PlatformModel = {
    ...shipped,
    organization: { ...shipped.organization, ci: withIds(shipped.organization.ci, 11, 22) },
    services: shipped.services.map((service, index) =>
      !service.ci
        ? service
        : index === first
          ? { ...service, ci: withIds(service.ci, 33, 44) }
          : { ...service, ci: { ...service.ci, oidcSubject: 'default' as const } },
    ),
  };
  const app = testCdkApp(
    Object.fromEntries(
      model.environments.map((environment) => [availabilityZoneContextKey(environment), environment.availabilityZones]),
    ),
  );
  buildCloudApp(app, model);
  // The organization's role is in the shared-services stack, a service repository's in its repository's stack.
  const templates = sharedServicesStackIds(model).map((stack) =>
    Template.fromStack(app.node.findChild(stack) as Stack),
  );
  const role = (name: string) =>
    templates.flatMap((template) =>
      Object.values(resourcesOfType(template, 'AWS::IAM::Role')).filter((r) => r.Properties.RoleName === name),
    );
  const { organization } = model;
  const [owner, repository] = organization.ci.githubRepository.split('/');
  const { branch } = organization.ci;
  expect(role(ciImagePushRoleName(organization))).toHaveLength(1);
  expectTrusts(
    role(ciImagePushRoleName(organization))[0],
    `repo:${owner}@11/${repository}@22:ref:refs/heads/${branch}:ref:refs/heads/${branch}`,
  );
  expect(first).toBeGreaterThan(-1);
  model.services.forEach((service, index) => {
    if (!service.ci) return;
    const [serviceOwner, serviceRepository] = service.ci.githubRepository.split('/');
    const name = index === first ? `${serviceOwner}@33/${serviceRepository}@44` : service.ci.githubRepository;
    const roles = role(ciServiceImagePushRoleName(organization, service.name));
    expect(roles).toHaveLength(1);
    const subject = `repo:${name}:ref:refs/heads/${service.ci.branch}`;
    if (index === first) expectTrusts(roles[0], `${subject}:${serviceImageWorkflowAnyRef(model)}`, true);
    else expectTrusts(roles[0], subject);
  });
});

/** The role of this name in the shared-services stack or a repository stack. */
function roleNamed(name: string) {
  const roles = sharedServicesStackIds(synthesized.model)
    .flatMap((stack) => Object.values(resourcesOfType(synthesized.template(stack), 'AWS::IAM::Role')))
    .filter((role) => role.Properties.RoleName === name);
  expect(roles).toHaveLength(1);
  return roles[0];
}

test("each repository is written by exactly one role: its own repository's, else the organization's", () => {
  const { organization, services } = synthesized.model;
  const pushers = pushersByRepository(
    sharedServicesStackIds(synthesized.model).map((stack) => synthesized.template(stack).toJSON().Resources),
    organization.sharedServices,
  );
  for (const service of services) {
    const repository = ecrRepositoryName(organization, service.name);
    const expected = service.ci
      ? ciServiceImagePushRoleName(organization, service.name)
      : ciImagePushRoleName(organization);
    expect([repository, pushers.get(repository)]).toEqual([repository, [expected]]);
  }
  expect(services.some((service) => service.ci)).toBe(true);
});

test("the organization's push role pushes only to the service repositories: those named by the organization's prefix", () => {
  const { organization } = synthesized.model;
  const [policy] = Object.values(resourcesOfType(template(), 'AWS::IAM::Policy'));
  const statements = (policy.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] })
    .Statement;
  const pushResources: string[] = [];
  for (const statement of statements) {
    const actions = [statement.Action].flat();
    if (actions.includes('ecr:GetAuthorizationToken')) {
      // Authorization tokens have no resource scope in IAM.
      expect(actions).toEqual(['ecr:GetAuthorizationToken']);
      expect(statement.Resource).toBe('*');
    } else {
      expect(actions).toContain('ecr:PutImage');
      pushResources.push(...[statement.Resource].flat().map(String));
    }
  }
  const { account, region } = organization.sharedServices;
  // One pattern, `<organization>/*`: every service repository, and no repository of another organization's naming.
  expect(pushResources).toEqual([`arn:aws:ecr:${region}:${account}:repository/${organization.name}/*`]);
  const pattern = new RegExp(`^${organization.name}/[^/]+$`);
  for (const { Properties } of repositoriesOf()) expect(String(Properties.RepositoryName)).toMatch(pattern);
});

test('the shared stack is tagged with the organization owner and cost center', () => {
  const tags = (Object.values(resourcesOfType(template(), 'AWS::IAM::Role'))[0].Properties.Tags ?? []) as {
    Key: string;
    Value: string;
  }[];
  expect(tags).toEqual([
    { Key: 'cost-center', Value: synthesized.model.organization.tags.costCenter },
    { Key: 'environment', Value: 'shared' },
    { Key: 'owner', Value: synthesized.model.organization.tags.owner },
  ]);
});
