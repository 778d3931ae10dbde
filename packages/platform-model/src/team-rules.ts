import type { ModelIssue } from './model-issue';
import { type ModelParts, pick } from './model-parts';
import { PLATFORM_NAMESPACES } from './naming';

/**
 * Namespaces a team may not take, since a team's name becomes its namespace: the platform's own (the add-ons
 * would share the team's quota, guard rails and NetworkPolicies, and both would render one Namespace twice),
 * `default` (the guard rails refuse workloads there) and Kubernetes' `kube-` prefix (kube-system, kube-public,
 * kube-node-lease and any it adds).
 */
export const RESERVED_NAMESPACES: readonly string[] = [...Object.values(PLATFORM_NAMESPACES), 'default'];

export function teamIssues(parts: ModelParts): ModelIssue[] {
  return parts.teams.flatMap((part) => {
    const name = pick(part, 'name')?.name;
    if (name === undefined || (!RESERVED_NAMESPACES.includes(name) && !name.startsWith('kube-'))) return [];
    return [
      {
        path: `teams.${part.label}.name`,
        message: `'${name}' is a namespace the cluster already has (${RESERVED_NAMESPACES.join(', ')}, kube-*); a team's name becomes its namespace, so choose another`,
      },
    ];
  });
}
