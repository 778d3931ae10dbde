import { loadModel, type PlatformModel } from '@platform/model';
import type { Template } from 'aws-cdk-lib/assertions';
import { draftModel } from '../model/support/drafts';
import { resourcesOfType, type SynthesizedCloud, synthesizeCloud } from './cloud-assembly';

/**
 * external-dns's AWS identity, for any environment: a role exactly where the model names a hosted zone, whose
 * record changes reach that zone and no other, and no other role of the environment that may change DNS records.
 * Run on the shipped model with its first environment's zone taken away, so both cases are seen.
 */

// biome-ignore lint/suspicious/noExplicitAny: templates are walked as plain JSON.
type Json = any;

const asList = (value: unknown): Json[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** A resource ARN as text, with the partition of a `Fn::Join` (`{ Ref: AWS::Partition }`) as `aws`. */
function arnText(value: Json): string {
  if (typeof value === 'string') return value;
  const [separator, parts] = value['Fn::Join'];
  return (parts as Json[])
    .map((part) => (typeof part === 'string' ? part : part.Ref === 'AWS::Partition' ? 'aws' : JSON.stringify(part)))
    .join(separator);
}

/** Every statement of the template's IAM policies that grants a Route 53 action, with the roles it is attached to. */
function route53Grants(template: Template) {
  const roles = resourcesOfType(template, 'AWS::IAM::Role');
  return Object.values(resourcesOfType(template, 'AWS::IAM::Policy')).flatMap(({ Properties }) => {
    const roleNames = asList(Properties.Roles).map((ref) => roles[ref.Ref]?.Properties.RoleName);
    return asList((Properties.PolicyDocument as Json).Statement)
      .filter((statement) => asList(statement.Action).some((action) => String(action).startsWith('route53')))
      .map((statement) => ({
        roleNames,
        actions: asList(statement.Action).sort(),
        resources: asList(statement.Resource).map(arnText),
      }));
  });
}

const draft = draftModel();
draft.environments[0].edge.hostedZone = undefined;
const model: PlatformModel = loadModel(draft);

let cloud: SynthesizedCloud;
beforeAll(() => {
  cloud = synthesizeCloud({ model });
});

test('the model under test has an environment with a hosted zone and one without', () => {
  expect(model.environments.some((environment) => environment.edge.hostedZone)).toBe(true);
  expect(model.environments.some((environment) => !environment.edge.hostedZone)).toBe(true);
});

describe.each(model.environments.map((environment) => environment.name))('%s', (name) => {
  test('external-dns alone may touch Route 53, and its record changes reach exactly the hosted zone of the model', () => {
    const environment = cloud.environment(name);
    const roleName = cloud.naming(name).addonRoleName('externalDns');
    const stacks = cloud.assembly.stacks.filter((stack) => stack.id.startsWith(`${name}-`));
    expect(stacks.length).toBeGreaterThan(0);
    const grants = stacks.flatMap((stack) => route53Grants(cloud.template(stack.id)));
    const zone = environment.edge.hostedZone;
    if (!zone) {
      expect(grants).toEqual([]);
      const roles = resourcesOfType(cloud.template(`${name}-cluster`), 'AWS::IAM::Role');
      expect(Object.values(roles).map((role) => role.Properties.RoleName)).not.toContain(roleName);
      return;
    }
    expect(grants).toEqual([
      {
        roleNames: [roleName],
        actions: ['route53:ChangeResourceRecordSets', 'route53:ListResourceRecordSets', 'route53:ListTagsForResources'],
        resources: [`arn:aws:route53:::hostedzone/${zone.id}`],
      },
      // Route 53 scopes ListHostedZones to no resource: it can only be granted on every one.
      { roleNames: [roleName], actions: ['route53:ListHostedZones'], resources: ['*'] },
    ]);
  });

  test('external-dns is bound to its service account where, and only where, the model names a hosted zone', () => {
    const associations = Object.values(
      resourcesOfType(cloud.template(`${name}-cluster`), 'AWS::EKS::PodIdentityAssociation'),
    ).filter(({ Properties }) => Properties.Namespace === 'external-dns');
    expect(associations.map(({ Properties }) => Properties.ServiceAccount)).toEqual(
      cloud.environment(name).edge.hostedZone ? ['external-dns'] : [],
    );
  });
});
