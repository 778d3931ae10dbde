import type { AlarmThresholds } from '@platform/model';
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { type AlarmNotification, PlatformAlarm } from './platform-alarm';

/** Data-store gauges are judged over three 5-minute periods: a burst of a deploy or a vacuum does not page. */
const GAUGE_PERIOD = Duration.minutes(5);
const GAUGE_PERIODS = 3;

export interface DatabaseAlarmsProps {
  readonly instance: rds.DatabaseInstance;
  /** The instance identifier (naming contract), which begins each alarm's name. */
  readonly instanceIdentifier: string;
  readonly thresholds: AlarmThresholds['database'];
  readonly notification: AlarmNotification;
}

/**
 * The alarms of a service's PostgreSQL instance: CPU, free storage and connections (RDS metrics of its
 * `DBInstanceIdentifier`), each over 3 consecutive 5-minute periods. Missing data is `missing`: a missing period is
 * not counted, and with every period of the range missing the alarm goes to INSUFFICIENT_DATA, which notifies nobody
 * (ALARM actions only). RDS publishes these every minute while the instance runs, so a gap is a stopped or replaced
 * instance, which these alarms do not judge. The model has no read replicas (a Multi-AZ standby is not readable and
 * publishes no `ReplicaLag`), so there is no lag alarm.
 */
export class DatabaseAlarms extends Construct {
  public readonly alarms: readonly PlatformAlarm[];

