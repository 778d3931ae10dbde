/**
 * Evaluates Kyverno ValidatingPolicies and PolicyExceptions as Kyverno does, with an independent CEL
 * engine: namespace selectors, resource rules, autogen for Pod controllers, match conditions, variables,
 * validations and exceptions, for CREATE and UPDATE requests. The engine is passed in, so this module stays
 * free of how it is loaded.
 */
import { WORKLOAD_KINDS } from '../../../tools/verify/kyverno/apply-dist';

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

/** An admission request; a bare object stands for its CREATE (as background scans evaluate too). */
export interface AdmissionRequest {
  readonly operation: 'CREATE' | 'UPDATE';
  readonly object: KubeObject;
  /** The stored object, for an UPDATE. */
  readonly oldObject?: KubeObject;
}

/** Labels of each namespace by name. */
export type NamespaceLabels = Readonly<Record<string, Readonly<Record<string, string>>>>;

export interface PolicyResult {
  readonly policy: string;
  /** The policy's validationActions: a failure with `Deny` rejects the request. */
  readonly actions: readonly string[];
  readonly operation: 'CREATE' | 'UPDATE';
  /** `Kind namespace/name` of the evaluated object. */
  readonly resource: string;
  readonly verdict: Verdict;
  /** The message of the first failed validation (Kyverno evaluates no further), or the error. */
  readonly messages: readonly string[];
  /** The PolicyException that waived the policy for this object. */
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
      readonly namespaceSelector?: LabelSelector;
    };
    readonly validationActions?: readonly string[];
    readonly autogen?: { readonly podControllers?: { readonly controllers?: readonly string[] } };
    readonly matchConditions?: readonly NamedExpression[];
    readonly variables?: readonly NamedExpression[];
    readonly validations: readonly { readonly expression: string; readonly message?: string }[];
  };
}

interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly {
    readonly key: string;
    readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    readonly values?: readonly string[];
  }[];
}

interface PolicyExceptionObject extends KubeObject {
  readonly spec: {
    readonly policyRefs: readonly { readonly kind: string; readonly name: string }[];
    readonly matchConditions?: readonly NamedExpression[];
  };
}

/** API group and resource of each kind the policies are tested against: the kinds `npm run verify` feeds Kyverno. */
export const KIND_RESOURCES = WORKLOAD_KINDS;

/** Kinds that hold a Pod template: what the policies guard. */
export const POD_BEARING_KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'];

const AUTOGEN_CONTROLLERS = ['deployments', 'statefulsets', 'daemonsets', 'replicasets', 'jobs', 'cronjobs'];

// Kyverno 1.19 autogen (pkg/cel/autogen/data.go): the text replacements that move a Pod policy onto a controller.
const AUTOGEN_REPLACEMENTS: Readonly<Record<string, readonly [string, string][]>> = {
  defaults: [
    ['spec', 'spec.template.spec'],
    ['metadata', 'spec.template.metadata'],
  ],
  cronjobs: [
    ['spec', 'spec.jobTemplate.spec.template.spec'],
    ['metadata', 'spec.jobTemplate.spec.template.metadata'],
  ],
};

export function describe(object: KubeObject): string {
  return `${object.kind} ${object.metadata.namespace ?? '(cluster)'}/${object.metadata.name}`;
}

/**
 * Every policy against every request: one result per pair. Namespaces not in `namespaces` carry only the
 * `kubernetes.io/metadata.name` label, as Kyverno assumes for a namespace it cannot resolve.
 */
export function evaluatePolicies(
  engine: CelEngine,
  policies: readonly KubeObject[],
  exceptions: readonly KubeObject[],
  requests: readonly (KubeObject | AdmissionRequest)[],
  namespaces: NamespaceLabels = {},
): PolicyResult[] {
  return policies.flatMap((policy) =>
    requests.map((request) =>
      evaluatePolicy(
        engine,
        policy as ValidatingPolicyObject,
        exceptions as PolicyExceptionObject[],
        asRequest(request),
        namespaces,
      ),
    ),
  );
}

function asRequest(input: KubeObject | AdmissionRequest): AdmissionRequest {
  return 'operation' in input && 'object' in input
    ? (input as AdmissionRequest)
    : { operation: 'CREATE', object: input };
}

