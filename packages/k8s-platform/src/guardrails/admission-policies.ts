import { PLATFORM_NAMESPACES, UserError } from '@platform/model';
import { Construct } from 'constructs';
import { PolicyException } from '../imports/kyverno-policyexception-policies.kyverno.io';
import {
  ValidatingPolicy,
  ValidatingPolicySpecFailurePolicy,
  type ValidatingPolicySpecMatchConstraintsResourceRules,
  ValidatingPolicySpecValidationActions,
} from '../imports/kyverno-validatingpolicy-policies.kyverno.io';
import { ADDON_NAMESPACES, GUARDRAILS_LABEL, type GuardrailScope } from '../namespaces/platform-namespaces';
import { PLATFORM_EXCEPTIONS, type PlatformException } from './platform-exceptions';
import { type PolicyDefinition, policyCatalog } from './policy-catalog';

export type PolicyMode = 'Audit' | 'Deny';

/** Suffix of the companion policy that audits a guard rail in the add-on namespaces. */
export const ADDON_POLICY_SUFFIX = '-addons';

export interface AdmissionPoliciesProps {
  /** What Kyverno does with a violation: record it in a PolicyReport (Audit) or reject the request (Deny). */
  readonly mode: PolicyMode;
  /** The only registry images may come from. */
  readonly registryHost: string;
  /**
   * Per namespace, the ARNs of the reader roles its SecretStores for AWS may assume (restrict-secret-store-role).
   * @default {} (no namespace may have a SecretStore for AWS)
   */
  readonly secretReaderRoles?: Readonly<Record<string, readonly string[]>>;
  /**
   * Policies waived per platform namespace.
   * @default PLATFORM_EXCEPTIONS
   */
  readonly exceptions?: readonly PlatformException[];
  /**
   * Namespace Kyverno reads PolicyExceptions from (its `--exceptionNamespace`).
   * @default PLATFORM_NAMESPACES.kyverno
   */
  readonly exceptionNamespace?: string;
  /**
   * Namespaces labelled `platform.io/guardrails: audit`, where no exception is needed (nor allowed).
   * @default the names of ADDON_NAMESPACES
   */
  readonly auditedNamespaces?: readonly string[];
}

/** Annotation keys of the Kyverno policy library. */
export const POLICY_ANNOTATIONS = {
  title: 'policies.kyverno.io/title',
  category: 'policies.kyverno.io/category',
  severity: 'policies.kyverno.io/severity',
  subject: 'policies.kyverno.io/subject',
  description: 'policies.kyverno.io/description',
} as const;

/** Annotation that says why a PolicyException exists. */
export const EXCEPTION_REASON_ANNOTATION = 'policies.kyverno.io/reason';

/**
 * The cluster's admission policies: per guard rail of the catalog, two ValidatingPolicies with complementary
 * namespace selectors on GUARDRAILS_LABEL. `<name>` acts in the environment's mode (Deny in prod) in every
 * namespace not labelled `audit`: the team namespaces, `default` and any namespace without the label.
 * `<name>-addons` only audits, in the add-on namespaces, whose charts run upstream images and defaults the
 * guard rails were not written for; Pod Security Admission holds those namespaces to the level their charts
 * need. validationActions belong to a whole policy, hence the pair. A policy of the catalog that holds
 * `everywhere` is one ValidatingPolicy without namespace selector that denies in every environment. Plus a
 * PolicyException per waiver.
 */
export class AdmissionPolicies extends Construct {
  /** Names of the enforcing policies (the guard rails' and those that hold everywhere), in catalog order. */
  public readonly policyNames: readonly string[];
  /** Names of the guard rails' auditing companions in the add-on namespaces, in catalog order. */
  public readonly addonPolicyNames: readonly string[];

  public constructor(scope: Construct, id: string, props: AdmissionPoliciesProps) {
    super(scope, id);
    const definitions = policyCatalog({
      registryHost: props.registryHost,
      secretReaderRoles: props.secretReaderRoles ?? {},
    });
    const guardrails = definitions.filter((definition) => (definition.enforcement ?? 'guardrail') === 'guardrail');
    for (const definition of definitions) {
      if (guardrails.includes(definition)) {
        this.addPolicy(definition, definition.name, props.mode, 'enforce');
        this.addPolicy(definition, `${definition.name}${ADDON_POLICY_SUFFIX}`, 'Audit', 'audit');
      } else {
        this.addPolicy(definition, definition.name, 'Deny', 'everywhere');
      }
    }
    this.policyNames = definitions.map((definition) => definition.name);
    this.addonPolicyNames = guardrails.map((definition) => `${definition.name}${ADDON_POLICY_SUFFIX}`);

    const exceptionNamespace = props.exceptionNamespace ?? PLATFORM_NAMESPACES.kyverno;
    const audited = props.auditedNamespaces ?? ADDON_NAMESPACES.map((namespace) => namespace.name);
    for (const exception of props.exceptions ?? PLATFORM_EXCEPTIONS) {
      if (!this.policyNames.includes(exception.policy)) {
        throw new UserError(
          `PolicyException for namespace '${exception.namespace}' names unknown policy '${exception.policy}'; known policies: ${this.policyNames.join(', ')}`,
        );
      }
      if (audited.includes(exception.namespace)) {
        throw new UserError(
          `PolicyException for namespace '${exception.namespace}' and policy '${exception.policy}' is not needed: the guard rails only audit in the add-on namespaces (${audited.join(', ')}); exceptions are for namespaces where they enforce`,
        );
      }
      this.addException(exception, exceptionNamespace);
    }
  }

