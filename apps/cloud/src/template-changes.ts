import { fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';
import type { TemplateResource } from './stateful-resources';

/**
 * What the next deploy does to a resource of a stack that it does not simply update:
 * - `replace`: CloudFormation creates a new physical resource, then removes the old one by its UpdateReplacePolicy;
 * - `may-replace`: a property changes whose change replaces the resource only in some cases (the resource
 *   specification's conditional replacement: RDS decides an instance's Multi-AZ or engine change by its values);
 * - `remove`: the logical ID leaves the template; CloudFormation deletes, snapshots or keeps the resource by its
 *   DeletionPolicy (stateful-removals.ts `removalOf`).
 */
export type ResourceChangeKind = 'replace' | 'may-replace' | 'remove';

/** One resource of a stack that the next deploy replaces, may replace, or removes. */
export interface ResourceChange {
  readonly logicalId: string;
  readonly kind: ResourceChangeKind;
  /** The resource as the deployed (old) template has it. */
  readonly before: TemplateResource;
  /** The resource as the new template has it; undefined for a removal. */
  readonly after?: TemplateResource;
  /**
   * Why it is replaced: each property whose change replaces it (for `may-replace`, each that may), e.g.
   * `StorageEncrypted`, or `DBSubnetGroupName (SubnetGroup is replaced)` for a property that refers to a resource
   * that is itself replaced, whose new physical ID or attribute the property then takes; `Type` when the resource
   * type changes. Empty for a removal.
   */
  readonly reasons: readonly string[];
}

/** A template as the diff reads it: JSON text or the parsed object; undefined or empty for a stack that has none. */
export type TemplateInput = string | Readonly<Record<string, unknown>> | undefined;

const KIND_OF_IMPACT: Partial<Record<ResourceImpact, ResourceChangeKind>> = {
  [ResourceImpact.WILL_REPLACE]: 'replace',
  [ResourceImpact.MAY_REPLACE]: 'may-replace',
  [ResourceImpact.WILL_DESTROY]: 'remove',
  [ResourceImpact.WILL_ORPHAN]: 'remove',
};

/**
 * The resources of one stack that deploying `after` over `before` replaces, may replace or removes, by logical ID
 * in byte order; added and updated resources are left out. The one engine both `pnpm synth`'s lines and
 * `pnpm plan` use: the AWS CDK CLI's own diff (`@aws-cdk/cloudformation-diff` `fullDiff`, what `cdk diff` prints),
 * which reads each property's replacement behaviour from the CloudFormation resource specification
 * (`@aws-cdk/aws-service-spec`: "Update requires: Replacement", or conditionally) and propagates a replacement to
 * every resource that refers to the replaced one (Ref, Fn::GetAtt) in a replacing property. Intrinsics are compared
 * as written, not resolved, as the CLI does without a change set. The specification is per top-level property: a
 * change anywhere inside `KubernetesNetworkConfig` counts as its change.
 */
export function resourceChanges(before: TemplateInput, after: TemplateInput): ResourceChange[] {
  // Most stacks of a synth or a plan are unchanged, and the diff of one costs milliseconds.
  if (before === after) return [];
  const diff = fullDiff(templateOf(before), templateOf(after));
  const changes: ResourceChange[] = [];
  diff.resources.forEachDifference((logicalId, change) => {
    const kind = KIND_OF_IMPACT[change.changeImpact];
    if (!kind || !change.oldValue) return;
    const typeChanged = change.oldResourceType !== change.newResourceType;
    const wanted = kind === 'replace' ? ResourceImpact.WILL_REPLACE : ResourceImpact.MAY_REPLACE;
    const reasons =
      kind === 'remove'
        ? []
        : typeChanged
          ? ['Type']
          : Object.entries(change.propertyUpdates)
              .filter(([, property]) => property.changeImpact === wanted)
              .map(([name, property]) => reasonOf(name, property.newValue));
    changes.push({
      logicalId,
      kind,
      before: change.oldValue as TemplateResource,
      ...(change.newValue ? { after: change.newValue as TemplateResource } : {}),
      reasons: reasons.sort(byteOrder),
    });
  });
  return changes.sort((a, b) => byteOrder(a.logicalId, b.logicalId));
}

function templateOf(input: TemplateInput): Record<string, unknown> {
  if (input === undefined) return {};
  return typeof input === 'string' ? (JSON.parse(input) as Record<string, unknown>) : { ...input };
}

/**
 * A replacing property, named with the replaced resources it refers to. The diff marks a reference to a replaced
 * resource in the new value by renaming its target: `{ Ref: 'X (replaced)' }`, `{ 'Fn::GetAtt': ['X(replaced)', …] }`.
 */
function reasonOf(property: string, newValue: unknown): string {
  const targets = [...new Set(replacedTargetsIn(newValue))].sort(byteOrder);
  return targets.length === 0
    ? property
    : `${property} (${targets.join(', ')} ${targets.length === 1 ? 'is' : 'are'} replaced)`;
}

function replacedTargetsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(replacedTargetsIn);
  if (typeof value !== 'object' || value === null) return [];
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [key, argument] = entries[0];
    const target =
      key === 'Ref' ? argument : key.startsWith('Fn::') && Array.isArray(argument) ? argument[0] : undefined;
    const marked = typeof target === 'string' ? /^(.+?) ?\(replaced\)$/.exec(target) : null;
    if (marked) return [marked[1]];
  }
  return entries.flatMap(([, nested]) => replacedTargetsIn(nested));
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
