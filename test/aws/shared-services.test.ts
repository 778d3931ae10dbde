import { GITHUB_OIDC_ISSUER, type SharedServicesStack } from '@platform/aws-platform';
import {
  availabilityZoneContextKey,
  ciImagePushRoleName,
  ciServiceImagePushRoleName,
  ecrRepositoryName,
  type PlatformModel,
} from '@platform/model';
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

test('one repository per service: immutable tags, scan on push, KMS, lifecycle', () => {
  const repositories = Object.values(resourcesOfType(template(), 'AWS::ECR::Repository')).map(
    ({ Properties }) => Properties,
  );
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
  for (const { Properties } of Object.values(resourcesOfType(template(), 'AWS::ECR::Repository'))) {
    const statements = (Properties.RepositoryPolicyText as { Statement: Record<string, unknown>[] }).Statement;
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
function expectTrusts(role: { Properties: Record<string, unknown> }, subject: string) {
  expect(role.Properties.AssumeRolePolicyDocument).toMatchObject({
    Statement: [
      {
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${GITHUB_OIDC_ISSUER}:aud`]: 'sts.amazonaws.com',
            [`${GITHUB_OIDC_ISSUER}:sub`]: subject,
          },
        },
      },
    ],
  });
}

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
  // A service repository keeps GitHub's default subject.
  for (const service of services) {
    if (!service.ci) continue;
    expectTrusts(
      roleNamed(ciServiceImagePushRoleName(organization, service.name)),
      `repo:${service.ci.githubRepository}:ref:refs/heads/${service.ci.branch}`,
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
  // The organization's repository and the first service's have IDs; any other service repository keeps names only.
  const first = shipped.services.findIndex((service) => service.ci !== undefined);
  const model: PlatformModel = {
    ...shipped,
    organization: { ...shipped.organization, ci: withIds(shipped.organization.ci, 11, 22) },
    services: shipped.services.map((service, index) =>
      index === first && service.ci ? { ...service, ci: withIds(service.ci, 33, 44) } : service,
    ),
  };
  const app = testCdkApp(
    Object.fromEntries(
      model.environments.map((environment) => [availabilityZoneContextKey(environment), environment.availabilityZones]),
    ),
  );
  buildCloudApp(app, model);
  const resources = Template.fromStack(app.node.findChild('shared-services') as SharedServicesStack);
  const role = (name: string) =>
    Object.values(resourcesOfType(resources, 'AWS::IAM::Role')).filter((r) => r.Properties.RoleName === name);
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
    expectTrusts(roles[0], `repo:${name}:ref:refs/heads/${service.ci.branch}`);
  });
});

function roleNamed(name: string) {
  const roles = Object.values(resourcesOfType(template(), 'AWS::IAM::Role')).filter(
    (role) => role.Properties.RoleName === name,
  );
  expect(roles).toHaveLength(1);
  return roles[0];
}

test('each service repository pushes to its own service repository only; the organization to the others', () => {
  const { organization, services } = synthesized.model;
  const pushers = pushersByRepository(template().toJSON().Resources);
  for (const service of services) {
    const repository = ecrRepositoryName(organization, service.name);
    const expected = service.ci
      ? ciServiceImagePushRoleName(organization, service.name)
      : ciImagePushRoleName(organization);
    expect([repository, pushers.get(repository)]).toEqual([repository, [expected]]);
  }
  expect(services.some((service) => service.ci)).toBe(true);
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