  /** @param scope the namespaces by GUARDRAILS_LABEL, or `everywhere`: every namespace and cluster-scoped objects */
  private addPolicy(
    definition: PolicyDefinition,
    name: string,
    mode: PolicyMode,
    scope: GuardrailScope | 'everywhere',
  ): void {
    new ValidatingPolicy(this, name, {
      metadata: {
        name,
        annotations: {
          [POLICY_ANNOTATIONS.title]: definition.title,
          [POLICY_ANNOTATIONS.category]: definition.category,
          [POLICY_ANNOTATIONS.severity]: definition.severity,
          [POLICY_ANNOTATIONS.subject]: definition.subject,
          [POLICY_ANNOTATIONS.description]: definition.description,
        },
      },
      spec: {
        validationActions: [ValidatingPolicySpecValidationActions[mode === 'Deny' ? 'DENY' : 'AUDIT']],
        // Kyverno registers a policy in its fail-closed webhook unless it says Ignore: a policy that only
        // audits must not block every pod of its namespaces (Argo CD's own among them) while Kyverno is down.
        failurePolicy: ValidatingPolicySpecFailurePolicy[mode === 'Deny' ? 'FAIL' : 'IGNORE'],
        evaluation: { background: { enabled: true } },
        matchConstraints: {
          resourceRules: resourceRules(definition.resources),
          // Kyverno's autogen copies the namespace selector into the Pod controllers' rules. Without one the
          // policy sees every namespace Kyverno's webhooks reach; a cluster-scoped object matches any selector
          // (Kyverno 1.19 pkg/cel/matching/predicates/namespace/matcher.go, as the API server's webhooks).
          ...(scope !== 'everywhere' && {
            namespaceSelector: {
              matchExpressions: [
                scope === 'audit'
                  ? { key: GUARDRAILS_LABEL, operator: 'In', values: ['audit'] }
                  : { key: GUARDRAILS_LABEL, operator: 'NotIn', values: ['audit'] },
              ],
            },
          }),
        },
        ...(definition.autogenControllers && {
          autogen: { podControllers: { controllers: [...definition.autogenControllers] } },
        }),
        matchConditions: [
          changedOnUpdate(definition.reads ?? ['spec']),
          ...(definition.matchConditions ?? []).map((c) => ({ ...c })),
        ],
        ...(definition.variables && { variables: definition.variables.map((v) => ({ ...v })) }),
        validations: definition.validations.map((v) => ({ ...v })),
      },
    });
  }

  private addException(exception: PlatformException, namespace: string): void {
    const name = `${exception.namespace}-${exception.policy}`;
    new PolicyException(this, `exception-${name}`, {
      metadata: { name, namespace, annotations: { [EXCEPTION_REASON_ANNOTATION]: exception.reason } },
      spec: {
        policyRefs: [{ kind: 'ValidatingPolicy', name: exception.policy }],
        matchConditions: [
          {
            name: `in-${exception.namespace}`,
            expression: `object.metadata.?namespace.orValue('') == '${exception.namespace}'`,
          },
        ],
      },
    });
  }
}

/**
 * Match condition: the request is not an UPDATE, or it changes what the policy reads. Kyverno's autogen rewrites
 * `object.spec` and `oldObject.spec` alike (to `…spec.template.spec` for a Deployment), so a controller's UPDATE
 * is compared by its Pod template. Background scans evaluate as CREATE.
 */
export function changedOnUpdate(reads: readonly ('spec' | 'labels')[]): { name: string; expression: string } {
  const changed = reads.map((field) =>
    field === 'spec'
      ? 'object.spec != oldObject.spec'
      : 'object.metadata.?labels.orValue({}) != oldObject.metadata.?labels.orValue({})',
  );
  return { name: 'changed-on-update', expression: [`request.operation != 'UPDATE'`, ...changed].join(' || ') };
}

/** `deployments.apps`-style resource names grouped into admission resource rules, one per API group. */
function resourceRules(resources: readonly string[]): ValidatingPolicySpecMatchConstraintsResourceRules[] {
  const byGroup = new Map<string, string[]>();
  for (const name of resources) {
    const [resourceAndGroup, subresource] = name.split('/');
    const [resource, ...group] = resourceAndGroup.split('.');
    const key = group.join('.');
    byGroup.set(key, [...(byGroup.get(key) ?? []), subresource ? `${resource}/${subresource}` : resource]);
  }
  return [...byGroup.entries()].map(([group, plurals]) => ({
    apiGroups: [group],
    apiVersions: ['v1'],
    operations: ['CREATE', 'UPDATE'],
    resources: plurals,
  }));
}
