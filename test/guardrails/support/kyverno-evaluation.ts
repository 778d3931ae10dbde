/**
 * Evaluates Kyverno ValidatingPolicies and PolicyExceptions as Kyverno does, with an independent CEL
 * engine: resource rules, autogen for Pod controllers, match conditions, variables, validations and
 * exceptions. The engine is passed in, so this module stays free of how it is loaded.
 */

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/** The part of a CEL engine the evaluation needs. */
export interface CelEngine {
  evaluate(expression: string, context: Record<string, unknown>): unknown;
}

export type Verdict = 'pass' | 'fail' | 'excepted' | 'not-applicable' | 'error';

export interface PolicyResult {
  readonly policy: string;
  /** `Kind namespace/name` of the evaluated object. */
  readonly resource: string;
  readonly verdict: Verdict;
  /** Messages of the failed validations, or the error. */
  readonly messages: readonly string[];
  /** The PolicyException that waived a failure. */
  readonly exception?: string;
}

interface NamedExpression {
  readonly name: string;
  readonly expression: string;
}

export interface ValidatingPolicyObject extends KubeObject {
  readonly spec: {
    readonly matchConstraints: {
      readonly resourceRules: readonly {
        readonly apiGroups: string[];
        readonly apiVersions?: string[];
        readonly resources: string[];
        readonly resourceNames?: string[];
      }[];
      readonly excludeResourceRules?: readonly unknown[];
      readonly objectSelector?: {
        readonly matchLabels?: Readonly<Record<string, string>>;
        readonly matchExpressions?: readonly unknown[];
      };
    };
    readonly autogen?: { readonly podControllers?: { readonly controllers?: readonly string[] } };
    readonly matchConditions?: readonly NamedExpression[];
    readonly variables?: readonly NamedExpression[];
    readonly validations: readonly { readonly expression: string; readonly message?: string }[];
  };
}

interface PolicyExceptionObject extends KubeObject {
  readonly spec: {
    readonly policyRefs: readonly { readonly kind: string; readonly name: string }[];
    readonly matchConditions?: readonly NamedExpression[];
  };
}

/** API group and resource of each kind the policies are tested against. */
export const KIND_RESOURCES: Readonly<Record<string, { group: string; resource: string }>> = {
  Pod: { group: '', resource: 'pods' },
  Service: { group: '', resource: 'services' },
  Deployment: { group: 'apps', resource: 'deployments' },
  StatefulSet: { group: 'apps', resource: 'statefulsets' },
  DaemonSet: { group: 'apps', resource: 'daemonsets' },
  ReplicaSet: { group: 'apps', resource: 'replicasets' },
  Job: { group: 'batch', resource: 'jobs' },
  CronJob: { group: 'batch', resource: 'cronjobs' },
};

/** Kinds that hold a Pod template: what the policies guard. */
export const POD_BEARING_KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'];

const AUTOGEN_CONTROLLERS = ['deployments', 'statefulsets', 'daemonsets', 'replicasets', 'jobs', 'cronjobs'];

// Where a controller keeps its Pod template: autogen moves `object.spec` and `object.metadata` there.
const TEMPLATE_PATH: Readonly<Record<string, string>> = {
  deployments: 'object.spec.template',
  statefulsets: 'object.spec.template',
  daemonsets: 'object.spec.template',
  replicasets: 'object.spec.template',
  jobs: 'object.spec.template',
  cronjobs: 'object.spec.jobTemplate.spec.template',
};

export function describe(object: KubeObject): string {
  return `${object.kind} ${object.metadata.namespace ?? '(cluster)'}/${object.metadata.name}`;
}

/** Every policy against every object: one result per pair. */
export function evaluatePolicies(
  engine: CelEngine,
  policies: readonly KubeObject[],
  exceptions: readonly KubeObject[],
  objects: readonly KubeObject[],
): PolicyResult[] {
  return policies.flatMap((policy) =>
    objects.map((object) =>
      evaluatePolicy(engine, policy as ValidatingPolicyObject, exceptions as PolicyExceptionObject[], object),
    ),
  );
}

