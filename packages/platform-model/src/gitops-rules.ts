import { gitopsTargetRevision } from './delivery';
import { environmentFolder } from './dist-layout';
import type { ModelIssue } from './model-issue';
import { type ModelParts, pick } from './model-parts';

/**
 * The model's `gitops.path` is best left out (the validator fills in `dist/<name>`); when given, it must be that
 * folder. Argo CD reads each environment from the folder the model names (`gitops.path`: the path of the root
 * Application the cluster stack installs, and the prefix of its children's paths), and `pnpm synth` writes the
 * environment to `dist/<name>` (dist-layout.ts): a path that differs syncs another environment's objects, or a
 * folder nothing writes (Argo CD then reports the app-of-apps as failing to generate manifests).
 *
 * Each environment's `gitops.targetRevision` (given, or the default of delivery.ts `gitopsTargetRevision`) is the
 * branch its Argo CD syncs, which the deploy workflow advances after the environment's `cdk deploy`. So that a merge
 * reaches an environment only through the deploy order (dev → staging → prod) and its approvals: no environment but
 * the first may track the protected branch (`organization.ci.branch`, which every merge advances at once), no two
 * environments may track the same branch (advancing one would release the other), and no branch may be a folder of
 * another (`deploy` beside `deploy/prod`: Git cannot hold both).
 */
export function gitopsIssues(parts: ModelParts): ModelIssue[] {
  return [...pathIssues(parts), ...revisionIssues(parts)];
}

function pathIssues(parts: ModelParts): ModelIssue[] {
  return parts.environments.flatMap((part) => {
    const environment = pick(part, 'name', 'gitops');
    if (!environment) return [];
    const expected = environmentFolder(environment.name);
    // Left out, the validator fills it in (validate.ts).
    const given: string | undefined = environment.gitops.path;
    if (given === undefined || given === expected) return [];
    return [
      {
        path: `environments.${part.label}.gitops.path`,
        message: `'${given}' is not the folder pnpm synth writes the environment '${environment.name}' to; allowed: '${expected}'`,
      },
    ];
  });
}

function revisionIssues(parts: ModelParts): ModelIssue[] {
  const organization = pick(parts.organization, 'ci');
  if (!organization) return [];
  const protectedBranch = organization.ci.branch;
  const issues: ModelIssue[] = [];
  const taken: { branch: string; by: string }[] = [{ branch: protectedBranch, by: 'organization.ci.branch' }];
  parts.environments.forEach((part, index) => {
    const environment = pick(part, 'name', 'gitops');
    if (!environment) return;
    const path = `environments.${part.label}.gitops.targetRevision`;
    const given: string | undefined = environment.gitops.targetRevision;
    const branch = given ?? gitopsTargetRevision(organization, environment.name, index);
    const fallback = gitopsTargetRevision(organization, environment.name, Math.max(index, 1));
    const how = given === undefined ? 'the default branch' : 'branch';
    if (index > 0 && branch === protectedBranch) {
      issues.push({
        path,
        message: `'${branch}' is the protected branch (organization.ci.branch), which every merge advances at once: Argo CD would sync '${environment.name}' before the deploy workflow deployed the environments before it and its own stacks; allowed: a branch of its own, such as '${fallback}' (the default, which the deploy workflow advances after '${environment.name}' is deployed)`,
      });
      return;
    }
    const clash = taken.find(
      (other) =>
        (other.branch === branch && !(index === 0 && other.by === 'organization.ci.branch')) ||
        other.branch.startsWith(`${branch}/`) ||
        branch.startsWith(`${other.branch}/`),
    );
    if (clash) {
      issues.push({
        path,
        message:
          clash.branch === branch
            ? `${how} '${branch}' is tracked by ${clash.by} already: advancing it for one environment would release the other; allowed: a branch of its own, such as '${fallback}'`
            : `${how} '${branch}' and '${clash.branch}' (${clash.by}) cannot both be Git branches (one is a folder of the other); allowed: a branch of its own beside them, such as '${fallback}' if that is free`,
      });
      return;
    }
    taken.push({ branch, by: `environment '${environment.name}'` });
  });
  return issues;
}
