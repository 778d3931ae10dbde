import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { skipCheckovOnCdkProvider } from './checkov-skips';

/**
 * Records that a validation finding on this construct (and its children) was reviewed and
 * accepted. Call it next to the resource with a reason a reviewer would accept.
 */
export function acknowledge(scope: IConstruct, ruleId: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: ruleId, reason });
}

/**
 * Acknowledges AwsSolutions-IAM5 for exactly the wildcard actions and resources the role's
 * policy holds now, one finding at a time: a wildcard added later is a new, unacknowledged finding.
 */
export function acknowledgeWildcards(role: iam.Role, reason: string): void {
  const policy = role.node.tryFindChild('DefaultPolicy')?.node.tryFindChild('Resource');
  if (!(policy instanceof iam.CfnPolicy)) return;
  for (const finding of wildcardFindings(Stack.of(role).resolve(policy.policyDocument))) {
    acknowledge(policy, `AwsSolutions-IAM5[${finding}]`, reason);
  }
}

/** Acknowledges AwsSolutions-IAM4 for each AWS managed policy the role has now. */
export function acknowledgeManagedPolicies(role: IConstruct, reason: string): void {
  const resource = role instanceof iam.CfnRole ? role : role.node.tryFindChild('Resource');
  if (!(resource instanceof iam.CfnRole)) return;
  const arns: unknown[] = Stack.of(role).resolve(resource.managedPolicyArns) ?? [];
  for (const arn of arns) acknowledge(resource, `AwsSolutions-IAM4[Policy::${findingText(arn)}]`, reason);
}

/**
 * Findings on the functions and roles aws-cdk-lib creates for its own providers (kubectl,
 * AwsCustomResource): their roles, policies and runtimes are the library's, not configurable here.
 * Covers cdk-nag's findings and checkov's (skipCheckovOnCdkProvider).
 */
export function acknowledgeCdkProvider(scope: IConstruct, what: string): void {
  skipCheckovOnCdkProvider(scope, what);
  const reason = `${what} is created and maintained by aws-cdk-lib: its execution role uses the Lambda managed policies, its policy is scoped by the library, and its runtime follows the library's releases.`;
  for (const construct of scope.node.findAll()) {
    if (construct instanceof iam.CfnRole) acknowledgeManagedPolicies(construct, reason);
    if (construct instanceof iam.CfnPolicy) {
      for (const finding of wildcardFindings(Stack.of(construct).resolve(construct.policyDocument))) {
        acknowledge(construct, `AwsSolutions-IAM5[${finding}]`, reason);
      }
    }
    if (construct instanceof lambda.CfnFunction) acknowledge(construct, 'AwsSolutions-L1', reason);
  }
}

function wildcardFindings(document: { Statement?: Record<string, unknown>[] }): string[] {
  const findings = new Set<string>();
  for (const statement of document.Statement ?? []) {
    for (const action of asList(statement.Action).map(findingText)) {
      if (action.includes('*')) findings.add(`Action::${action}`);
    }
    for (const resource of asList(statement.Resource).map(findingText)) {
      if (resource.includes('*')) findings.add(`Resource::${resource}`);
    }
  }
  return [...findings].sort();
}

function asList(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** How cdk-nag spells a resolved value in a finding ID. */
function findingText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (isObject(value) && 'Ref' in value) return `<${String(value.Ref)}>`;
  if (isObject(value) && 'Fn::GetAtt' in value) {
    const [logicalId, attribute] = value['Fn::GetAtt'] as string[];
    return `<${logicalId}.${attribute}>`;
  }
  if (isObject(value) && 'Fn::Join' in value) {
    const [separator, parts] = value['Fn::Join'] as [string, unknown[]];
    return parts.map(findingText).join(separator);
  }
  return JSON.stringify(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
