import { UserError } from './cli-errors';
import type { Environment, PlatformModel } from './schema';

/**
 * The thresholds of one environment's CloudWatch alarms, every default filled in, one part per kind of resource
 * (`databaseAlarmThresholds`, `cacheAlarmThresholds`, `loadBalancerAlarmThresholds`).
 */
export interface AlarmThresholds {
  readonly database: {
    /** Average CPU, percent. */
    readonly cpuPercent: number;
    /** Free storage, GiB, below which the alarm fires. */
    readonly freeStorageGiB: number;
    /** Connections above which the alarm fires: `connectionsPercent` of `maxConnections`, rounded down, at least 1. */
    readonly connections: number;
    readonly connectionsPercent: number;
    readonly maxConnections: number;
  };
  readonly cache: {
    readonly memoryPercent: number;
    readonly engineCpuPercent: number;
    readonly evictionsPer5Minutes: number;
    readonly replicationLagSeconds: number;
  };
  readonly loadBalancer: {
    /** 5xx responses of the load balancer itself per minute above which its alarm fires. */
    readonly elb5xxPerMinute: number;
    /** 5xx responses of its targets per minute above which their alarm fires. */
    readonly target5xxPerMinute: number;
  };
}

/**
 * Defaults of the alarm thresholds, each with its reason:
 * - database CPU 80 %: headroom for a burst before queries queue; over 15 minutes, so a vacuum or a deploy's burst
 *   does not page.
 * - free storage 5 % of the allocated storage: storage autoscaling grows the volume when less than 10 % is free
 *   (Amazon RDS User Guide, "Managing capacity automatically with Amazon RDS storage autoscaling"), so falling
 *   below 5 % of the first allocation means autoscaling cannot keep up or has reached `maxAllocatedStorageGiB`.
 * - connections 80 % of `max_connections`: the rest is the margin before PostgreSQL refuses new connections.
 * - cache memory 80 %: Valkey starts evicting (or refusing writes) at 100 % of `maxmemory`.
 * - engine CPU 90 %: Valkey runs commands on one thread; past 90 % latency grows quickly.
 * - evictions 0 per 5 minutes for 15 minutes: sustained evictions mean the working set no longer fits.
 * - replication lag 30 s: a failover would lose that much of the writes.
 * - load balancer 5xx: more than 5 a minute of its own (502, 503, 504: no target reachable, none in time) and more
 *   than 25 a minute of its targets, in 3 of 5 minutes, so a single failing request or a short burst does not page.
 *   Counts, not ratios: an alarm's metrics may hold only one Metrics Insights query (edge-alarms.ts); the ratio of
 *   each service's errors is alerted by Prometheus (HighErrorRate, the availability SLO's burn rates).
 */
export const ALARM_THRESHOLD_DEFAULTS = {
  database: { cpuPercent: 80, freeStoragePercentOfAllocated: 5, connectionsPercent: 80 },
  cache: { memoryPercent: 80, engineCpuPercent: 90, evictionsPer5Minutes: 0, replicationLagSeconds: 30 },
  loadBalancer: { elb5xxPerMinute: 5, target5xxPerMinute: 25 },
} as const;

/** GiB of memory of the `large` size of each RDS instance family the model knows (4 GiB per vCPU for t and m, 8 for r). */
const RDS_LARGE_MEMORY_GIB: Readonly<Record<string, number>> = {
  t3: 8,
  t4g: 8,
  m5: 8,
  m6g: 8,
  m6i: 8,
  m7g: 8,
  m7i: 8,
  m8g: 8,
  r5: 16,
  r6g: 16,
  r6i: 16,
  r7g: 16,
  r7i: 16,
  r8g: 16,
};

/** Memory of a size relative to `large`: micro, small, medium (burstable classes), large, xlarge, <n>xlarge. */
function sizeFactor(size: string): number | undefined {
  const fixed: Record<string, number> = { micro: 1 / 8, small: 1 / 4, medium: 1 / 2, large: 1, xlarge: 2 };
  if (size in fixed) return fixed[size];
  const match = /^(\d+)xlarge$/.exec(size);
  return match ? 2 * Number(match[1]) : undefined;
}

/** Memory of an RDS instance class in GiB, or undefined for a class the model does not know. */
export function rdsInstanceMemoryGiB(instanceClass: string): number | undefined {
  const match = /^db\.([a-z0-9]+)\.([a-z0-9]+)$/.exec(instanceClass);
  if (!match) return undefined;
  const [, family, size] = match;
  const large = RDS_LARGE_MEMORY_GIB[family];
  const factor = sizeFactor(size);
  if (large === undefined || factor === undefined) return undefined;
  if (family.startsWith('t') ? factor > 4 : factor < 1) return undefined;
  return large * factor;
}

