import { parseArn } from './arn-rules';
import { partitionOf } from './aws-facts';
import { IssueList, type ModelIssue } from './model-issue';
import { type ModelParts, pick } from './model-parts';

/**
 * `access` of each environment (people-access.ts): each team it names is a team of the model, and each principal
 * pattern names roles of the environment's own account, in the region's partition, without a region (IAM ARNs name
 * none). A pattern is matched with IAM's ArnLike, so it must name at least the start of a role's path or name: a
 * pattern such as `role/*` would let every role of the account in, the services' and add-ons' roles included.
 */
export function accessIssues(parts: ModelParts): ModelIssue[] {
  const teams = new Set(parts.teams.flatMap((part) => pick(part, 'name')?.name ?? []));
  return parts.environments.flatMap((part) => {
    const place = pick(part, 'account', 'region', 'access');
    const access = place?.access;
    if (!place || !access) return [];
    const list = new IssueList(`environments.${part.label}.access`);
    const partition = partitionOf(place.region);
    const expected = `arn:${partition}:iam::${place.account}:role/<path and name, may end in * or ?>`;
    const checkPrincipals = (field: string, patterns: readonly string[]) => {
      patterns.forEach((pattern, index) => {
        const problems = principalProblems(pattern, partition, place.account);
        if (problems.length > 0) {
          list.add(
            `${field}.${index}`,
            `'${pattern}' differs from the environment in ${problems.join(', ')}: people assume the environment's roles from roles of its own account, matched with IAM's ArnLike; allowed: ${expected}`,
          );
        }
      });
    };
    for (const [team, patterns] of Object.entries(access.teams ?? {})) {
      if (!teams.has(team)) {
        list.add(
          `teams.${team}`,
          `names unknown team '${team}'; a team role edits the team's namespace, so name one of: ${[...teams].join(', ') || '(no teams)'}`,
        );
      }
      checkPrincipals(`teams.${team}`, patterns);
    }
    checkPrincipals('readOnly', access.readOnly ?? []);
    return list.issues;
  });
}

function principalProblems(pattern: string, partition: string, account: string): string[] {
  const arn = parseArn(pattern);
  if (!arn) return ['its form'];
  return [
    arn.partition !== partition && `partition ${arn.partition}`,
    arn.service !== 'iam' && `service ${arn.service}`,
    arn.region !== '' && `region ${arn.region} (IAM ARNs name no region)`,
    arn.account !== account && `account ${arn.account || '(none)'}`,
    !/^role\/[^*?]/.test(arn.resource) && `resource ${arn.resource} (not role/ followed by a path or name)`,
  ].filter((problem) => problem !== false);
}
