import type { GithubSource } from './delivery';
import type { ModelIssue } from './model-issue';
import { type ModelParts, pick } from './model-parts';

/** Rules of the CI identities: `providerAccountIssues` and `repositoryIdIssues`. */
export function deliveryIssues(parts: ModelParts): ModelIssue[] {
  return [...providerAccountIssues(parts), ...repositoryIdIssues(parts)];
}

/**
 * A repository's numeric IDs come as a pair: GitHub's immutable subject names both the owner and the repository by
 * ID (`owner@<id>/repo@<id>`), so one without the other matches no token. Paths read
 * `organization.ci.<field>` and `services.<service>.ci.<field>`, of the field left out.
 */
function repositoryIdIssues(parts: ModelParts): ModelIssue[] {
  const sources: { path: string; ci: GithubSource | undefined }[] = [
    { path: 'organization.ci', ci: pick(parts.organization, 'ci')?.ci },
    ...parts.services.map((part) => ({ path: `services.${part.label}.ci`, ci: pick(part, 'ci')?.ci })),
  ];
  const issues: ModelIssue[] = [];
  for (const { path, ci } of sources) {
    if (ci === undefined) continue;
    const owner = ci.githubRepositoryOwnerId !== undefined;
    const repository = ci.githubRepositoryId !== undefined;
    if (owner === repository) continue;
    const [given, missing, jq] = owner
      ? ['githubRepositoryOwnerId', 'githubRepositoryId', '.id']
      : ['githubRepositoryId', 'githubRepositoryOwnerId', '.owner.id'];
    issues.push({
      path: `${path}.${missing}`,
      message: `is missing while ${given} is given: GitHub's immutable subject names the owner and the repository by ID (owner@<id>/repo@<id>); allowed: both IDs (gh api repos/${ci.githubRepository} --jq '${jq}'), or neither for the subject 'repo:${ci.githubRepository}:…'`,
    });
  }
  return issues;
}

/**
 * Rules of `organization.ci.existingOidcProviderAccounts`: IAM keeps one GitHub OIDC provider per URL per account,
 * and the flag is per account, so every stack there (shared services or an environment's `ci`) imports the same
 * provider; each listed account must be one the model deploys to, listed once. Paths read
 * `organization.ci.existingOidcProviderAccounts.<index>`.
 */
function providerAccountIssues(parts: ModelParts): ModelIssue[] {
  const listed = pick(parts.organization, 'ci')?.ci.existingOidcProviderAccounts;
  if (listed === undefined) return [];
  const shared = pick(parts.organization, 'sharedServices')?.sharedServices.account;
  const known = [
    ...new Set([
      ...(shared === undefined ? [] : [shared]),
      ...parts.environments.flatMap((part) => pick(part, 'account')?.account ?? []),
    ]),
  ];
  const issues: ModelIssue[] = [];
  listed.forEach((account, index) => {
    const path = `organization.ci.existingOidcProviderAccounts.${index}`;
    if (listed.indexOf(account) !== index) {
      issues.push({ path, message: `account ${account} is listed twice; list each account once` });
    } else if (!known.includes(account)) {
      issues.push({
        path,
        message: `account ${account} is neither the shared-services account nor an environment's; allowed: ${known.join(', ')}`,
      });
    }
  });
  return issues;
}