/**
 * RDS for PostgreSQL's default `max_connections`: `LEAST({DBInstanceClassMemory/9531392}, 5000)` (Amazon RDS User
 * Guide, "Maximum number of database connections"), with the class's memory in bytes; undefined for a class whose
 * memory the model does not know (then `alarms.database.maxConnections` is required).
 */
export function postgresMaxConnections(instanceClass: string): number | undefined {
  const memoryGiB = rdsInstanceMemoryGiB(instanceClass);
  if (memoryGiB === undefined) return undefined;
  return Math.min(Math.floor((memoryGiB * 1024 ** 3) / 9531392), 5000);
}

/**
 * The thresholds of an environment's database alarms, the model's where given, the defaults elsewhere. Only a stack
 * with a database asks for them: `max_connections` is known only for the classes whose memory the model knows, and
 * the validator requires `alarms.database.maxConnections` for another class only when some service has a database
 * (alarm-rules.ts).
 * @throws UserError for a database class without known memory and no `alarms.database.maxConnections`
 */
export function databaseAlarmThresholds(environment: Environment): AlarmThresholds['database'] {
  const given = environment.alarms?.database;
  const defaults = ALARM_THRESHOLD_DEFAULTS.database;
  const maxConnections = given?.maxConnections ?? postgresMaxConnections(environment.database.instanceClass);
  if (maxConnections === undefined) {
    throw new UserError(
      `environment '${environment.name}': alarms.database.maxConnections is required for ${environment.database.instanceClass}`,
    );
  }
  const connectionsPercent = given?.connectionsPercent ?? defaults.connectionsPercent;
  return {
    cpuPercent: given?.cpuPercent ?? defaults.cpuPercent,
    freeStorageGiB:
      given?.freeStorageGiB ??
      Math.max(1, Math.ceil((environment.database.allocatedStorageGiB * defaults.freeStoragePercentOfAllocated) / 100)),
    connections: Math.max(1, Math.floor((maxConnections * connectionsPercent) / 100)),
    connectionsPercent,
    maxConnections,
  };
}

/** The thresholds of an environment's cache alarms, the model's where given, the defaults elsewhere. */
export function cacheAlarmThresholds(environment: Environment): AlarmThresholds['cache'] {
  return { ...ALARM_THRESHOLD_DEFAULTS.cache, ...environment.alarms?.cache };
}

/** The thresholds of an environment's edge load balancer alarms, the model's where given, the defaults elsewhere. */
export function loadBalancerAlarmThresholds(environment: Environment): AlarmThresholds['loadBalancer'] {
  const given = environment.alarms?.loadBalancer;
  const defaults = ALARM_THRESHOLD_DEFAULTS.loadBalancer;
  return {
    elb5xxPerMinute: given?.elb5xxPerMinute ?? defaults.elb5xxPerMinute,
    target5xxPerMinute: given?.target5xxPerMinute ?? defaults.target5xxPerMinute,
  };
}

/**
 * Whether the environment's cluster stack turns on CloudWatch's resource tags for telemetry
 * (`AWS::ObservabilityAdmin::TelemetryEnrichment`, one per account and region): as the model says, else for the
 * first environment of its account and region.
 */
export function createsTelemetryEnrichment(
  model: Pick<PlatformModel, 'environments'>,
  environment: Environment,
): boolean {
  const given = environment.alarms?.loadBalancer?.resourceTagsForTelemetry;
  if (given !== undefined) return given === 'create';
  const first = model.environments.find(
    (other) => other.account === environment.account && other.region === environment.region,
  );
  const anyCreates = model.environments.some(
    (other) =>
      other.account === environment.account &&
      other.region === environment.region &&
      other.alarms?.loadBalancer?.resourceTagsForTelemetry === 'create',
  );
  return !anyCreates && first?.name === environment.name;
}

/**
 * The kinds of CloudWatch alarm the platform creates, each with a runbook `docs/runbooks/<kind>.md` that its
 * description links (`runbookUrl`).
 */
export const AWS_ALARM_KINDS = [
  'DatabaseHighCpu',
  'DatabaseLowFreeStorage',
  'DatabaseHighConnections',
  'CacheHighMemory',
  'CacheHighEngineCpu',
  'CacheEvictions',
  'CacheReplicationLag',
  'QueueDeadLetters',
  'QueueOldestMessageAge',
  'EdgeLoadBalancer5xx',
  'EdgeTarget5xx',
  'EdgeUnhealthyTargets',
  'EdgeNoHealthyTargets',
] as const;

export type AwsAlarmKind = (typeof AWS_ALARM_KINDS)[number];
