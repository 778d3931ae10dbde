import { IssueList, type ModelIssue } from './model-issue';
import { type ModelParts, pick } from './model-parts';
import type { Service, Team } from './schema';
import { peakUsage, quantityValue, ROLLOUT_SURGE } from './workload-capacity';

/** What the quota rule reads of a service. */
export type QuotaConsumer = Pick<Service, 'name' | 'team' | 'replicas' | 'resources'>;

/**
 * Each team's quota must admit all its services at `replicas.max` plus the surge of a rolling update, or
 * autoscaling stalls silently and a rollout at full scale waits forever for its surge pod. Services whose
 * team, replicas or resources are malformed are left out (their own problems are listed).
 */
export function quotaIssues(parts: ModelParts): ModelIssue[] {
  const services = parts.services.flatMap((part) => {
    const service = pick(part, 'team', 'replicas', 'resources');
    return service ? [{ ...service, name: part.label }] : [];
  });
  return parts.teams.flatMap((part) => {
    const quota = pick(part, 'quota')?.quota;
    return quota ? teamQuotaIssues({ name: part.label, quota }, services) : [];
  });
}

/**
 * The problems of one team's quota with the given services (those of other teams are ignored), each at
 * `teams.<team>.quota.<pods|memory|cpu>` with the least value that fits. TeamResourceLimits asserts it too.
 */
export function teamQuotaIssues(team: Pick<Team, 'name' | 'quota'>, services: readonly QuotaConsumer[]): ModelIssue[] {
  const { quota } = team;
  const own = services.filter((service) => service.team === team.name);
  const peak = peakUsage(own);
  const list = new IssueList(`teams.${team.name}.quota`);
  const what = `its services (${own.map((service) => service.name).join(', ')}) at replicas.max plus ${ROLLOUT_SURGE} rollout surge pod each`;
  if (peak.pods > quota.pods)
    list.add('pods', `${quota.pods} is too small for ${what}; allowed: at least ${peak.pods}`);
  if (peak.memory > (quantityValue(quota.memory) ?? 0)) {
    list.add(
      'memory',
      `${quota.memory} is too small for the memory limits of ${what}; allowed: at least ${formatBytes(peak.memory)}`,
    );
  }
  if (peak.cpu > (quantityValue(quota.cpu) ?? 0)) {
    list.add(
      'cpu',
      `${quota.cpu} is too small for the CPU requests of ${what}; allowed: at least ${formatCores(peak.cpu)}`,
    );
  }
  return list.issues;
}

/** Bytes as the smallest whole Mi (or Gi when exact) that holds them. */
function formatBytes(bytes: number): string {
  const mebibytes = Math.ceil(bytes / 2 ** 20);
  return mebibytes % 1024 === 0 ? `${mebibytes / 1024}Gi` : `${mebibytes}Mi`;
}

/** Cores as whole millicores, rounded up. */
function formatCores(cores: number): string {
  const millicores = Math.ceil(Math.round(cores * 1e6) / 1e3);
  return millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`;
}
