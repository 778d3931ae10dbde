import type { ModelIssue } from './model-issue';
import { type ModelParts, pick } from './model-parts';
import type { Service, Team } from './schema';
import { peakUsage, quantityValue, ROLLOUT_SURGE } from './workload-capacity';

/** What the quota rule reads of a service. */
export type QuotaConsumer = Pick<Service, 'name' | 'team' | 'replicas' | 'resources'>;

type QuotaField = keyof Team['quota'];

interface Shortfall {
  readonly field: QuotaField;
  /** What the team's services need, in the field's unit (pods, bytes, cores). */
  readonly need: number;
  readonly message: (environments: readonly string[]) => string;
}

/**
 * Each team's quota must admit all its services at `replicas.max` plus the surge of a rolling update, in every
 * environment as that environment runs them (its releases applied), or autoscaling stalls silently and a rollout
 * at full scale waits forever for its surge pod. One problem per quota field, naming the environments it fails
 * in and the least value that fits all of them. Services whose team, replicas or resources are malformed (in the
 * catalog or the environment's release) are left out there: their own problems are listed.
 */
export function quotaIssues(parts: ModelParts): ModelIssue[] {
  const environments = parts.environments.map((part) => part.label);
  return parts.teams.flatMap((part) => {
    const quota = pick(part, 'quota')?.quota;
    if (!quota) return [];
    const team = { name: part.label, quota };
    const failing = new Map<QuotaField, { worst: Shortfall; environments: string[] }>();
    for (const environment of environments) {
      for (const shortfall of shortfalls(team, resolvedServices(parts, environment))) {
        const entry = failing.get(shortfall.field) ?? { worst: shortfall, environments: [] };
        if (shortfall.need > entry.worst.need) entry.worst = shortfall;
        entry.environments.push(environment);
        failing.set(shortfall.field, entry);
      }
    }
    return [...failing].map(([field, { worst, environments: where }]) => ({
      path: `teams.${team.name}.quota.${field}`,
      message: worst.message(where),
    }));
  });
}

/**
 * The problems of one team's quota with the services one environment runs (those of other teams are ignored),
 * each at `teams.<team>.quota.<pods|memory|cpu>` with the least value that fits. TeamResourceLimits asserts it.
 */
export function teamQuotaIssues(team: Pick<Team, 'name' | 'quota'>, services: readonly QuotaConsumer[]): ModelIssue[] {
  return shortfalls(team, services).map((shortfall) => ({
    path: `teams.${team.name}.quota.${shortfall.field}`,
    message: shortfall.message([]),
  }));
}

function shortfalls(team: Pick<Team, 'name' | 'quota'>, services: readonly QuotaConsumer[]): Shortfall[] {
  const { quota } = team;
  const own = services.filter((service) => service.team === team.name);
  const peak = peakUsage(own);
  const what = (environments: readonly string[]) =>
    `its services (${own.map((service) => service.name).join(', ')}) at replicas.max plus ${ROLLOUT_SURGE} rollout surge pod each` +
    (environments.length > 0 ? ` in ${environments.join(', ')}` : '');
  const result: Shortfall[] = [];
  if (peak.pods > quota.pods) {
    result.push({
      field: 'pods',
      need: peak.pods,
      message: (where) => `${quota.pods} is too small for ${what(where)}; allowed: at least ${peak.pods}`,
    });
  }
  if (peak.memory > (quantityValue(quota.memory, 'memory') ?? 0)) {
    result.push({
      field: 'memory',
      need: peak.memory,
      message: (where) =>
        `${quota.memory} is too small for the memory limits of ${what(where)}; allowed: at least ${formatBytes(peak.memory)}`,
    });
  }
  if (peak.cpu > (quantityValue(quota.cpu, 'cpu') ?? 0)) {
    result.push({
      field: 'cpu',
      need: peak.cpu,
      message: (where) =>
        `${quota.cpu} is too small for the CPU requests of ${what(where)}; allowed: at least ${formatCores(peak.cpu)}`,
    });
  }
  return result;
}

/** The services as one environment runs them (as `servicesIn` of releases.ts resolves them), from the parts. */
function resolvedServices(parts: ModelParts, environment: string): QuotaConsumer[] {
  const releases = parts.releases.get(environment);
  return parts.services.flatMap((part) => {
    const service = pick(part, 'team', 'replicas', 'resources');
    const release = releases?.get(part.label);
    const override = release && pick(release, 'replicas', 'resources');
    if (!service || (release && !override)) return [];
    return [
      {
        name: part.label,
        team: service.team,
        replicas: override?.replicas ?? service.replicas,
        resources: override?.resources ?? service.resources,
      },
    ];
  });
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
