import {
  BRING_BACK_DOCS,
  customNameOf,
  resourcesOf,
  shown,
  sortedPaths,
  stackIdOf,
  statefulKindOf,
  type TemplateResource,
} from './stateful-resources';

/** What CloudFormation does with a resource that leaves its stack, by its DeletionPolicy (none: Delete). */
const ON_REMOVAL: Readonly<Record<string, 'snapshot' | 'keep' | 'delete'>> = {
  Snapshot: 'snapshot',
  Retain: 'keep',
  RetainExceptOnCreate: 'keep',
  Delete: 'delete',
};

/** How a resource leaves: `keep`, `snapshot` or `delete`, read from its DeletionPolicy as CloudFormation reads it. */
export function removalOf(resource: TemplateResource): 'snapshot' | 'keep' | 'delete' {
  return ON_REMOVAL[String(resource.DeletionPolicy ?? 'Delete')] ?? 'delete';
}

/**
 * What CloudFormation does to a resource it deletes from a stack (removal or stack deletion), in words. An RDS
 * instance takes its automated backups along: the templates leave DeleteAutomatedBackups unset, and RDS's default
 * deletes them with the instance (its final snapshot stays). Deletion protection makes the deletion fail. S3 deletes
 * a bucket only once it holds no object version (the templates add no function that empties it).
 */
export function removalWords(resource: TemplateResource): string {
  const backups = resource.Type === 'AWS::RDS::DBInstance' ? ' with its automated backups' : '';
  const protectedNote =
    resource.Properties?.DeletionProtection === true
      ? ' (deletion protection is on: that deletion fails until it is turned off)'
      : '';
  switch (removalOf(resource)) {
    case 'keep':
      return 'keeps it, outside the stack';
    case 'snapshot':
      return `snapshots it, then deletes it${backups}${protectedNote}`;
    case 'delete':
      if (resource.Type === 'AWS::S3::Bucket') {
        return 'deletes it once it is empty (S3 refuses while it holds any object version: that deletion fails until its lifecycle rules have expired them)';
      }
      return `deletes it and its data${backups}${protectedNote}`;
  }
}

/** What adding a resource back needs after it left, by what its removal did. */
function bringBack(resource: TemplateResource): string {
  switch (removalOf(resource)) {
    case 'keep':
      return customNameOf(resource) === undefined
        ? `; adding it back creates another unless \`cdk import\` takes this one into the stack (${BRING_BACK_DOCS})`
        : `; adding it back fails on its name until \`cdk import\` takes it into the stack (${BRING_BACK_DOCS})`;
    case 'snapshot':
      return `; adding it back creates it empty (${BRING_BACK_DOCS}: restoring the data)`;
    case 'delete':
      return '';
  }
}

/**
 * One line per stateful resource (stateful-resources.ts) that the new templates no longer hold, with what its
 * DeletionPolicy makes CloudFormation do and what adding it back takes. A resource that leaves a stack that stays:
 * `<stack>: <kind> <name> (<LogicalId>) leaves the model; the next deploy <outcome>[; adding it back …]`. A stack
 * whose template is gone (its environment left the model) is not deleted by `cdk deploy`, which deploys only the
 * stacks of the app: its line says what deleting that stack would do. A resource still in its stack, however
 * changed, gives no line here (stateful-replacements.ts judges those), so an everyday synth prints none.
 *
 * @param before each stack's template text as committed, by path below dist/ (`cloudformation/<stack>.template.json`)
 * @param after the same for the templates just rendered
 */
export function statefulRemovalLines(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
): string[] {
  const lines: string[] = [];
  for (const path of sortedPaths(before.keys())) {
    const stack = stackIdOf(path);
    if (!stack) continue;
    const stackStays = after.has(path);
    const kept = resourcesOf(after.get(path));
    for (const [id, resource] of Object.entries(resourcesOf(before.get(path)))) {
      const kind = statefulKindOf(resource)?.kind;
      if (!kind || id in kept) continue;
      const outcome = stackStays
        ? `leaves the model; the next deploy ${removalWords(resource)}`
        : `leaves the model with its stack; cdk deploy does not delete a stack the app no longer has, and deleting the stack ${removalWords(resource)}`;
      lines.push(`${stack}: ${kind} ${shown(id, resource)} ${outcome}${bringBack(resource)}`);
    }
  }
  return lines;
}
