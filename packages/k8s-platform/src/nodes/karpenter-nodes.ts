import { type Environment, type EnvironmentNaming, KARPENTER_NODE_ARCHITECTURES } from '@platform/model';
import { Construct } from 'constructs';
import {
  Ec2NodeClass,
  Ec2NodeClassSpecBlockDeviceMappingsEbsVolumeType,
  Ec2NodeClassSpecMetadataOptionsHttpTokens,
} from '../imports/karpenter-ec2nodeclass-karpenter.k8s.aws';
import {
  NodePool,
  NodePoolSpecDisruptionBudgetsReasons,
  NodePoolSpecDisruptionConsolidationPolicy,
  NodePoolSpecLimits,
  NodePoolSpecTemplateSpecRequirementsOperator,
} from '../imports/karpenter-nodepool-karpenter.sh';

export interface KarpenterNodesProps {
  readonly environment: Environment;
  readonly naming: EnvironmentNaming;
  readonly labels: Record<string, string>;
  /**
   * AMI alias of the nodes. It names one AMI release, so nodes change only when it changes; Karpenter
   * then replaces them (drift) within the disruption budgets.
   * @default - `al2023@<environment.cluster.karpenterAmiRelease>`
   */
  readonly amiAlias?: string;
  /**
   * CPU architectures the nodes may have; the service images must be built for each of them.
   * @default KARPENTER_NODE_ARCHITECTURES of the model: ['arm64'] (Graviton, like the managed node groups of the model)
   */
  readonly architectures?: readonly string[];
}

/** Name of the EC2NodeClass both NodePools launch from. */
export const NODE_CLASS_NAME = 'default';

/**
 * Karpenter's node supply: one EC2NodeClass (subnets and security groups found by the contract's
 * discovery tag, the contract's node role, IMDSv2 with a hop limit of 1 so pods cannot reach the node's
 * credentials) and two NodePools, spot (preferred) and on-demand, each within half of the model's limits.
 */
export class KarpenterNodes extends Construct {
  public constructor(scope: Construct, id: string, props: KarpenterNodesProps) {
    super(scope, id);
    const { naming, labels } = props;
    const discovery = { [naming.karpenterDiscoveryTag.key]: naming.karpenterDiscoveryTag.value };
    new Ec2NodeClass(this, 'NodeClass', {
      metadata: { name: NODE_CLASS_NAME, labels },
      spec: {
        role: naming.karpenterNodeRoleName,
        amiSelectorTerms: [{ alias: props.amiAlias ?? `al2023@${props.environment.cluster.karpenterAmiRelease}` }],
        subnetSelectorTerms: [{ tags: discovery }],
        securityGroupSelectorTerms: [{ tags: discovery }],
        metadataOptions: {
          httpTokens: Ec2NodeClassSpecMetadataOptionsHttpTokens.REQUIRED,
          httpPutResponseHopLimit: 1,
        },
        blockDeviceMappings: [
          {
            deviceName: '/dev/xvda',
            ebs: {
              volumeSize: '50Gi',
              volumeType: Ec2NodeClassSpecBlockDeviceMappingsEbsVolumeType.GP3,
              encrypted: true,
              deleteOnTermination: true,
            },
          },
        ],
        tags: { ...discovery, Name: `${naming.clusterName}-karpenter` },
      },
    });
    const pools = [
      { id: 'Spot', name: 'spot', capacityType: 'spot', weight: 50 },
      { id: 'OnDemand', name: 'on-demand', capacityType: 'on-demand', weight: 10 },
    ];
    for (const pool of pools) new NodePool(this, pool.id, nodePoolProps(props, pool));
  }
}

function nodePoolProps(
  props: KarpenterNodesProps,
  pool: { name: string; capacityType: string; weight: number },
): ConstructorParameters<typeof NodePool>[2] {
  const { cpu, memoryGiB } = props.environment.cluster.karpenterLimits;
  const requirement = (key: string, values: readonly string[]) => ({
    key,
    operator: NodePoolSpecTemplateSpecRequirementsOperator.IN,
    values: [...values],
  });
  return {
    metadata: { name: pool.name, labels: props.labels },
    spec: {
      weight: pool.weight,
      limits: {
        cpu: NodePoolSpecLimits.fromNumber(Math.ceil(cpu / 2)),
        memory: NodePoolSpecLimits.fromString(`${Math.ceil(memoryGiB / 2)}Gi`),
      },
      disruption: {
        consolidationPolicy: NodePoolSpecDisruptionConsolidationPolicy.WHEN_EMPTY_OR_UNDERUTILIZED,
        consolidateAfter: '5m',
        budgets: [
          { nodes: '10%' },
          // No consolidation of busy nodes during business hours (UTC); empty nodes may still go.
          {
            nodes: '0',
            reasons: [NodePoolSpecDisruptionBudgetsReasons.UNDERUTILIZED],
            schedule: '0 8 * * mon-fri',
            duration: '10h',
          },
        ],
      },
      template: {
        spec: {
          nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: NODE_CLASS_NAME },
          expireAfter: '720h',
          // Without it a pod whose disruption budget never allows eviction keeps an expired or drifted node
          // (a new AMI release) forever; after a day the drain goes ahead anyway.
          terminationGracePeriod: '24h',
          requirements: [
            requirement('karpenter.sh/capacity-type', [pool.capacityType]),
            requirement('karpenter.k8s.aws/instance-category', ['c', 'm', 'r']),
            requirement('kubernetes.io/arch', props.architectures ?? KARPENTER_NODE_ARCHITECTURES),
            requirement('kubernetes.io/os', ['linux']),
            {
              key: 'karpenter.k8s.aws/instance-generation',
              operator: NodePoolSpecTemplateSpecRequirementsOperator.GT,
              values: ['5'],
            },
          ],
        },
      },
    },
  };
}
