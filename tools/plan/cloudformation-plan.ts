import { isCatalogStackId } from '@platform/model';
import { removalOf, removalWords } from '../../apps/cloud/src/stateful-removals';
import { oldOneWords } from '../../apps/cloud/src/stateful-replacements';
import {
  resourcesOf,
  sameValue,
  shown,
  sortedPaths,
  stackIdOf,
  statefulKindOf,
  type TemplateResource,
} from '../../apps/cloud/src/stateful-resources';
import { resourceChanges } from '../../apps/cloud/src/template-changes';
import type { Finding } from './findings';

/** The CloudFormation half of a plan: what deploying the new templates replaces or removes, and what it leaves. */
export interface CloudFormationPlan {
  readonly findings: readonly Finding[];
  /** Stacks that leave the app, one line each: `cdk deploy` does not delete them. */
  readonly notes: readonly string[];
}

/**
 * Every resource that deploying each new template over the base one replaces, may replace, or removes, as
 * template-changes.ts judges it (the CDK CLI's diff with the CloudFormation resource specification; the same engine
 * as `pnpm synth`'s lines). A resource whose type is stateful (stateful-resources.ts: database, cache, queue, secret,
 * key, log group, image repository, cluster) is stateful here whatever its DeletionPolicy: a kept one leaves the
 * stack's care, and whatever takes its place starts empty. A stack that leaves the app is not deleted by `cdk
 * deploy`: it gives a note; when it is the stack of a service, queue or image repository (its service or queue left
 * the model, or was renamed, while the environment stays), each stateful resource in it is a finding too, since the
 * service loses it (a renamed one starts empty) and deleting the stack, the documented next step, handles it by its
 * DeletionPolicy.
 *
 * @param before the base templates by path below dist/ (`cloudformation/<stack>.template.json`)
 * @param after the new templates, likewise
 */
export function cloudFormationPlan(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
): CloudFormationPlan {
  const findings: Finding[] = [];
  const notes: string[] = [];
  for (const path of sortedPaths(new Set([...before.keys(), ...after.keys()]))) {
    const stack = stackIdOf(path);
    if (!stack || !before.has(path)) continue;
    if (!after.has(path)) {
      const count = Object.keys(resourcesOf(before.get(path))).length;
      notes.push(
        `CloudFormation stack ${stack} leaves the app: cdk deploy does not delete it, and its ${count} resources stay until the stack is deleted by hand (docs/aws.md, "Deletion and removal")`,
      );
      if (isCatalogStackId(stack)) {
        for (const [logicalId, then] of Object.entries(resourcesOf(before.get(path)))) {
          const kind = statefulKindOf(then)?.kind;
          if (!kind) continue;
          findings.push({
            side: 'cloudformation',
            where: `CloudFormation stack ${stack}`,
            change: 'remove',
            text: `${kind} ${shown(logicalId, then)} leaves the model with its stack: cdk deploy leaves the stack as it is; deleting the stack ${removalWords(then)}`,
            stateful: true,
            key: { stack, logicalId },
            order: logicalId,
          });
        }
      }
      continue;
    }
    for (const change of resourceChanges(before.get(path), after.get(path))) {
      const { logicalId, before: then, after: now } = change;
      const kind = statefulKindOf(then)?.kind;
      const subject = kind ? `${kind} ${shown(logicalId, then)}` : `${String(then.Type)} ${logicalId}`;
      const because = `${change.reasons.join(', ')} change${change.reasons.length === 1 ? 's' : ''}`;
      let text: string;
      if (change.kind === 'remove') {
        text = kind
          ? `${subject} leaves the stack: CloudFormation ${removalWords(then)}`
          : `${subject} leaves the stack: CloudFormation ${removalOf(then) === 'keep' ? 'keeps it, outside the stack' : 'deletes it'}`;
      } else {
        const maybe = change.kind === 'may-replace';
        const verb = maybe
          ? `may be replaced (${because}, which replaces it in some cases)`
          : `is replaced (${because})`;
        text = `${subject} ${verb}${kind && now ? `: ${replacementOutcome(then, now, kind, maybe)}` : ''}`;
      }
      findings.push({
        side: 'cloudformation',
        where: `CloudFormation stack ${stack}`,
        change: change.kind,
        text,
        stateful: kind !== undefined,
        key: { stack, logicalId },
        order: logicalId,
      });
    }
  }
  return { findings, notes };
}

/** What replacing a stateful resource does: fail on its unchanged custom name, or start empty and handle the old. */
function replacementOutcome(then: TemplateResource, now: TemplateResource, kind: string, maybe: boolean): string {
  const property = statefulKindOf(now)?.nameProperty;
  const name = property === undefined ? undefined : now.Properties?.[property];
  const when = maybe ? 'if it is, ' : '';
  if (name !== undefined && sameValue(then.Properties?.[property as string], name)) {
    return `${when}the deploy fails and rolls back, since its custom name stays the same`;
  }
  return `${when}CloudFormation creates a new, empty ${kind}, then ${oldOneWords(now)}`;
}
