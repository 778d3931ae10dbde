import type { AlarmThresholds } from '@platform/model';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as observabilityadmin from 'aws-cdk-lib/aws-observabilityadmin';
import { Construct } from 'constructs';
import { type AlarmNotification, PlatformAlarm } from './platform-alarm';

const PERIOD = Duration.minutes(1);

export interface EdgeLoadBalancerAlarmsProps {
  /** `<org>-<env>`: begins each alarm's name. */
  readonly namePrefix: string;
  /** The tag the edge Ingresses put on the load balancer and its target groups (`EnvironmentNaming.edgeLoadBalancerTag`). */
  readonly tag: { readonly key: string; readonly value: string };
  readonly thresholds: AlarmThresholds['loadBalancer'];
  readonly notification: AlarmNotification;
  /**
   * Turn on CloudWatch's resource tags for telemetry in the stack's account and region
   * (`AWS::ObservabilityAdmin::TelemetryEnrichment`), which the queries' tag filter needs. Once per account and
   * region; kept when the stack goes, as other environments of the account may rely on it.
   * @default false
   */
  readonly enableResourceTagsForTelemetry?: boolean;
}

/**
 * The alarms of the environment's edge load balancer: the 5xx responses per minute the load balancer returns itself
 * and those its targets return, targets failing their health checks, and a target group without a healthy target.
 *
 * The AWS Load Balancer Controller creates the load balancer from the Ingresses, after the stacks are deployed, so
 * the value of its `LoadBalancer` dimension (`app/<name>/<id>`, the id given by AWS) is not known at synthesis, and
 * it changes if the load balancer is ever recreated. Each alarm is therefore a CloudWatch Metrics Insights query
 * that selects the load balancer's metrics by a tag of the resource, `WHERE tag.<key> = '<cluster name>'`, the tag
 * the Ingresses ask the controller to put on everything it creates (`alb.ingress.kubernetes.io/tags`). Amazon
 * CloudWatch User Guide, "Create a CloudWatch alarm based on a Metrics Insights query" (filtering by tag, and alarms on
 * queries that return one aggregated time series) and "Metrics Insights query components and syntax"; tag filters
 * read the resource tags for telemetry (CloudFormation `AWS::ObservabilityAdmin::TelemetryEnrichment`). A query
 * without `GROUP BY` returns one series, aggregated over every matching load balancer or target group.
 *
 * Each alarm holds exactly one query and no metric math: a GetMetricData operation, as which an alarm's metrics are
 * evaluated, can include only one Metrics Insights query (User Guide, "Metrics Insights quotas"; CloudWatch API
 * Reference, GetMetricData), so a ratio of two queries is not possible. The 5xx alarms count errors per minute; the
 * error ratio of each service is alerted in the cluster by Prometheus (HighErrorRate and the availability SLO's burn
 * rates). CloudWatch allows 200 Metrics Insights alarms per account and region by default: these are four per
 * environment. Where the environment has no edge service there is no load balancer and no data: every alarm treats
 * missing data as not breaching (the load balancer also publishes its 5xx counts only when there are some).
 */
export class EdgeLoadBalancerAlarms extends Construct {
  public readonly alarms: readonly PlatformAlarm[];

  public constructor(scope: Construct, id: string, props: EdgeLoadBalancerAlarmsProps) {
    super(scope, id);
    const { namePrefix, tag, thresholds, notification } = props;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(tag.key) || /['\\]/.test(tag.value)) {
      throw new Error(`the edge tag ${tag.key}=${tag.value} cannot be named in a Metrics Insights query unquoted`);
    }
    let enrichment: observabilityadmin.CfnTelemetryEnrichment | undefined;
    if (props.enableResourceTagsForTelemetry) {
      enrichment = new observabilityadmin.CfnTelemetryEnrichment(this, 'ResourceTagsForTelemetry', {
        scope: 'ACCOUNT',
      });
      enrichment.applyRemovalPolicy(RemovalPolicy.RETAIN);
    }
    const query = (aggregate: string, metricName: string, perTargetGroup: boolean) =>
      new cloudwatch.MathExpression({
        expression: `SELECT ${aggregate}(${metricName}) FROM SCHEMA("AWS/ApplicationELB", ${
          perTargetGroup ? 'LoadBalancer, TargetGroup' : 'LoadBalancer'
        }) WHERE tag.${tag.key} = '${tag.value}'`,
        usingMetrics: {},
        period: PERIOD,
        label: metricName,
      });
    const common = { notification, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING };
    this.alarms = [
      new PlatformAlarm(this, 'LoadBalancer5xx', {
        ...common,
        kind: 'EdgeLoadBalancer5xx',
        alarmName: `${namePrefix}-edge-load-balancer-5xx`,
        alarmDescription: `More than ${thresholds.elb5xxPerMinute} responses a minute are 5xx errors of the edge load balancer itself in 3 of 5 minutes.`,
        metric: query('SUM', 'HTTPCode_ELB_5XX_Count', false),
        threshold: thresholds.elb5xxPerMinute,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
      }),
      new PlatformAlarm(this, 'Target5xx', {
        ...common,
        kind: 'EdgeTarget5xx',
        alarmName: `${namePrefix}-edge-target-5xx`,
        alarmDescription: `More than ${thresholds.target5xxPerMinute} responses a minute are 5xx errors of the edge load balancer's targets in 3 of 5 minutes.`,
        metric: query('SUM', 'HTTPCode_Target_5XX_Count', false),
        threshold: thresholds.target5xxPerMinute,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
      }),
      new PlatformAlarm(this, 'UnhealthyTargets', {
        ...common,
        kind: 'EdgeUnhealthyTargets',
        alarmName: `${namePrefix}-edge-unhealthy-targets`,
        alarmDescription: `A target group of the edge load balancer has targets failing their health check for 5 minutes.`,
        metric: query('MAX', 'UnHealthyHostCount', true),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        datapointsToAlarm: 5,
      }),
      new PlatformAlarm(this, 'NoHealthyTargets', {
        ...common,
        kind: 'EdgeNoHealthyTargets',
        alarmName: `${namePrefix}-edge-no-healthy-targets`,
        alarmDescription: `A target group of the edge load balancer has no healthy target for 3 minutes: its service is unreachable from the internet.`,
        metric: query('MIN', 'HealthyHostCount', true),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
      }),
    ];
    // A tag filter matches nothing until the resource tags for telemetry are on: CloudFormation creates the alarms
    // after the setting where this stack turns it on.
    if (enrichment) for (const alarm of this.alarms) alarm.node.addDependency(enrichment);
  }
}
