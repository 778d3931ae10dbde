import { type Environment, type EnvironmentNaming, observabilityOf } from '@platform/model';
import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeWildcards } from './acknowledge';
import { allowLogGroupEncryption } from './log-encryption';
import { logsRetention } from './log-retention';
import { addonIdentity, type WorkloadIdentity } from './workload-identity';

export interface ClusterTelemetryProps {
  /** Name of the EKS cluster whose collectors' service accounts the identities bind to. */
  readonly clusterName: string;
  readonly environment: Environment;
  readonly naming: EnvironmentNaming;
}

/**
 * The X-Ray actions the trace collector calls: the OpenTelemetry Collector's `awsxray` exporter sends segments
 * with PutTraceSegments only (its `telemetry` option, which would call PutTelemetryRecords, stays off). X-Ray
 * grants them on `*` only: it has no resource-level permissions (Service Authorization Reference, AWS X-Ray).
 */
export const TRACE_COLLECTOR_XRAY_ACTIONS = ['xray:PutTraceSegments'] as const;

/**
 * Where the cluster's logs and traces go, and who may write them. The log groups of the container and node logs
 * (`EnvironmentNaming.logGroupNames`), kept for `observability.logs.retentionDays` and encrypted with a key of their
 * own, created here so the log collector never creates one (its role may not); the log collector's identity, which
 * may create streams in and write to exactly those groups; and the trace collector's identity, which may send trace
 * segments to X-Ray. The collectors themselves are Helm add-ons of the Kubernetes half.
 */
export class ClusterTelemetry extends Construct {
  public readonly logKey: kms.Key;
  public readonly containerLogs: logs.LogGroup;
  public readonly nodeLogs: logs.LogGroup;
  public readonly logCollector: WorkloadIdentity;
  public readonly traceCollector: WorkloadIdentity;

  public constructor(scope: Construct, id: string, props: ClusterTelemetryProps) {
    super(scope, id);
    const { clusterName, environment, naming } = props;
    const retention = logsRetention(
      environment.name,
      'observability.logs.retentionDays',
      observabilityOf(environment).logRetentionDays,
    );

    this.logKey = new kms.Key(this, 'LogKey', {
      description: `Encrypts the container and node logs of ${naming.clusterName}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    allowLogGroupEncryption(this.logKey, `${naming.logGroupPrefix}*`);
    const logGroup = (logId: string, logGroupName: string) =>
      new logs.LogGroup(this, logId, {
        logGroupName,
        retention,
        encryptionKey: this.logKey,
        // Logs outlive the stack, like every log group of the platform (docs/aws.md, deletion and removal).
        removalPolicy: RemovalPolicy.RETAIN,
      });
    this.containerLogs = logGroup('ContainerLogs', naming.containerLogGroupName);
    this.nodeLogs = logGroup('NodeLogs', naming.nodeLogGroupName);

    this.logCollector = addonIdentity(this, 'LogCollectorIdentity', { addon: 'logCollector', naming, clusterName });
    for (const group of [this.containerLogs, this.nodeLogs]) group.grantWrite(this.logCollector);

    this.traceCollector = addonIdentity(this, 'TraceCollectorIdentity', {
      addon: 'traceCollector',
      naming,
      clusterName,
    });
    this.traceCollector.addToPolicy(
      new iam.PolicyStatement({
        sid: 'SendTraceSegments',
        actions: [...TRACE_COLLECTOR_XRAY_ACTIONS],
        resources: ['*'],
      }),
    );
    acknowledgeWildcards(
      this.traceCollector.role,
      'X-Ray has no resource-level permissions: PutTraceSegments is granted on * only, and it is the only action the role has.',
    );
  }
}
