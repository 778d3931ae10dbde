import {
  CONTROLLER_POLICY_REFERENCES,
  type ControllerPolicyReference,
  KARPENTER_INTERRUPTION_EVENTS_REFERENCE,
  type ReferenceStatement,
} from '@platform/aws-platform';
import type { Template } from 'aws-cdk-lib/assertions';
import { type CloudTemplates, shippedCloud } from './cloud-assembly';

/**
 * Each controller's policy, as IAM evaluates it once CloudFormation has resolved the template,
 * against upstream's reference policy at the pinned version (controller-policy-references.ts):
 * the same statements, each with the same actions (never fewer: the controller would fail), the
 * same resources (an ARN's `*` region or account may be narrowed to the environment's) and the
 * same conditions (never fewer or looser: the controller could reach what upstream keeps it from).
 */

// biome-ignore lint/suspicious/noExplicitAny: templates are walked as plain JSON.
type Json = any;

/** IAM's quota on the inline policies of one role, in characters without whitespace. */
const INLINE_POLICY_QUOTA = 10_240;

interface Environment {
  readonly name: string;
  readonly account: string;
  readonly region: string;
}

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The value CloudFormation gives a template expression in this environment. */
function resolver(resources: Record<string, Json>, environment: Environment): (value: Json) => Json {
  const partition = partitionOf(environment.region);
  const { account, region } = environment;
  const resolve = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(resolve);
    if (!value || typeof value !== 'object') return value;
    if ('Ref' in value) {
      const pseudo: Record<string, string> = {
        'AWS::Partition': partition,
        'AWS::Region': region,
        'AWS::AccountId': account,
        'AWS::URLSuffix': partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com',
      };
      if (value.Ref in pseudo) return pseudo[value.Ref];
      const resource = resources[value.Ref];
      if (resource?.Type === 'AWS::EKS::Cluster') return resolve(resource.Properties.Name);
      throw new Error(`no resolution for ${JSON.stringify(value)}`);
    }
    if ('Fn::GetAtt' in value) {
      const [logicalId, attribute] = value['Fn::GetAtt'];
      const resource = resources[logicalId];
      const property = (name: string) => resolve(resource.Properties[name]);
      if (attribute === 'Arn' && resource?.Type === 'AWS::IAM::Role') {
        return `arn:${partition}:iam::${account}:role${property('Path') ?? '/'}${property('RoleName')}`;
      }
      if (attribute === 'Arn' && resource?.Type === 'AWS::SQS::Queue') {
        return `arn:${partition}:sqs:${region}:${account}:${property('QueueName')}`;
      }
      if (attribute === 'Arn' && resource?.Type === 'AWS::EKS::Cluster') {
        return `arn:${partition}:eks:${region}:${account}:cluster/${property('Name')}`;
      }
      throw new Error(`no resolution for ${JSON.stringify(value)}`);
    }
    if ('Fn::Join' in value) {
      const [separator, parts] = value['Fn::Join'];
      return resolve(parts).join(separator);
    }
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolve(item)]));
  };
  return resolve;
}

const asList = (value: unknown): string[] =>
  value === undefined ? [] : (Array.isArray(value) ? value : [value]).map(String);

/** The role with this name and every policy statement attached to it, resolved. */
function policyOfRole(template: Template, environment: Environment, roleName: string) {
  const resources: Record<string, Json> = template.toJSON().Resources;
  const resolve = resolver(resources, environment);
  const roleIds = Object.keys(resources).filter(
    (id) => resources[id].Type === 'AWS::IAM::Role' && resources[id].Properties.RoleName === roleName,
  );
  expect(roleIds).toHaveLength(1);
  const role = resources[roleIds[0]].Properties;
  // Nothing but the inline policies below grants the controller anything.
  expect(role.ManagedPolicyArns ?? []).toEqual([]);
  expect(role.Policies ?? []).toEqual([]);
  const attached = Object.values(resources).filter(
    (resource) =>
      ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].includes(resource.Type) &&
      asList(resource.Properties.Roles?.map((ref: Json) => ref.Ref)).includes(roleIds[0]),
  );
  expect(attached.every((policy) => policy.Type === 'AWS::IAM::Policy')).toBe(true);
  const documents = attached.map((policy) => resolve(policy.Properties.PolicyDocument));
  return { documents, statements: documents.flatMap((document) => document.Statement as Json[]) };
}

