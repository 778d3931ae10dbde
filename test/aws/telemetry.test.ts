import { ClusterTelemetry } from '@platform/aws-platform';
import { EnvironmentNaming, loadPlatformModel, UserError } from '@platform/model';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { testCdkApp } from '../support/cdk-app';
import { type CloudTemplates, MODEL_ENVIRONMENTS, resourcesOfType, shippedCloud } from './cloud-assembly';

/**
 * The cluster's logs and traces on the AWS side, for every environment of the model: the container and node log
 * groups with the model's retention (30 days by default) under a key of their own, a log collector role that may
 * write to exactly those groups and create nothing else, and a trace collector role that may only send segments.
 */

let synthesized: CloudTemplates;
beforeAll(() => {
  synthesized = shippedCloud();
});

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

function roleStatements(template: Template, roleName: string): Statement[] {
  const roles = resourcesOfType(template, 'AWS::IAM::Role');
  const roleId = Object.keys(roles).find((id) => roles[id].Properties.RoleName === roleName);
  expect({ roleName, found: roleId !== undefined }).toEqual({ roleName, found: true });
  return Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
    .filter(({ Properties }) =>
      (Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId })),
    )
    .flatMap(({ Properties }) => (Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** Logical ID of the log group of this name. */
function logGroupId(template: Template, name: string): string {
  const groups = resourcesOfType(template, 'AWS::Logs::LogGroup');
  const id = Object.keys(groups).find((key) => groups[key].Properties.LogGroupName === name);
  expect({ name, found: id !== undefined }).toEqual({ name, found: true });
  return id as string;
}

describe.each(MODEL_ENVIRONMENTS)('%s logs and traces', (name) => {
  const template = () => synthesized.template(`${name}-cluster`);
  const naming = () => synthesized.naming(name);
  const model = () => synthesized.environment(name);

  test('every log group of the collector keeps the model’s retention, is encrypted with a rotating key and outlives the stack', () => {
    const groups = resourcesOfType(template(), 'AWS::Logs::LogGroup');
    const keys = resourcesOfType(template(), 'AWS::KMS::Key');
    const days = model().observability?.logs?.retentionDays ?? 30;
    for (const groupName of [
      `/${synthesized.model.organization.name}/${name}/containers`,
      `/${synthesized.model.organization.name}/${name}/nodes`,
    ]) {
      const group = groups[logGroupId(template(), groupName)];
      expect(group.Properties.RetentionInDays).toBe(days);
      expect(group.DeletionPolicy).toBe('Retain');
      const [keyId] = (group.Properties.KmsKeyId as { 'Fn::GetAtt': string[] })['Fn::GetAtt'];
      expect(keys[keyId].Properties.EnableKeyRotation).toBe(true);
      // CloudWatch Logs may use the key for this environment's collector groups only.
      const statements = (keys[keyId].Properties.KeyPolicy as { Statement: Record<string, unknown>[] }).Statement;
      const forLogs = statements.filter((s) => JSON.stringify(s.Principal).includes('logs.'));
      expect(forLogs).toHaveLength(1);
      expect(JSON.stringify(forLogs[0].Condition)).toContain(
        `:log-group:/${synthesized.model.organization.name}/${name}/*`,
      );
    }
  });

  test('the log collector may create streams in and put events to exactly its log groups, and create no group', () => {
    const statements = roleStatements(template(), naming().addonRoleName('logCollector'));
    const actions = statements.flatMap((s) => asList(s.Action));
    expect([...new Set(actions)].sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    const resources = statements.flatMap((s) => asList(s.Resource)).map((r) => JSON.stringify(r));
    const expected = naming().logGroupNames.map((group) =>
      JSON.stringify({ 'Fn::GetAtt': [logGroupId(template(), group), 'Arn'] }),
    );
    expect([...new Set(resources)].sort()).toEqual([...expected].sort());
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
  });

  test('the trace collector may send trace segments to X-Ray and do nothing else', () => {
    const statements = roleStatements(template(), naming().addonRoleName('traceCollector'));
    expect(statements.map((s) => [asList(s.Action), s.Resource])).toEqual([[['xray:PutTraceSegments'], '*']]);
  });

  test('no role of the cluster stack may create a log group below the collectors’ prefix', () => {
    const grants = Object.values(resourcesOfType(template(), 'AWS::IAM::Policy')).flatMap(({ Properties }) =>
      (Properties.PolicyDocument as { Statement: Statement[] }).Statement.filter((s) =>
        asList(s.Action).some((a) => a === 'logs:CreateLogGroup' || a === 'logs:*'),
      ),
    );
    expect(
      grants.filter((s) => JSON.stringify(s.Resource).includes(`/${synthesized.model.organization.name}/${name}/`)),
    ).toEqual([]);
  });
});

describe('ClusterTelemetry', () => {
  const model = loadPlatformModel();
  const base = model.environments[0];
  const build = (observability: unknown) => {
    const environment = { ...base, observability } as typeof base;
    const stack = new Stack(testCdkApp(), 'Telemetry', { env: { account: base.account, region: base.region } });
    new ClusterTelemetry(stack, 'Telemetry', {
      clusterName: 'cluster',
      environment,
      naming: new EnvironmentNaming(model.organization, environment),
    });
    return Template.fromStack(stack);
  };

  test('keeps the logs for the model’s days, or 30 when the model gives none', () => {
    const retentions = (template: Template) =>
      Object.values(resourcesOfType(template, 'AWS::Logs::LogGroup')).map((g) => g.Properties.RetentionInDays);
    expect(retentions(build({ logs: { retentionDays: 90 } }))).toEqual([90, 90]);
    expect(retentions(build(undefined))).toEqual([30, 30]);
  });

  test('refuses a retention CloudWatch Logs does not offer, naming the environment and the field', () => {
    expect(() => build({ logs: { retentionDays: 45 } })).toThrow(UserError);
    expect(() => build({ logs: { retentionDays: 45 } })).toThrow(
      new RegExp(`environment '${base.name}': observability.logs.retentionDays is 45; CloudWatch Logs allows 1, 3`),
    );
  });
});
