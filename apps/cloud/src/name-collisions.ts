import { removalOf } from './stateful-removals';
import {
  BRING_BACK_DOCS,
  customNameOf,
  resourcesOf,
  shown,
  sortedPaths,
  stackIdOf,
  statefulKindOf,
  type TemplateResource,
  type TemplateResources,
  UPGRADE_DOCS,
} from './stateful-resources';

/** One committed version of a template: its commit and its text. */
export interface TemplateVersion {
  readonly commit: string;
  readonly text: string;
}

/**
 * The committed versions of a template, newest first, by path below dist/; none where there is no history (a copy
 * without Git). Read lazily: the lines stop at the first version that answers them.
 */
export type TemplateHistory = (path: string) => Iterable<TemplateVersion>;

/**
 * One line per stateful resource that a new template adds (its logical ID is not in the committed one) while the
 * account may still hold it, so that CloudFormation's CREATE would meet a resource of the same name:
 *
 * - a resource that returns: the newest committed version of its stack's template that held the logical ID says what
 *   its removal did (its DeletionPolicy). Kept (Retain): a named one makes the next deploy fail on its name, an
 *   unnamed one (a key) comes back as a second one, unless `cdk import` takes it back first. Snapshotted: it comes
 *   back empty, the data is in its final snapshot;
 * - a resource that takes the name of one that leaves the same stack under another logical ID (a renamed construct):
 *   CloudFormation creates the new one before it removes the old one, so the name is still taken;
 * - a log group that an AWS service creates on first write, for a resource the committed template already had:
 *   EKS's `/aws/eks/<cluster>/cluster` of a cluster with control-plane logging, RDS's
 *   `/aws/rds/instance/<instance>/<log>` of an instance that exports that log. The next deploy fails on its name
 *   unless it imports the group (`cdk deploy <stack> --import-existing-resources`).
 *
 * @param before each stack's template text as committed, by path below dist/
 * @param after the same for the templates just rendered
 * @param history the committed versions of a template, newest first
 */
export function nameCollisionLines(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
  history: TemplateHistory,
): string[] {
  const lines: string[] = [];
  for (const path of sortedPaths(after.keys())) {
    const stack = stackIdOf(path);
    if (!stack) continue;
    const then = resourcesOf(before.get(path));
    const added = Object.entries(resourcesOf(after.get(path))).filter(
      ([id, resource]) => !(id in then) && statefulKindOf(resource),
    );
    if (added.length === 0) continue;
    const created = serviceCreatedLogGroups(then);
    const now = resourcesOf(after.get(path));
    const returning = new Map<string, TemplateResource>();
    for (const [id, resource] of added) {
      const name = customNameOf(resource);
      const owner = name === undefined ? undefined : created.get(name);
      const moved = Object.entries(then).find(
        ([oldId, old]) =>
          name !== undefined && !(oldId in now) && old.Type === resource.Type && customNameOf(old) === name,
      );
      if (owner !== undefined) {
        lines.push(
          `${stack}: log group ${shown(id, resource)} is new, but ${owner} has written to it since before: the next deploy fails on its name unless it imports the group, once: \`cdk deploy ${stack} --import-existing-resources\` (${UPGRADE_DOCS})`,
        );
      } else if (moved) {
        lines.push(
          `${stack}: ${statefulKindOf(resource)?.kind} ${shown(id, resource)} takes the name of ${moved[0]}, which leaves: CloudFormation creates the new resource before it removes the old one, so the next deploy fails on its name (keep the logical ID, or remove the old one in a deploy of its own first)`,
        );
      } else {
        returning.set(id, resource);
      }
    }
    const left = lastVersionsHolding(history(path), [...returning.keys()]);
    for (const [id, resource] of returning) {
      const last = left.get(id);
      if (!last) continue;
      const { commit } = last;
      const kind = statefulKindOf(resource)?.kind;
      const when = `when it left (the last commit that held it: ${commit.slice(0, 12)})`;
      const stackNote = before.has(path) ? '' : ' if its stack was deleted';
      if (removalOf(last.resource) === 'keep') {
        const clash =
          customNameOf(resource) === undefined
            ? 'the next deploy creates a second one beside it'
            : 'the next deploy fails on its name';
        lines.push(
          `${stack}: ${kind} ${shown(id, resource)} returns, and CloudFormation kept it ${when}${stackNote}: ${clash} unless \`cdk import\` takes it back first (${BRING_BACK_DOCS})`,
        );
      } else if (removalOf(last.resource) === 'snapshot') {
        lines.push(
          `${stack}: ${kind} ${shown(id, resource)} returns empty: CloudFormation snapshotted and deleted it ${when}${stackNote} (${BRING_BACK_DOCS}: restoring the data)`,
        );
      }
    }
  }
  return lines;
}

/**
 * The log groups an AWS service creates itself for the resources of a template, by name, each with who writes it.
 * EKS writes control-plane logs to `/aws/eks/<cluster name>/cluster` (AWS::EKS::Cluster Logging.ClusterLogging);
 * RDS exports each of EnableCloudwatchLogsExports to `/aws/rds/instance/<DBInstanceIdentifier>/<log>`.
 */
function serviceCreatedLogGroups(resources: TemplateResources): Map<string, string> {
  const groups = new Map<string, string>();
  for (const resource of Object.values(resources)) {
    const properties = resource.Properties ?? {};
    if (resource.Type === 'AWS::EKS::Cluster' && typeof properties.Name === 'string') {
      const logging = properties.Logging as { ClusterLogging?: { EnabledTypes?: unknown[] } } | undefined;
      if ((logging?.ClusterLogging?.EnabledTypes ?? []).length > 0) {
        groups.set(`/aws/eks/${properties.Name}/cluster`, `EKS (cluster ${properties.Name} logs its control plane)`);
      }
    }
    if (resource.Type === 'AWS::RDS::DBInstance' && typeof properties.DBInstanceIdentifier === 'string') {
      const exports = Array.isArray(properties.EnableCloudwatchLogsExports)
        ? properties.EnableCloudwatchLogsExports
        : [];
      for (const log of exports) {
        groups.set(
          `/aws/rds/instance/${properties.DBInstanceIdentifier}/${String(log)}`,
          `RDS (instance ${properties.DBInstanceIdentifier} exports its ${String(log)} log)`,
        );
      }
    }
  }
  return groups;
}

/** For each logical ID, the newest version that holds it: its commit and the resource there. */
function lastVersionsHolding(
  versions: Iterable<TemplateVersion>,
  ids: readonly string[],
): Map<string, { commit: string; resource: TemplateResource }> {
  const found = new Map<string, { commit: string; resource: TemplateResource }>();
  if (ids.length === 0) return found;
  for (const { commit, text } of versions) {
    let resources: TemplateResources;
    try {
      resources = resourcesOf(text);
    } catch {
      continue; // a version that is no JSON (a conflict committed by mistake) tells nothing
    }
    for (const id of ids) {
      if (!found.has(id) && resources[id]) found.set(id, { commit, resource: resources[id] });
    }
    if (found.size === ids.length) break;
  }
  return found;
}