/** The reference's placeholders with this environment's values. */
function substitute(reference: string, values: Readonly<Record<string, string>>): string {
  return reference.replace(/<([^>]+)>/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`the reference uses an unknown placeholder <${name}>`);
    return values[name];
  });
}

/** Whether our resource is upstream's, or upstream's with a `*` region or account narrowed to the environment's. */
function coversResource(ours: string, upstream: string, environment: Environment): boolean {
  if (ours === upstream) return true;
  const a = ours.split(':');
  const b = upstream.split(':');
  if (a.length !== b.length || a.length < 6 || a[0] !== 'arn') return false;
  return a.every((field, index) => {
    if (field === b[index]) return true;
    if (index === 3) return b[index] === '*' && field === environment.region;
    if (index === 4) return b[index] === '*' && field === environment.account;
    return false;
  });
}

/** Conditions with every value as a sorted list, so `"a"` and `["a"]` compare equal. */
function normalizedConditions(conditions: Json): Record<string, Record<string, string[]>> {
  return Object.fromEntries(
    Object.entries(conditions ?? {}).map(([operator, keys]) => [
      operator,
      Object.fromEntries(Object.entries(keys as Json).map(([key, values]) => [key, asList(values).sort()])),
    ]),
  );
}

/** What differs between our statement and upstream's; empty when they agree. */
function differences(
  ours: Json,
  upstream: ReferenceStatement,
  environment: Environment,
  values: Record<string, string>,
) {
  const found: string[] = [];
  const where = `${environment.name} ${upstream.sid}`;
  if (ours.Effect !== 'Allow') found.push(`${where}: Effect ${ours.Effect}`);
  for (const key of ['NotAction', 'NotResource', 'Principal', 'NotPrincipal']) {
    if (key in ours) found.push(`${where}: has ${key}`);
  }
  const actions = new Set(asList(ours.Action));
  for (const action of upstream.actions) if (!actions.has(action)) found.push(`${where}: lacks action ${action}`);
  for (const action of actions) if (!upstream.actions.includes(action)) found.push(`${where}: extra action ${action}`);
  const expected = upstream.resources.map((resource) => substitute(resource, values));
  const resources = asList(ours.Resource);
  for (const resource of resources) {
    if (!expected.some((pattern) => coversResource(resource, pattern, environment))) {
      found.push(`${where}: resource ${resource} is not upstream's`);
    }
  }
  for (const pattern of expected) {
    if (!resources.some((resource) => coversResource(resource, pattern, environment))) {
      found.push(`${where}: lacks resource ${pattern}`);
    }
  }
  const expectedConditions = normalizedConditions(
    Object.fromEntries(
      Object.entries(upstream.conditions ?? {}).map(([operator, keys]) => [
        operator,
        Object.fromEntries(
          Object.entries(keys).map(([key, value]) => [
            substitute(key, values),
            asList(value).map((item) => substitute(item, values)),
          ]),
        ),
      ]),
    ),
  );
  const conditions = normalizedConditions(ours.Condition);
  for (const operator of new Set([...Object.keys(expectedConditions), ...Object.keys(conditions)])) {
    for (const key of new Set([
      ...Object.keys(expectedConditions[operator] ?? {}),
      ...Object.keys(conditions[operator] ?? {}),
    ])) {
      const want = expectedConditions[operator]?.[key];
      const have = conditions[operator]?.[key];
      if (JSON.stringify(want) !== JSON.stringify(have)) {
        found.push(
          `${where}: condition ${operator} ${key} is ${JSON.stringify(have)}, upstream ${JSON.stringify(want)}`,
        );
      }
    }
  }
  return found;
}

let synthesized: CloudTemplates;
beforeAll(() => {
  synthesized = shippedCloud();
});

/** The environments whose cluster runs the controller: external-dns only where the model names a hosted zone. */
function environmentsOf(addon: keyof typeof CONTROLLER_POLICY_REFERENCES) {
  return synthesized.model.environments.filter((environment) => addon !== 'externalDns' || environment.edge.hostedZone);
}

