import type { CloudAssembly } from 'aws-cdk-lib/cx-api';

/**
 * IAM's limits on policy size, in characters of the policy document without white space (IAM user guide,
 * reference_iam-quotas, "IAM and AWS STS character limits"): all inline policies of one role together, and one
 * managed policy.
 */
export const IAM_POLICY_LIMITS = { roleInlinePolicies: 10_240, managedPolicy: 6_144 } as const;

// biome-ignore lint/suspicious/noExplicitAny: templates are walked as plain JSON.
type Json = any;

/** A policy size per role (its inline policies together) or per managed policy, as IAM would count it. */
export interface PolicySize {
  readonly stack: string;
  /** `role <name>` or `managed policy <logical ID>`. */
  readonly subject: string;
  readonly characters: number;
  readonly limit: number;
}

// The longest value each pseudo parameter can take, so a size measured here is never less than IAM's.
const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Partition': 'aws-iso-b',
  'AWS::AccountId': '123456789012',
  'AWS::Region': 'ap-southeast-5x',
  'AWS::URLSuffix': 'amazonaws.com.cn',
  'AWS::StackName': 'x'.repeat(128),
  'AWS::StackId': `arn:aws-iso-b:cloudformation:ap-southeast-5x:123456789012:stack/${'x'.repeat(128)}/${'0'.repeat(36)}`,
  'AWS::NoValue': '',
};
/** What a reference to a resource or an attribute stands for when the template does not say: at most this long. */
const UNKNOWN = 'x'.repeat(256);

/**
 * Every role's inline policy size and every managed policy's size across the assembly, with CloudFormation's
 * intrinsic functions replaced by the longest text they can resolve to (a role's name and path where the template
 * gives them, else 256 characters), so no size here is below what IAM counts.
 */
export function policySizes(assembly: CloudAssembly): PolicySize[] {
  const sizes: PolicySize[] = [];
  // Inline policies by the role they are attached to, across stacks: a policy of one stack may name another's role.
  const inline = new Map<string, { stack: string; characters: number }>();
  const add = (key: string, stack: string, characters: number) => {
    const entry = inline.get(key) ?? { stack, characters: 0 };
    inline.set(key, { stack: entry.stack, characters: entry.characters + characters });
  };
  for (const stack of assembly.stacks) {
    const resources: Record<string, Json> = stack.template.Resources ?? {};
    const resolve = (value: Json): Json => {
      if (Array.isArray(value)) return value.map(resolve);
      if (value === null || typeof value !== 'object') return value;
      if ('Ref' in value) {
        if (value.Ref in PSEUDO_PARAMETERS) return PSEUDO_PARAMETERS[value.Ref];
        const resource = resources[value.Ref];
        return resource?.Type === 'AWS::IAM::Role' && typeof resource.Properties?.RoleName === 'string'
          ? resource.Properties.RoleName
          : UNKNOWN;
      }
      if ('Fn::GetAtt' in value) {
        const [logicalId, attribute] = value['Fn::GetAtt'];
        const role = resources[logicalId];
        if (role?.Type === 'AWS::IAM::Role' && attribute === 'Arn' && typeof role.Properties?.RoleName === 'string') {
          const path = typeof role.Properties.Path === 'string' ? role.Properties.Path : '/';
          return `arn:${PSEUDO_PARAMETERS['AWS::Partition']}:iam::123456789012:role${path}${role.Properties.RoleName}`;
        }
        return UNKNOWN;
      }
      if ('Fn::Join' in value) {
        const [separator, parts] = value['Fn::Join'];
        return (resolve(parts) as Json[]).map((part) => (typeof part === 'string' ? part : UNKNOWN)).join(separator);
      }
      if ('Fn::Sub' in value || 'Fn::ImportValue' in value || 'Fn::Select' in value || 'Fn::If' in value) {
        return UNKNOWN;
      }
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, resolve(inner)]));
    };
    // JSON.stringify writes no white space; IAM counts none.
    const length = (document: Json) => JSON.stringify(resolve(document)).length;
    const roleKey = (ref: Json) => {
      if (typeof ref === 'string') return `role ${ref}`;
      const name = resources[ref?.Ref]?.Properties?.RoleName;
      return typeof name === 'string' ? `role ${name}` : `role ${stack.hierarchicalId}/${ref?.Ref}`;
    };
    for (const [logicalId, resource] of Object.entries(resources)) {
      const properties = resource.Properties ?? {};
      if (resource.Type === 'AWS::IAM::Role') {
        const key = roleKey({ Ref: logicalId });
        add(key, stack.hierarchicalId, 0);
        for (const policy of properties.Policies ?? []) add(key, stack.hierarchicalId, length(policy.PolicyDocument));
      } else if (resource.Type === 'AWS::IAM::Policy') {
        for (const ref of properties.Roles ?? [])
          add(roleKey(ref), stack.hierarchicalId, length(properties.PolicyDocument));
      } else if (resource.Type === 'AWS::IAM::ManagedPolicy') {
        sizes.push({
          stack: stack.hierarchicalId,
          subject: `managed policy ${logicalId}`,
          characters: length(properties.PolicyDocument),
          limit: IAM_POLICY_LIMITS.managedPolicy,
        });
      }
    }
  }
  for (const [subject, { stack, characters }] of inline) {
    sizes.push({ stack, subject, characters, limit: IAM_POLICY_LIMITS.roleInlinePolicies });
  }
  return sizes;
}

/** The sizes over their limit, as `<stack>: <subject> <characters> of <limit> characters`. */
export function policySizeProblems(assembly: CloudAssembly): string[] {
  return policySizes(assembly)
    .filter((size) => size.characters > size.limit)
    .map((size) => `${size.stack}: ${size.subject} ${size.characters} of ${size.limit} characters`);
}