function evaluatePolicy(
  engine: CelEngine,
  policy: ValidatingPolicyObject,
  exceptions: readonly PolicyExceptionObject[],
  object: KubeObject,
): PolicyResult {
  const base = { policy: policy.metadata.name, resource: describe(object) };
  const rewrite = expressionRewriter(policy, object);
  if (!rewrite) return { ...base, verdict: 'not-applicable', messages: [] };
  const context: Record<string, unknown> = {
    object: toCelValue(object),
    oldObject: null,
    request: { operation: 'CREATE', namespace: object.metadata.namespace ?? '', name: object.metadata.name },
  };
  try {
    const conditions = policy.spec.matchConditions ?? [];
    if (!conditions.every((c) => engine.evaluate(rewrite(c.expression), context) === true)) {
      return { ...base, verdict: 'not-applicable', messages: [] };
    }
    const variables: Record<string, unknown> = {};
    const withVariables = { ...context, variables };
    for (const variable of policy.spec.variables ?? []) {
      variables[variable.name] = engine.evaluate(rewrite(variable.expression), withVariables);
    }
    const messages = policy.spec.validations
      .filter((v) => engine.evaluate(rewrite(v.expression), withVariables) !== true)
      .map((v) => v.message ?? v.expression);
    if (messages.length === 0) return { ...base, verdict: 'pass', messages };
    const exception = exceptions.find((e) => exceptionApplies(engine, e, policy, context));
    if (exception) return { ...base, verdict: 'excepted', messages, exception: exception.metadata.name };
    return { ...base, verdict: 'fail', messages };
  } catch (error) {
    return { ...base, verdict: 'error', messages: [(error as Error).message] };
  }
}

/** How the policy's expressions read for this object, or undefined when the policy does not match it. */
function expressionRewriter(
  policy: ValidatingPolicyObject,
  object: KubeObject,
): ((expression: string) => string) | undefined {
  const kind = KIND_RESOURCES[object.kind];
  if (!kind) return undefined;
  const rules = policy.spec.matchConstraints.resourceRules;
  const matches = (group: string, resource: string) =>
    rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource));
  if (matches(kind.group, kind.resource)) return (expression) => expression;
  const controllers = policy.spec.autogen?.podControllers?.controllers ?? AUTOGEN_CONTROLLERS;
  if (!canAutogen(policy.spec.matchConstraints) || !controllers.includes(kind.resource)) return undefined;
  const template = TEMPLATE_PATH[kind.resource];
  return (expression) => expression.replace(/\bobject\.(spec|metadata)\b/g, `${template}.$1`);
}

/**
 * Whether Kyverno (1.19) derives controller rules from these match constraints: exactly one resource rule, for
 * core/v1 `pods` alone, without resource names, object selector or exclusions. A subresource such as
 * `pods/ephemeralcontainers` in the rule switches autogen off.
 */
export function canAutogen(match: ValidatingPolicyObject['spec']['matchConstraints']): boolean {
  if (match.resourceRules.length !== 1 || (match.excludeResourceRules ?? []).length > 0) return false;
  const selector = match.objectSelector;
  if (Object.keys(selector?.matchLabels ?? {}).length > 0 || (selector?.matchExpressions ?? []).length > 0)
    return false;
  const [rule] = match.resourceRules;
  const only = (values: readonly string[] | undefined, value: string) => values?.length === 1 && values[0] === value;
  return (
    only(rule.apiGroups, '') &&
    only(rule.apiVersions, 'v1') &&
    only(rule.resources, 'pods') &&
    (rule.resourceNames ?? []).length === 0
  );
}

function exceptionApplies(
  engine: CelEngine,
  exception: PolicyExceptionObject,
  policy: ValidatingPolicyObject,
  context: Record<string, unknown>,
): boolean {
  const named = exception.spec.policyRefs.some((r) => r.kind === policy.kind && r.name === policy.metadata.name);
  return named && (exception.spec.matchConditions ?? []).every((c) => engine.evaluate(c.expression, context) === true);
}

/** JSON as CEL sees Kubernetes objects: whole numbers are CEL ints (BigInt in the engine). */
function toCelValue(value: unknown): unknown {
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (Array.isArray(value)) return value.map(toCelValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCelValue(v)]));
  }
  return value;
}