const references = Object.entries(CONTROLLER_POLICY_REFERENCES) as [
  keyof typeof CONTROLLER_POLICY_REFERENCES,
  ControllerPolicyReference,
][];

describe.each(references)('the %s policy is upstream’s reference policy', (addon, reference) => {
  test('the reference names its upstream file and version and has one statement per Sid', () => {
    expect(reference.source).toMatch(/ at tag v?\d+\.\d+\.\d+$/);
    const sids = reference.statements.map((statement) => statement.sid);
    expect(new Set(sids).size).toBe(sids.length);
  });

  test('in every environment: the same statements, actions, resources and conditions', () => {
    const found: string[] = [];
    for (const environment of environmentsOf(addon)) {
      const naming = synthesized.naming(environment.name);
      const partition = partitionOf(environment.region);
      const values = {
        Partition: partition,
        Region: environment.region,
        AccountId: environment.account,
        ClusterName: naming.clusterName,
        'KarpenterNodeRole.Arn': `arn:${partition}:iam::${environment.account}:role/${naming.karpenterNodeRoleName}`,
        'KarpenterInterruptionQueue.Arn': `arn:${partition}:sqs:${environment.region}:${environment.account}:${naming.karpenterInterruptionQueueName}`,
        HostedZoneId: environment.edge.hostedZone?.id ?? '(no hosted zone)',
      };
      const template = synthesized.template(`${environment.name}-cluster`);
      const { statements } = policyOfRole(template, environment, naming.addonRoleName(addon));
      const bySid = new Map<string, Json[]>();
      for (const statement of statements) {
        bySid.set(statement.Sid, [...(bySid.get(statement.Sid) ?? []), statement]);
      }
      for (const [sid, ours] of bySid) {
        if (!reference.statements.some((statement) => statement.sid === sid)) {
          found.push(`${environment.name}: statement ${sid} is not upstream's`);
        } else if (ours.length > 1) found.push(`${environment.name}: ${ours.length} statements ${sid}`);
      }
      for (const upstream of reference.statements) {
        const [ours] = bySid.get(upstream.sid) ?? [];
        if (ours) found.push(...differences(ours, upstream, environment, values));
        else found.push(`${environment.name}: lacks statement ${upstream.sid}`);
      }
    }
    expect(found).toEqual([]);
  });

  test('in every environment the role’s inline policies fit IAM’s quota', () => {
    for (const environment of environmentsOf(addon)) {
      const template = synthesized.template(`${environment.name}-cluster`);
      const { documents } = policyOfRole(
        template,
        environment,
        synthesized.naming(environment.name).addonRoleName(addon),
      );
      const size = documents.map((document) => JSON.stringify(document).replace(/\s/g, '').length);
      expect(size.reduce((sum, length) => sum + length, 0)).toBeLessThanOrEqual(INLINE_POLICY_QUOTA);
    }
  });
});

test('Karpenter’s interruption queue receives exactly the events of upstream’s template, in every environment', () => {
  const expected = KARPENTER_INTERRUPTION_EVENTS_REFERENCE.map((event) => `${event.source} ${event.detailType}`).sort();
  for (const environment of synthesized.model.environments) {
    const resources: Record<string, Json> = synthesized.template(`${environment.name}-cluster`).toJSON().Resources;
    const queueId = Object.keys(resources).find(
      (id) =>
        resources[id].Type === 'AWS::SQS::Queue' &&
        resources[id].Properties.QueueName === synthesized.naming(environment.name).karpenterInterruptionQueueName,
    );
    expect(queueId).toBeDefined();
    const routed = Object.values(resources)
      .filter(
        (resource) =>
          resource.Type === 'AWS::Events::Rule' &&
          JSON.stringify(resource.Properties.Targets).includes(`{"Fn::GetAtt":["${queueId}","Arn"]}`),
      )
      .flatMap((rule) =>
        asList(rule.Properties.EventPattern.source).flatMap((source) =>
          asList(rule.Properties.EventPattern['detail-type']).map((detailType) => `${source} ${detailType}`),
        ),
      );
    expect(routed.sort()).toEqual(expected);
  }
});