  public constructor(scope: Construct, id: string, props: DatabaseAlarmsProps) {
    super(scope, id);
    const { instance, instanceIdentifier: name, thresholds, notification } = props;
    const common = {
      notification,
      evaluationPeriods: GAUGE_PERIODS,
      datapointsToAlarm: GAUGE_PERIODS,
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
    };
    this.alarms = [
      new PlatformAlarm(this, 'Cpu', {
        ...common,
        kind: 'DatabaseHighCpu',
        alarmName: `${name}-database-cpu`,
        alarmDescription: `CPU of the PostgreSQL instance ${name} averages above ${thresholds.cpuPercent} % for 15 minutes.`,
        metric: instance.metricCPUUtilization({ period: GAUGE_PERIOD, statistic: cloudwatch.Stats.AVERAGE }),
        threshold: thresholds.cpuPercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      }),
      new PlatformAlarm(this, 'FreeStorage', {
        ...common,
        kind: 'DatabaseLowFreeStorage',
        alarmName: `${name}-database-free-storage`,
        alarmDescription: `Free storage of the PostgreSQL instance ${name} is below ${thresholds.freeStorageGiB} GiB for 15 minutes.`,
        metric: instance.metricFreeStorageSpace({ period: GAUGE_PERIOD, statistic: cloudwatch.Stats.MINIMUM }),
        // FreeStorageSpace is in bytes.
        threshold: thresholds.freeStorageGiB * 1024 ** 3,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      }),
      new PlatformAlarm(this, 'Connections', {
        ...common,
        kind: 'DatabaseHighConnections',
        alarmName: `${name}-database-connections`,
        alarmDescription: `The PostgreSQL instance ${name} holds more than ${thresholds.connections} connections (${thresholds.connectionsPercent} % of max_connections ${thresholds.maxConnections}) for 15 minutes.`,
        metric: instance.metricDatabaseConnections({ period: GAUGE_PERIOD, statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: thresholds.connections,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      }),
    ];
  }
}

export interface CacheAlarmsProps {
  /** The replication group ID (naming contract), which begins each alarm's name. */
  readonly replicationGroupId: string;
  /** Nodes of the group: the primary and its replicas. */
  readonly nodes: number;
  readonly thresholds: AlarmThresholds['cache'];
  readonly notification: AlarmNotification;
}

/**
 * ElastiCache names the member clusters of a replication group created with `NumCacheClusters` `<group>-001`,
 * `<group>-002`, …; its host and engine metrics carry that `CacheClusterId`.
 */
export function cacheMemberClusterIds(replicationGroupId: string, nodes: number): string[] {
  return Array.from({ length: nodes }, (_, index) => `${replicationGroupId}-${String(index + 1).padStart(3, '0')}`);
}

/**
 * The alarms of a service's Valkey replication group: memory, engine CPU, evictions and, with replicas, replication
 * lag, each over the worst of its nodes (`MAX` of the nodes' metrics; a failover changes which node is primary, so
 * every node is watched), over 3 consecutive 5-minute periods. The gauges treat missing data as `missing` (not
 * counted; INSUFFICIENT_DATA, which notifies nobody, when the whole range is missing); evictions and lag are published
 * only while they happen or only by replicas, so a gap is nothing to report (`notBreaching`).
 */
export class CacheAlarms extends Construct {
  public readonly alarms: readonly PlatformAlarm[];

  public constructor(scope: Construct, id: string, props: CacheAlarmsProps) {
    super(scope, id);
    const { replicationGroupId: name, thresholds, notification } = props;
    const members = cacheMemberClusterIds(name, props.nodes);
    const worst = (metricName: string, statistic: string): cloudwatch.IMetric => {
      const metrics = members.map(
        (member) =>
          new cloudwatch.Metric({
            namespace: 'AWS/ElastiCache',
            metricName,
            dimensionsMap: { CacheClusterId: member },
            period: GAUGE_PERIOD,
            statistic,
          }),
      );
      if (metrics.length === 1) return metrics[0];
      return new cloudwatch.MathExpression({
        expression: `MAX([${metrics.map((_, index) => `n${index + 1}`).join(', ')}])`,
        usingMetrics: Object.fromEntries(metrics.map((metric, index) => [`n${index + 1}`, metric])),
        period: GAUGE_PERIOD,
        label: `${metricName} (worst node)`,
      });
    };
    const common = { notification, evaluationPeriods: GAUGE_PERIODS, datapointsToAlarm: GAUGE_PERIODS };
    const alarms = [
      new PlatformAlarm(this, 'Memory', {
        ...common,
        kind: 'CacheHighMemory',
        alarmName: `${name}-cache-memory`,
        alarmDescription: `A node of the Valkey group ${name} uses more than ${thresholds.memoryPercent} % of its memory for 15 minutes.`,
        metric: worst('DatabaseMemoryUsagePercentage', cloudwatch.Stats.MAXIMUM),
        threshold: thresholds.memoryPercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.MISSING,
      }),
      new PlatformAlarm(this, 'EngineCpu', {
        ...common,
        kind: 'CacheHighEngineCpu',
        alarmName: `${name}-cache-engine-cpu`,
        alarmDescription: `The Valkey engine of a node of ${name} averages above ${thresholds.engineCpuPercent} % CPU for 15 minutes.`,
        metric: worst('EngineCPUUtilization', cloudwatch.Stats.AVERAGE),
        threshold: thresholds.engineCpuPercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.MISSING,
      }),
      new PlatformAlarm(this, 'Evictions', {
        ...common,
        kind: 'CacheEvictions',
        alarmName: `${name}-cache-evictions`,
        alarmDescription: `A node of the Valkey group ${name} evicts more than ${thresholds.evictionsPer5Minutes} keys per 5 minutes for 15 minutes.`,
        metric: worst('Evictions', cloudwatch.Stats.SUM),
        threshold: thresholds.evictionsPer5Minutes,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];
    if (props.nodes > 1) {
      alarms.push(
        new PlatformAlarm(this, 'ReplicationLag', {
          ...common,
          kind: 'CacheReplicationLag',
          alarmName: `${name}-cache-replication-lag`,
          alarmDescription: `A replica of the Valkey group ${name} lags more than ${thresholds.replicationLagSeconds} s behind the primary for 15 minutes.`,
          metric: worst('ReplicationLag', cloudwatch.Stats.MAXIMUM),
          threshold: thresholds.replicationLagSeconds,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    this.alarms = alarms;
  }
}
