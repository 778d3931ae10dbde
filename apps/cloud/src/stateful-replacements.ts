import {
  customNameOf,
  resourcesOf,
  sameValue,
  shown,
  sortedPaths,
  stackIdOf,
  statefulKindOf,
  type TemplateResource,
} from './stateful-resources';
import { resourceChanges } from './template-changes';

/**
 * What CloudFormation does with the old resource once its replacement exists, by its UpdateReplacePolicy (none:
 * Delete). The DeletionPolicy does not apply to a replacement; aws-cdk-lib's applyRemovalPolicy sets both to the
 * same value. An RDS instance that CloudFormation deletes or snapshots takes its automated backups along (the
 * AWS::RDS::DBInstance reference: replaced or deleted instances lose their automated snapshots).
 */
export function oldOneWords(resource: TemplateResource): string {
  const backups = resource.Type === 'AWS::RDS::DBInstance' ? ' with its automated backups' : '';
  switch (String(resource.UpdateReplacePolicy ?? 'Delete')) {
    case 'Retain':
      return 'keeps the old one, outside the stack';
    case 'Snapshot':
      return `snapshots the old one, then deletes it${backups}`;
    default:
      return `deletes the old one and its data${backups}`;
  }
}

/**
 * One line per stateful resource (stateful-resources.ts) that stays in its stack under the same logical ID and type
 * while the new template changes a property whose change replaces it, or may replace it, as template-changes.ts
 * judges from the CloudFormation resource specification. CloudFormation creates the replacement first, then handles
 * the old resource by its UpdateReplacePolicy. It cannot do that for a resource with a custom name that stays the
 * same (the name is taken by the old one): the update fails and rolls back, and the line says so. Otherwise:
 * `<stack>: <kind> <name> (<LogicalId>) is replaced by the next deploy (<properties> change): CloudFormation creates
 * a new, empty <kind>[ <new name>], then <what happens to the old one>`. A property that replaces the resource only
 * in some cases (the specification's conditional replacement, e.g. an RDS instance's MultiAZ: RDS decides by the
 * values) gives `may be replaced` and `which may replace it`, and the outcome if it does.
 *
 * @param before each stack's template text as committed, by path below dist/ (`cloudformation/<stack>.template.json`)
 * @param after the same for the templates just rendered
 */
export function statefulReplacementLines(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
): string[] {
  const lines: string[] = [];
  for (const path of sortedPaths(before.keys())) {
    const stack = stackIdOf(path);
    if (!stack || !after.has(path) || before.get(path) === after.get(path)) continue;
    const then = resourcesOf(before.get(path));
    const now = resourcesOf(after.get(path));
    for (const change of resourceChanges(before.get(path), after.get(path))) {
      const id = change.logicalId;
      if (change.kind === 'remove' || then[id]?.Type !== now[id]?.Type) continue;
      const kind = statefulKindOf(now[id])?.kind;
      if (!kind) continue;
      const { reasons } = change;
      const maybe = change.kind === 'may-replace';
      const changes = `${reasons.join(', ')} change${reasons.length === 1 ? 's' : ''}`;
      const property = statefulKindOf(now[id])?.nameProperty;
      const nameThen = property === undefined ? undefined : then[id].Properties?.[property];
      const nameNow = property === undefined ? undefined : now[id].Properties?.[property];
      if (nameNow !== undefined && sameValue(nameThen, nameNow)) {
        lines.push(
          `${stack}: ${kind} ${shown(id, then[id])} stays, but ${changes}, which ${maybe ? 'may replace it (the resource specification says: in some cases)' : 'replaces it'}, and CloudFormation cannot replace a resource whose custom name stays the same: ${maybe ? 'if it does, ' : ''}the next deploy fails and rolls back`,
        );
        continue;
      }
      const newName = customNameOf(now[id]);
      lines.push(
        `${stack}: ${kind} ${shown(id, then[id])} ${maybe ? 'may be replaced' : 'is replaced'} by the next deploy (${changes}${maybe ? ', which replaces it in some cases' : ''}): ${maybe ? 'if it is, ' : ''}CloudFormation creates a new, empty ${kind}${newName === undefined ? '' : ` ${newName}`}, then ${oldOneWords(now[id])}`,
      );
    }
  }
  return lines;
}
