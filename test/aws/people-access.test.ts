import { PORT_FORWARDING_DOCUMENT, SSM_AGENT_POLICY } from '@platform/aws-platform';
import { environmentStackIds, type PeopleRole, peopleRoles, wantsBreakGlassBastion } from '@platform/model';
import type { Template } from 'aws-cdk-lib/assertions';
import { type CloudTemplates, MODEL_ENVIRONMENTS, resourcesOfType, shippedCloud } from './cloud-assembly';

let cloud: CloudTemplates;
beforeAll(() => {
  cloud = shippedCloud();
});

type Resource = { Properties: Record<string, unknown>; [key: string]: unknown };
type Statement = Record<string, unknown>;

/** An ARN written with Fn::Join and the partition, as text (the partition of the model's region, `aws` here). */
function joined(value: unknown): string {
  if (typeof value === 'string') return value;
  const [separator, parts] = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return parts
    .map((part) =>
      typeof part === 'string'
        ? part
        : JSON.stringify(part) === '{"Ref":"AWS::Partition"}'
          ? 'aws'
          : JSON.stringify(part),
    )
    .join(separator);
}

const getAtt = (id: string, attribute: string) => JSON.stringify({ 'Fn::GetAtt': [id, attribute] });
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

function roleIdNamed(template: Template, roleName: string): string | undefined {
  const roles = resourcesOfType(template, 'AWS::IAM::Role');
  return Object.keys(roles).find((id) => roles[id].Properties.RoleName === roleName);
}

