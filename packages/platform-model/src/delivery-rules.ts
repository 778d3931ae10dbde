import type { ModelIssue } from './model-issue';
import { type ModelParts, pick } from './model-parts';

/**
 * Rules of `organization.ci.existingOidcProviderAccounts`: IAM keeps one GitHub OIDC provider per URL per account,
 * and the flag is per account, so every stack there (shared services or an environment's `ci`) imports the same
 * provider; each listed account must be one the model deploys to, listed once. Paths read
 * `organization.ci.existingOidcProviderAccounts.<index>`.
 */
export function deliveryIssues(parts: ModelParts): ModelIssue[] {
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
