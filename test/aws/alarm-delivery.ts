/**
 * Whether CloudWatch could deliver an alarm's notification, judged from a synthesized template the way SNS, IAM and
 * KMS would: the topic's policy must allow cloudwatch.amazonaws.com to publish for this alarm (conditions evaluated
 * with the alarm's aws:SourceAccount and aws:SourceArn, as CloudWatch sends them) and no Deny may apply; the topic's
 * key must let CloudWatch generate data keys; and the topic must have subscribers. Anything it cannot evaluate
 * counts as a problem, never as a pass.
 */

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON has no static shape
type Json = Record<string, any>;

export interface StackFacts {
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
}

export interface Subscription {
  readonly protocol: string;
  readonly endpoint: string;
}

/**
 * An alarm's notification target: the topic's logical ID in the same template, or, for an alarm that names a topic
 * of another stack by ARN, that ARN (`topicByArn` finds the topic's template and logical ID).
 */
export interface AlarmTopicUse {
  readonly alarm: string;
  readonly alarmArn: string;
  readonly topic: string;
  readonly topicArn?: string;
}

const asList = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** A value with the pseudo parameters and Fn::Join resolved; anything else stays unresolved (undefined). */
function resolve(value: unknown, stack: StackFacts): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return undefined;
  const object = value as Json;
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::AccountId': stack.account,
    'AWS::Region': stack.region,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  if (typeof object.Ref === 'string' && pseudo[object.Ref]) return pseudo[object.Ref];
  if (Array.isArray(object['Fn::Join'])) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    const resolved = parts.map((part) => resolve(part, stack));
    return resolved.every((part) => part !== undefined) ? resolved.join(separator) : undefined;
  }
  return undefined;
}

/** IAM's `*`/`?` wildcards of StringLike and ArnLike. */
function wildcard(pattern: string, text: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(text);
}

/** Whether IAM would find every condition of a statement true in this request context. */
function conditionsHold(conditions: Json | undefined, context: Record<string, string>, stack: StackFacts): boolean {
  for (const [operator, entries] of Object.entries(conditions ?? {})) {
    for (const [key, expected] of Object.entries(entries as Json)) {
      const actual = context[key];
      const values = asList(expected).map((v) => resolve(v, stack));
      if (actual === undefined || values.some((v) => v === undefined)) return false;
      const test = (v: string) => {
        switch (operator) {
          case 'StringEquals':
          case 'ArnEquals':
            return v === actual;
          case 'StringLike':
          case 'ArnLike':
            return wildcard(v, actual);
          case 'Bool':
            return v.toLowerCase() === actual.toLowerCase();
          default:
            return undefined;
        }
      };
      const results = (values as string[]).map(test);
      if (results.some((r) => r === undefined)) return false;
      if (!results.some(Boolean)) return false;
    }
  }
  return true;
}

function principalIncludes(principal: unknown, service: string): boolean {
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null) return false;
  const entries = principal as Json;
  return asList(entries.Service).includes(service) || asList(entries.AWS).includes('*');
}

function actionIncludes(actions: unknown, action: string): boolean {
  return asList(actions).some((a) => typeof a === 'string' && wildcard(a.toLowerCase(), action.toLowerCase()));
}

/**
 * Every use of an SNS topic by an alarm's actions: a topic of the template, or one of the alarm's account and region
 * by ARN; any other action that reaches outside the template is a problem.
 */
export function alarmTopicUses(template: Json, stack: StackFacts): { uses: AlarmTopicUse[]; problems: string[] } {
  const resources = template.Resources as Record<string, Json>;
  const uses: AlarmTopicUse[] = [];
  const problems: string[] = [];
  for (const [id, alarm] of Object.entries(resources)) {
    if (alarm.Type !== 'AWS::CloudWatch::Alarm') continue;
    const props = alarm.Properties as Json;
    // CloudFormation names an unnamed alarm `<stack name>-<logical ID>-<random suffix>`.
    const name = typeof props.AlarmName === 'string' ? props.AlarmName : `${stack.stackName}-${id}-RANDOMSUFFIX`;
    const alarmArn = `arn:aws:cloudwatch:${stack.region}:${stack.account}:alarm:${name}`;
    for (const action of [
      ...asList(props.AlarmActions),
      ...asList(props.OKActions),
      ...asList(props.InsufficientDataActions),
    ]) {
      const ref = (action as Json)?.Ref;
      const arn = resolve(action, stack);
      if (typeof ref === 'string' && resources[ref]?.Type === 'AWS::SNS::Topic') {
        uses.push({ alarm: id, alarmArn, topic: ref });
      } else if (arn?.startsWith(`arn:aws:sns:${stack.region}:${stack.account}:`)) {
        uses.push({ alarm: id, alarmArn, topic: '', topicArn: arn });
      } else if (typeof action !== 'string' || action.includes(':sns:')) {
        problems.push(`${id}: action ${JSON.stringify(action)} is not a topic of this template; extend this check`);
      }
    }
  }
  return { uses, problems };
}

