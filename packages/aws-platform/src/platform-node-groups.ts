import { type Environment, type NodeGroup, UserError } from '@platform/model';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, Dependable } from 'constructs';
import { createNodeRole } from './node-role';
import { SUBNET_GROUP_NAMES } from './platform-network';

export const NODE_ROLE_LABEL = 'node-role';

/** How each node group of the model runs: capacity type and the taint that keeps other pods off. */
export const NODE_GROUP_SETTINGS = {
  system: {
    capacityType: eks.CapacityType.ON_DEMAND,
    taint: { key: 'CriticalAddonsOnly', value: 'true', effect: eks.TaintEffect.NO_SCHEDULE },
  },
  general: { capacityType: eks.CapacityType.ON_DEMAND, taint: undefined },
  spot: {
    capacityType: eks.CapacityType.SPOT,
    taint: { key: NODE_ROLE_LABEL, value: 'spot', effect: eks.TaintEffect.NO_SCHEDULE },
  },
} as const;

export type NodeGroupName = keyof typeof NODE_GROUP_SETTINGS;

export interface PlatformNodeGroupsProps {
  readonly cluster: eks.Cluster;
  readonly environment: Environment;
  /** Security groups of every node: the cluster's and the platform's node security group. */
  readonly securityGroups: ec2.ISecurityGroup[];
}

/**
 * The managed node groups of the model: AL2023, IMDSv2 only, encrypted root volumes, labelled by role.
 *
 * The AWS::EKS::Nodegroup resources live under the cluster (`Cluster/Nodegroup<name>`), not under this
 * construct; depending on this construct (`node.addDependency(nodeGroups)`) waits for all of them,
 * so whatever waits for pods can name this one construct.
 */
export class PlatformNodeGroups extends Construct {
  public readonly role: iam.Role;
  public readonly nodegroups: Readonly<Record<NodeGroupName, eks.Nodegroup>>;

  public constructor(scope: Construct, id: string, props: PlatformNodeGroupsProps) {
    super(scope, id);
    const { cluster, environment } = props;
    this.role = createNodeRole(this, 'NodeRole', {
      description: `Managed node groups of ${cluster.clusterName}`,
    });
    const launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      requireImdsv2: true,
      // Pods get AWS credentials from Pod Identity; a hop limit of 1 keeps them away from the node's
      // role, as on the nodes Karpenter launches.
      httpPutResponseHopLimit: 1,
      securityGroup: props.securityGroups[0],
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: ec2.BlockDeviceVolume.ebs(50, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }),
        },
      ],
    });
    for (const securityGroup of props.securityGroups.slice(1)) launchTemplate.addSecurityGroup(securityGroup);

    const groups = environment.cluster.nodeGroups;
    const nodegroups = {} as Record<NodeGroupName, eks.Nodegroup>;
    for (const name of Object.keys(NODE_GROUP_SETTINGS) as NodeGroupName[]) {
      const settings = NODE_GROUP_SETTINGS[name];
      const group = groups[name];
      nodegroups[name] = cluster.addNodegroupCapacity(name, {
        nodegroupName: name,
        nodeRole: this.role,
        subnets: { subnetGroupName: SUBNET_GROUP_NAMES.private },
        amiType: amiTypeOf(environment, name, group),
        instanceTypes: group.instanceTypes.map((type) => new ec2.InstanceType(type)),
        capacityType: settings.capacityType,
        minSize: group.minSize,
        desiredSize: group.desiredSize,
        maxSize: group.maxSize,
        labels: { [NODE_ROLE_LABEL]: name },
        taints: settings.taint ? [settings.taint] : [],
        launchTemplateSpec: { id: launchTemplate.launchTemplateId ?? '', version: launchTemplate.latestVersionNumber },
      });
    }
    this.nodegroups = nodegroups;
    const roots = [this, ...Object.values(nodegroups)];
    Dependable.implement(this, { dependencyRoots: roots });
  }
}

/**
 * AL2023 for the instance types' architecture; one node group cannot mix architectures. The validator checks the
 * model by its copy of aws-cdk-lib's rule (instanceArchitecture); this asserts it with aws-cdk-lib's own.
 */
function amiTypeOf(environment: Environment, name: NodeGroupName, group: NodeGroup): eks.NodegroupAmiType {
  const architectures = new Set(group.instanceTypes.map((type) => new ec2.InstanceType(type).architecture));
  if (architectures.size > 1) {
    throw new UserError(
      `environment '${environment.name}': cluster.nodeGroups.${name}.instanceTypes mixes ARM and x86 types (${group.instanceTypes.join(', ')}); use one architecture per node group`,
    );
  }
  return architectures.has(ec2.InstanceArchitecture.ARM_64)
    ? eks.NodegroupAmiType.AL2023_ARM_64_STANDARD
    : eks.NodegroupAmiType.AL2023_X86_64_STANDARD;
}
