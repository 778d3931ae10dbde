import { ADDON_SERVICE_ACCOUNTS, type EnvironmentNaming } from '@platform/model';
import { Duration } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeWildcards } from './acknowledge';
import { karpenterControllerStatements } from './addon-permissions';
import { skipCheckovSqsManagedEncryption } from './checkov-skips';
import { createNodeRole } from './node-role';
import { WorkloadIdentity } from './workload-identity';

export interface KarpenterPrerequisitesProps {
  readonly cluster: eks.ICluster;
  readonly naming: EnvironmentNaming;
}

/**
 * EC2 events Karpenter reacts to before capacity disappears (upstream's rules, see
 * KARPENTER_INTERRUPTION_EVENTS_REFERENCE); the keys are construct IDs of the rules.
 */
export const INTERRUPTION_EVENTS = {
  SpotInterruption: { source: ['aws.ec2'], detailType: ['EC2 Spot Instance Interruption Warning'] },
  Rebalance: { source: ['aws.ec2'], detailType: ['EC2 Instance Rebalance Recommendation'] },
  InstanceStateChange: { source: ['aws.ec2'], detailType: ['EC2 Instance State-change Notification'] },
  ScheduledChange: { source: ['aws.health'], detailType: ['AWS Health Event'] },
  CapacityReservationInterruption: {
    source: ['aws.ec2'],
    detailType: ['EC2 Capacity Reservation Instance Interruption Warning'],
  },
} as const;

/**
 * What Karpenter needs from AWS before its Helm release (from Git) starts: the node role with an
 * EC2_LINUX access entry, the interruption queue fed by EventBridge, and the controller's identity.
 * The NodePools and EC2NodeClasses are Kubernetes objects and live in Git.
 */
export class KarpenterPrerequisites extends Construct {
  public readonly nodeRole: iam.Role;
  public readonly interruptionQueue: sqs.Queue;
  public readonly controllerIdentity: WorkloadIdentity;

  public constructor(scope: Construct, id: string, props: KarpenterPrerequisitesProps) {
    super(scope, id);
    const { cluster, naming } = props;
    this.nodeRole = createNodeRole(this, 'NodeRole', {
      roleName: naming.karpenterNodeRoleName,
      description: `Nodes that Karpenter launches in ${naming.clusterName}`,
    });
    new eks.AccessEntry(this, 'NodeAccessEntry', {
      cluster,
      principal: this.nodeRole.roleArn,
      accessEntryType: eks.AccessEntryType.EC2_LINUX,
      accessPolicies: [],
    });

    this.interruptionQueue = new sqs.Queue(this, 'InterruptionQueue', {
      queueName: naming.karpenterInterruptionQueueName,
      retentionPeriod: Duration.minutes(5),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    for (const [ruleId, eventPattern] of Object.entries(INTERRUPTION_EVENTS)) {
      new events.Rule(this, `${ruleId}Rule`, {
        description: `${ruleId} events for Karpenter of ${naming.clusterName}`,
        eventPattern: { source: [...eventPattern.source], detailType: [...eventPattern.detailType] },
        targets: [new targets.SqsQueue(this.interruptionQueue)],
      });
    }

    skipCheckovSqsManagedEncryption(
      this.interruptionQueue,
      'EventBridge (events.amazonaws.com) and the Karpenter role',
    );
    acknowledge(
      this.interruptionQueue,
      'AwsSolutions-SQS3',
      'Interruption events are warnings that are useless minutes later (retention is 5 minutes); a dead-letter queue would only keep stale events.',
    );

    this.controllerIdentity = new WorkloadIdentity(this, 'ControllerIdentity', {
      clusterName: cluster.clusterName,
      serviceAccount: ADDON_SERVICE_ACCOUNTS.karpenter,
      roleName: naming.addonRoleName('karpenter'),
      description: `Karpenter controller of ${naming.clusterName}`,
    });
    for (const statement of karpenterControllerStatements(this, {
      clusterName: naming.clusterName,
      clusterArn: cluster.clusterArn,
      nodeRoleArn: this.nodeRole.roleArn,
      interruptionQueueArn: this.interruptionQueue.queueArn,
    })) {
      this.controllerIdentity.addToPolicy(statement);
    }
    acknowledgeWildcards(
      this.controllerIdentity.role,
      "Karpenter's upstream policy (KARPENTER_POLICY_REFERENCE): it launches instances, fleets and launch templates whose IDs are unknown beforehand and picks AMIs, subnets and security groups at run time; creation requires the cluster and NodePool request tags, termination the cluster and NodePool resource tags, reads are limited to the region, and PassRole to the node role.",
    );
  }
}