/** Why CloudWatch could not publish this alarm to its topic, or nothing. */
export function publishProblems(template: Json, use: AlarmTopicUse, stack: StackFacts): string[] {
  const resources = template.Resources as Record<string, Json>;
  const topicRef = JSON.stringify({ Ref: use.topic });
  const statements = Object.values(resources)
    .filter((r) => r.Type === 'AWS::SNS::TopicPolicy')
    .filter((r) => asList(r.Properties.Topics).some((t) => JSON.stringify(t) === topicRef))
    .flatMap((r) => asList(r.Properties.PolicyDocument.Statement) as Json[]);
  const context = {
    'aws:SourceAccount': stack.account,
    'aws:SourceArn': use.alarmArn,
    'aws:SecureTransport': 'true',
  };
  const applies = (s: Json) =>
    principalIncludes(s.Principal, 'cloudwatch.amazonaws.com') &&
    actionIncludes(s.Action, 'sns:Publish') &&
    asList(s.Resource).some((r) => r === '*' || JSON.stringify(r) === topicRef) &&
    conditionsHold(s.Condition, context, stack);
  const problems: string[] = [];
  const allows = statements.filter((s) => s.Effect === 'Allow' && applies(s));
  if (allows.length === 0) {
    problems.push(`${use.alarm}: no statement of ${use.topic}'s policy allows cloudwatch.amazonaws.com to publish`);
  }
  for (const allow of allows) {
    const keys = Object.values(allow.Condition ?? {}).flatMap((entries) => Object.keys(entries as Json));
    if (!keys.includes('aws:SourceAccount') || !keys.includes('aws:SourceArn')) {
      problems.push(`${use.alarm}: the allowing statement is not limited by aws:SourceAccount and aws:SourceArn`);
    }
  }
  for (const deny of statements.filter((s) => s.Effect === 'Deny' && applies(s))) {
    problems.push(`${use.alarm}: statement ${deny.Sid ?? '(no Sid)'} denies the publish`);
  }
  const keyId = (resources[use.topic].Properties as Json).KmsMasterKeyId;
  if (keyId !== undefined) {
    const keyRef = keyId?.['Fn::GetAtt']?.[0];
    const key = resources[keyRef];
    if (key?.Type !== 'AWS::KMS::Key') {
      problems.push(`${use.topic}: its key ${JSON.stringify(keyId)} is not a key of this template; extend this check`);
    } else {
      const keyStatements = asList(key.Properties.KeyPolicy.Statement) as Json[];
      for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
        const allowed = keyStatements.some(
          (s) =>
            s.Effect === 'Allow' &&
            principalIncludes(s.Principal, 'cloudwatch.amazonaws.com') &&
            actionIncludes(s.Action, action),
        );
        if (!allowed) problems.push(`${use.topic}: key ${keyRef} does not let CloudWatch ${action}`);
      }
    }
  }
  return problems;
}

/** The subscriptions of a topic, as (protocol, endpoint). */
export function subscriptionsOf(template: Json, topic: string): Subscription[] {
  const topicRef = JSON.stringify({ Ref: topic });
  return Object.values(template.Resources as Record<string, Json>)
    .filter((r) => r.Type === 'AWS::SNS::Subscription' && JSON.stringify(r.Properties.TopicArn) === topicRef)
    .map((r) => ({ protocol: r.Properties.Protocol, endpoint: r.Properties.Endpoint }))
    .sort((a, b) => `${a.protocol} ${a.endpoint}`.localeCompare(`${b.protocol} ${b.endpoint}`));
}

/**
 * The topic an ARN names among the templates (its `TopicName` in its stack's account and region), or undefined when
 * none has it: an alarm that notifies it would notify nothing.
 */
export function topicByArn<T extends { facts: StackFacts; template: Json }>(
  stacks: readonly T[],
  arn: string,
): { stack: T; topic: string } | undefined {
  for (const stack of stacks) {
    for (const [id, resource] of Object.entries((stack.template.Resources ?? {}) as Record<string, Json>)) {
      if (resource.Type !== 'AWS::SNS::Topic') continue;
      const name = resolve(resource.Properties?.TopicName, stack.facts);
      if (name && `arn:aws:sns:${stack.facts.region}:${stack.facts.account}:${name}` === arn)
        return { stack, topic: id };
    }
  }
  return undefined;
}