function evaluatePolicy(
  engine: CelEngine,
  policy: ValidatingPolicyObject,
  exceptions: readonly PolicyExceptionObject[],
  request: AdmissionRequest,
  namespaces: NamespaceLabels,
): PolicyResult {
  const { object, operation } = request;
  const base = {
    policy: policy.metadata.name,
    actions: policy.spec.validationActions ?? [],
    operation,
    resource: describe(object),
  };
  const rewrite = expressionRewriter(policy, object);
  if (!rewrite || !namespaceMatches(policy.spec.matchConstraints.namespaceSelector, object, namespaces)) {
    return { ...base, verdict: 'not-applicable', messages: [] };
  }
  const context: Record<string, unknown> = {
    object: toCelValue(object),
    oldObject: request.oldObject ? toCelValue(request.oldObject) : null,
    request: { operation, namespace: object.metadata.namespace ?? '', name: object.metadata.name },
  };
  try {
    // Kyverno 1.19 (pkg/cel/policies/vpol/compiler/policy.go, evaluateWithData): a matching exception waives the
    // policy before its match conditions and validations run; then the validations run in order and the first
    // that fails is the result.
    const exception = exceptions.find((e) => exceptionApplies(engine, e, policy, context));
    if (exception) return { ...base, verdict: 'excepted', messages: [], exception: exception.metadata.name };
    const conditions = policy.spec.matchConditions ?? [];
    if (!conditions.every((c) => engine.evaluate(rewrite(c.expression), context) === true)) {
      return { ...base, verdict: 'not-applicable', messages: [] };
    }
    const variables: Record<string, unknown> = {};
    const withVariables = { ...context, variables };
    for (const variable of policy.spec.variables ?? []) {
      variables[variable.name] = engine.evaluate(rewrite(variable.expression), withVariables);
    }
    const failed = policy.spec.validations.find((v) => engine.evaluate(rewrite(v.expression), withVariables) !== true);
    if (!failed) return { ...base, verdict: 'pass', messages: [] };
    return { ...base, verdict: 'fail', messages: [failed.message ?? failed.expression] };
  } catch (error) {
    return { ...base, verdict: 'error', messages: [(error as Error).message] };
  }
}

/** Whether a request is rejected: a policy with the Deny action failed it (or could not evaluate it). */
export function isDenied(results: readonly PolicyResult[]): boolean {
  return results.some((r) => (r.verdict === 'fail' || r.verdict === 'error') && r.actions.includes('Deny'));
}

/**
 * The namespace selector as Kyverno's matcher applies it (pkg/cel/matching): an object without a namespace is
 * never skipped; otherwise the labels of its namespace must match.
 */
function namespaceMatches(
  selector: LabelSelector | undefined,
  object: KubeObject,
  namespaces: NamespaceLabels,
): boolean {
  const namespace = object.metadata.namespace;
  if (!selector || !namespace) return true;
  const labels: Record<string, string> = { ...(namespaces[namespace] ?? {}), 'kubernetes.io/metadata.name': namespace };
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  return (
    byLabels &&
    (selector.matchExpressions ?? []).every((e) => {
      const value = labels[e.key];
      switch (e.operator) {
        case 'In':
          return value !== undefined && (e.values ?? []).includes(value);
        case 'NotIn':
          return value === undefined || !(e.values ?? []).includes(value);
        case 'Exists':
          return value !== undefined;
        case 'DoesNotExist':
          return value === undefined;
        default:
          throw new Error(`unknown label selector operator ${e.operator as string}`);
      }
    })
  );
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
  const replacements = AUTOGEN_REPLACEMENTS[kind.resource === 'cronjobs' ? 'cronjobs' : 'defaults'];
  return (expression) =>
    replacements.reduce(
      (text, [from, to]) =>
        replaceAutogen(replaceAutogen(text, `object.${from}`, `object.${to}`), `oldObject.${from}`, `oldObject.${to}`),
      expression,
    );
}

/**
 * Kyverno's textual replacement (pkg/cel/autogen/replacement.go): every occurrence of `from`, except one followed
 * by `.namespace` as a whole segment, which stays on the controller's own metadata.
 */
function replaceAutogen(text: string, from: string, to: string): string {
  let result = '';
  let rest = text;
  for (let index = rest.indexOf(from); index >= 0; index = rest.indexOf(from)) {
    const after = rest.slice(index + from.length);
    result += rest.slice(0, index) + (/^\.namespace(?![A-Za-z0-9_])/.test(after) ? from : to);
    rest = after;
  }
  return result + rest;
}

/**
 * Whether Kyverno (1.19) derives controller rules from these match constraints: exactly one resource rule, for
 * core/v1 `pods` alone, without resource names, object selector or exclusions. A subresource such as
 * `pods/ephemeralcontainers` in the rule switches autogen off; a namespace selector does not (autogen copies it).
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
