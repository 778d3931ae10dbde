import { PLATFORM_NAMESPACES, UserError } from '@platform/model';
import { Construct } from 'constructs';
import { PolicyException } from '../imports/kyverno-policyexception-policies.kyverno.io';
import {
  ValidatingPolicy,
  type ValidatingPolicySpecMatchConstraintsResourceRules,
  ValidatingPolicySpecValidationActions,
} from '../imports/kyverno-validatingpolicy-policies.kyverno.io';
import { PLATFORM_EXCEPTIONS, type PlatformException } from './platform-exceptions';
import { type PolicyDefinition, policyCatalog } from './policy-catalog';

export type PolicyMode = 'Audit' | 'Deny';

export interface AdmissionPoliciesProps {
  /** What Kyverno does with a violation: record it in a PolicyReport (Audit) or reject the request (Deny). */
  readonly mode: PolicyMode;
  /** The only registry images may come from. */
  readonly registryHost: string;
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
 * The cluster's admission policies: one ValidatingPolicy per control, plus a PolicyException per
 * (platform namespace, policy) pair the platform's add-ons cannot meet.
 */
export class AdmissionPolicies extends Construct {
  /** Names of the policies, in catalog order. */
  public readonly policyNames: readonly string[];

  public constructor(scope: Construct, id: string, props: AdmissionPoliciesProps) {
    super(scope, id);
    const definitions = policyCatalog({ registryHost: props.registryHost });
    for (const definition of definitions) this.addPolicy(definition, props.mode);
    this.policyNames = definitions.map((definition) => definition.name);

    const exceptionNamespace = props.exceptionNamespace ?? PLATFORM_NAMESPACES.kyverno;
    for (const exception of props.exceptions ?? PLATFORM_EXCEPTIONS) {
      if (!this.policyNames.includes(exception.policy)) {
        throw new UserError(
          `PolicyException for namespace '${exception.namespace}' names unknown policy '${exception.policy}'; known policies: ${this.policyNames.join(', ')}`,
        );
      }
      this.addException(exception, exceptionNamespace);
    }
  }

  private addPolicy(definition: PolicyDefinition, mode: PolicyMode): void {
    new ValidatingPolicy(this, definition.name, {
      metadata: {
        name: definition.name,
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
        evaluation: { background: { enabled: true } },
        matchConstraints: { resourceRules: resourceRules(definition.resources) },
        ...(definition.autogenControllers && {
          autogen: { podControllers: { controllers: [...definition.autogenControllers] } },
        }),
        ...(definition.matchConditions && { matchConditions: definition.matchConditions.map((c) => ({ ...c })) }),
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