function statementsOfRole(template: Template, roleId: string): Statement[] {
  return Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
    .filter(({ Properties }) =>
      asList(Properties.Roles).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId })),
    )
    .flatMap(({ Properties }) => (Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** The access entry of each principal (by its ARN as text, or `GetAtt` JSON of a role of the template). */
function accessEntries(template: Template): Map<string, Resource[]> {
  const entries = new Map<string, Resource[]>();
  for (const entry of Object.values(resourcesOfType(template, 'AWS::EKS::AccessEntry'))) {
    const principal = entry.Properties.PrincipalArn;
    const key = typeof principal === 'string' ? principal : JSON.stringify(principal);
    entries.set(key, [...(entries.get(key) ?? []), entry]);
  }
  return entries;
}

const policiesOf = (entry: Resource) =>
  (entry.Properties.AccessPolicies as { AccessScope: unknown; PolicyArn: unknown }[]).map((policy) => ({
    scope: policy.AccessScope,
    policy: joined(policy.PolicyArn),
  }));

const expectedPolicies = (role: PeopleRole) => [
  {
    scope: role.namespaces ? { Type: 'namespace', Namespaces: [...role.namespaces] } : { Type: 'cluster' },
    policy: `arn:aws:eks::aws:cluster-access-policy/${role.accessPolicy}`,
  },
];

describe.each(MODEL_ENVIRONMENTS)('people access in %s', (name) => {
  const template = () => cloud.template(`${name}-cluster`);
  const environment = () => cloud.environment(name);
  const roles = () => peopleRoles(cloud.naming(name), environment(), cloud.model.teams);

  test('the model names principals for a team role and a read-only role (else this file tests nothing)', () => {
    // The shipped model does; a model without `access` would get no people roles and pass the tests below.
    expect(roles().some((role) => role.namespaces)).toBe(true);
    expect(roles().some((role) => !role.namespaces)).toBe(true);
  });

  test("each people role has one access entry: edit in its team's namespace, or view of the cluster", () => {
    const entries = accessEntries(template());
    for (const role of roles()) {
      const id = roleIdNamed(template(), role.roleName);
      expect({ role: role.roleName, exists: id !== undefined }).toEqual({ role: role.roleName, exists: true });
      const own = entries.get(getAtt(id as string, 'Arn')) ?? [];
      expect({ role: role.roleName, policies: own.map(policiesOf) }).toEqual({
        role: role.roleName,
        policies: [expectedPolicies(role)],
      });
    }
  });

  test('no other principal gets Kubernetes rights beyond the admin role and the CDK kubectl handler', () => {
    const people = new Set(roles().map((role) => getAtt(roleIdNamed(template(), role.roleName) as string, 'Arn')));
    const admin = environment().cluster.adminRoleArn;
    for (const [principal, entries] of accessEntries(template())) {
      if (people.has(principal)) continue;
      for (const entry of entries) {
        const policies = policiesOf(entry);
        if (policies.length === 0) continue; // node roles (Karpenter's): EKS grants them node rights by type
        // The admin role of the model, and aws-cdk-lib's kubectl handler (its Helm and manifest resources).
        const isAdmin = principal === admin;
        const isKubectlHandler = /KubectlProviderHandlerServiceRole/.test(principal);
        expect({ principal, allowed: isAdmin || isKubectlHandler }).toEqual({ principal, allowed: true });
      }
    }
  });

  test("each people role trusts exactly the model's principals of the environment's account", () => {
    const roleResources = resourcesOfType(template(), 'AWS::IAM::Role');
    for (const role of roles()) {
      const id = roleIdNamed(template(), role.roleName) as string;
      const trust = (roleResources[id].Properties.AssumeRolePolicyDocument as { Statement: Statement[] }).Statement;
      expect(trust).toEqual([
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { AWS: `arn:aws:iam::${environment().account}:root` },
          Condition: { ArnLike: { 'aws:PrincipalArn': [...role.principals] } },
        },
      ]);
    }
  });

  test('each people role may describe its cluster and, with a break-glass instance, forward a port through it; nothing else', () => {
    const bastion = wantsBreakGlassBastion(environment());
    const instances = Object.keys(resourcesOfType(template(), 'AWS::EC2::Instance'));
    const clusters = Object.keys(resourcesOfType(template(), 'AWS::EKS::Cluster'));
    expect(clusters).toHaveLength(1);
    for (const role of roles()) {
      const statements = statementsOfRole(template(), roleIdNamed(template(), role.roleName) as string);
      const expected: Statement[] = [
        {
          Sid: 'WriteKubeconfig',
          Effect: 'Allow',
          Action: 'eks:DescribeCluster',
          Resource: { 'Fn::GetAtt': [clusters[0], 'Arn'] },
        },
      ];
      if (bastion) {
        expected.push({
          Sid: 'BreakGlassPortForwarding',
          Effect: 'Allow',
          Action: 'ssm:StartSession',
          Condition: { BoolIfExists: { 'ssm:SessionDocumentAccessCheck': 'true' } },
          Resource: [
            `arn:aws:ssm:${environment().region}::document/${PORT_FORWARDING_DOCUMENT}`,
            {
              'Fn::Join': [
                '',
                [`arn:aws:ec2:${environment().region}:${environment().account}:instance/`, { Ref: instances[0] }],
              ],
            },
          ],
        });
      }
      expect({ role: role.roleName, statements }).toEqual({ role: role.roleName, statements: expected });
    }
  });
});

describe.each(MODEL_ENVIRONMENTS)('break-glass instance in %s', (name) => {
  const template = () => cloud.template(`${name}-cluster`);
  const wanted = () => wantsBreakGlassBastion(cloud.environment(name));

  test('exists exactly when the model asks for it, in no stack of the environment otherwise', () => {
    const stacks = environmentStackIds(cloud.model, name)
      .slice(1)
      .map((stack) => cloud.template(stack));
    const count = stacks.reduce((n, t) => n + Object.keys(resourcesOfType(t, 'AWS::EC2::Instance')).length, 0);
    expect(count).toBe(wanted() ? 1 : 0);
  });

  test('is minimal: IMDSv2 only, encrypted root, no key, no public address, SSM agent policy only', () => {
    if (!wanted()) return;
    const [instance] = Object.values(resourcesOfType(template(), 'AWS::EC2::Instance'));
    const props = instance.Properties;
    expect(props.KeyName).toBeUndefined();
    // No user data beyond aws-cdk-lib's empty script: the instance runs the SSM agent of its AMI and nothing else.
    expect([undefined, '#!/bin/bash']).toContain(
      (props.UserData as { 'Fn::Base64'?: string } | undefined)?.['Fn::Base64'],
    );
    const mappings = props.BlockDeviceMappings as { Ebs: { Encrypted: boolean } }[];
    expect(mappings.length).toBeGreaterThan(0);
    for (const mapping of mappings) expect(mapping.Ebs.Encrypted).toBe(true);
    for (const nic of props.NetworkInterfaces as { AssociatePublicIpAddress: boolean }[]) {
      expect(nic.AssociatePublicIpAddress).toBe(false);
    }
    // aws-cdk-lib puts IMDSv2 into a launch template the instance uses.
    const launchTemplateId = Object.keys(resourcesOfType(template(), 'AWS::EC2::LaunchTemplate')).find(
      (id) =>
        JSON.stringify((props.LaunchTemplate as { Version: unknown }).Version) === getAtt(id, 'LatestVersionNumber'),
    );
    expect(launchTemplateId).toBeDefined();
    const launchTemplate = resourcesOfType(template(), 'AWS::EC2::LaunchTemplate')[launchTemplateId as string];
    expect((launchTemplate.Properties.LaunchTemplateData as Record<string, unknown>).MetadataOptions).toEqual({
      HttpTokens: 'required',
    });
    // Its role: the SSM agent's managed policy and nothing else.
    const profile = resourcesOfType(template(), 'AWS::IAM::InstanceProfile')[
      (props.IamInstanceProfile as { Ref: string }).Ref
    ];
    const [roleRef] = profile.Properties.Roles as { Ref: string }[];
    const role = resourcesOfType(template(), 'AWS::IAM::Role')[roleRef.Ref];
    expect((role.Properties.ManagedPolicyArns as unknown[]).map(joined)).toEqual([
      `arn:aws:iam::aws:policy/${SSM_AGENT_POLICY}`,
    ]);
    expect(statementsOfRole(template(), roleRef.Ref)).toEqual([]);
  });

  test('admits nothing in and reaches the cluster security group on 443 only', () => {
    if (!wanted()) return;
    const [instance] = Object.values(resourcesOfType(template(), 'AWS::EC2::Instance'));
    const groups = (instance.Properties.NetworkInterfaces as { GroupSet: unknown[] }[]).flatMap((n) => n.GroupSet);
    expect(groups).toHaveLength(1);
    const groupId = (groups[0] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const group = resourcesOfType(template(), 'AWS::EC2::SecurityGroup')[groupId];
    expect(group.Properties.SecurityGroupIngress).toBeUndefined();
    expect(group.Properties.SecurityGroupEgress).toEqual([
      expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' }),
    ]);
    const ingress = Object.values(resourcesOfType(template(), 'AWS::EC2::SecurityGroupIngress'));
    expect(ingress.filter((rule) => JSON.stringify(rule.Properties.GroupId) === getAtt(groupId, 'GroupId'))).toEqual(
      [],
    );
    const [cluster] = Object.keys(resourcesOfType(template(), 'AWS::EKS::Cluster'));
    const fromBastion = ingress.filter(
      (rule) => JSON.stringify(rule.Properties.SourceSecurityGroupId) === getAtt(groupId, 'GroupId'),
    );
    expect(
      fromBastion.map((rule) => [
        rule.Properties.GroupId,
        rule.Properties.IpProtocol,
        rule.Properties.FromPort,
        rule.Properties.ToPort,
      ]),
    ).toEqual([[{ 'Fn::GetAtt': [cluster, 'ClusterSecurityGroupId'] }, 'tcp', 443, 443]]);
  });
});
