import { GITHUB_OIDC_ISSUER } from '@platform/aws-platform';
import { ciImagePushRoleName, ecrRepositoryName, imageRepositoryStackId } from '@platform/model';
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

test('CI assumes its push role through GitHub OIDC only from the protected branches of the model repositories', () => {
  const { organization, services } = synthesized.model;
  template().hasResourceProperties('AWS::IAM::OIDCProvider', {
    Url: `https://${GITHUB_OIDC_ISSUER}`,
    ClientIdList: ['sts.amazonaws.com'],
  });
  const sources = [organization.ci, ...services.flatMap((service) => service.ci ?? [])];
  const subjects = [
    ...new Set(sources.map(({ githubRepository, branch }) => `repo:${githubRepository}:ref:refs/heads/${branch}`)),
  ];
  const role = roleNamed(ciImagePushRoleName(organization));
  expect(role.Properties.AssumeRolePolicyDocument).toMatchObject({
    Statement: [
      {
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${GITHUB_OIDC_ISSUER}:aud`]: 'sts.amazonaws.com',
            [`${GITHUB_OIDC_ISSUER}:sub`]: subjects.length === 1 ? subjects[0] : subjects.sort(),
          },
        },
      },
    ],
  });
});

function roleNamed(name: string) {
  const roles = Object.values(resourcesOfType(template(), 'AWS::IAM::Role')).filter(
    (role) => role.Properties.RoleName === name,
  );
  expect(roles).toHaveLength(1);
  return roles[0];
}

test("the CI role pushes only to the service repositories: those named by the organization's prefix", () => {
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
