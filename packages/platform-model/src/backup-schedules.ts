import type { Environment, Team } from './schema';

/**
 * Hours a backup interval may take (`teamNamespacesEveryHours`, `clusterEveryHours` of `environments[].backup`):
 * the divisors of 24, so that a cron expression that runs every that many hours from midnight runs at evenly spaced
 * hours, the same every day.
 */
export const BACKUP_INTERVAL_HOURS = [1, 2, 3, 4, 6, 8, 12, 24] as const;

/** Days a backup may be kept (`environments[].backup.retentionDays`). */
export const BACKUP_RETENTION_DAYS_RANGE = { min: 1, max: 365 } as const;

/** The backup settings with every default filled in. */
export interface BackupSettings {
  /** Hours between two backups of each team namespace: the teams' recovery point objective. */
  readonly teamNamespacesEveryHours: number;
  /** Hours between two backups of the whole cluster. */
  readonly clusterEveryHours: number;
  /** Days each backup is kept. */
  readonly retentionDays: number;
}

/** What an environment without `backup` (or with some of its fields left out) gets. */
export const BACKUP_DEFAULTS: BackupSettings = {
  teamNamespacesEveryHours: 2,
  clusterEveryHours: 24,
  retentionDays: 30,
};

/**
 * Days the backup bucket keeps an object beyond the backups' retention before its lifecycle rule removes it:
 * Velero's garbage collection (hourly) deletes an expired backup first; the rule removes what it left behind.
 */
export const BACKUP_BUCKET_GRACE_DAYS = 1;

/**
 * Days the backup bucket keeps a noncurrent object version (one that Velero deleted or overwrote): the window in
 * which a deleted backup can still be recovered from the bucket's version history.
 */
export const BACKUP_NONCURRENT_VERSION_DAYS = 7;

/** The environment's backup settings, defaults filled in. */
export function backupSettings(environment: Pick<Environment, 'backup'>): BackupSettings {
  const given = Object.entries(environment.backup ?? {}).filter(([, value]) => value !== undefined);
  return { ...BACKUP_DEFAULTS, ...Object.fromEntries(given) };
}

/** One Velero Schedule of an environment. */
export interface BackupSchedule {
  /** Name of the Schedule object, and the `schedule` label of its backups' metrics. */
  readonly name: string;
  /** Cron expression (five fields, UTC) of the Schedule. */
  readonly cron: string;
  /** Hours between two of its backups. */
  readonly everyHours: number;
  /** The namespaces it backs up; `['*']` for every namespace. */
  readonly namespaces: readonly string[];
  /** Whether it backs up the cluster-scoped objects too. */
  readonly clusterResources: boolean;
  /** How long each of its backups is kept, as a Go duration (`720h0m0s`). */
  readonly ttl: string;
  /** What it holds, in words. */
  readonly description: string;
}

/** Prefix of the Schedule of one team's namespace: `team-<team>`. */
export const TEAM_BACKUP_SCHEDULE_PREFIX = 'team-';

/** Name of the Schedule of the whole cluster. */
export const CLUSTER_BACKUP_SCHEDULE = 'cluster';

/**
 * The environment's Velero Schedules: one per team namespace every `teamNamespacesEveryHours`, and one of the whole
 * cluster every `clusterEveryHours`, each kept `retentionDays`. The team backups start on the hour; the cluster's at
 * half past, so that they never start together.
 */
export function backupSchedules(environment: Pick<Environment, 'backup'>, teams: readonly Team[]): BackupSchedule[] {
  const settings = backupSettings(environment);
  const ttl = `${settings.retentionDays * 24}h0m0s`;
  return [
    ...teams.map((team) => ({
      name: `${TEAM_BACKUP_SCHEDULE_PREFIX}${team.name}`,
      cron: cronEvery(settings.teamNamespacesEveryHours, 0),
      everyHours: settings.teamNamespacesEveryHours,
      namespaces: [team.name],
      clusterResources: false,
      ttl,
      description: `the objects and volumes of namespace ${team.name}`,
    })),
    {
      name: CLUSTER_BACKUP_SCHEDULE,
      cron: cronEvery(settings.clusterEveryHours, 30),
      everyHours: settings.clusterEveryHours,
      namespaces: ['*'],
      clusterResources: true,
      ttl,
      description: 'every namespace with its volumes, and the cluster-scoped objects',
    },
  ];
}

/** A cron expression that runs at `minute` past every `hours`-th hour from midnight (UTC). */
function cronEvery(hours: number, minute: number): string {
  return `${minute} ${hours === 24 ? '0' : hours === 1 ? '*' : `*/${hours}`} * * *`;
}
