import type { Environment, EnvironmentNaming } from '@platform/model';
import { RemovalPolicy, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, DependencyGroup, type IDependable } from 'constructs';
import { acknowledge, acknowledgeManagedPolicies, acknowledgeWildcards } from './acknowledge';
import { externalDnsStatements, loadBalancerControllerStatements } from './addon-permissions';
import { skipCheckov } from './checkov-skips';
import { KarpenterPrerequisites } from './karpenter-prerequisites';
import type { KubernetesRelease } from './kubernetes-release';
import { allowLogGroupEncryption } from './log-encryption';
import { SUBNET_GROUP_NAMES } from './platform-network';
import { PlatformNodeGroups } from './platform-node-groups';
import { addonIdentity, type WorkloadIdentity } from './workload-identity';

export interface PlatformClusterProps {
  readonly vpc: ec2.IVpc;
  readonly environment: Environment;
  readonly naming: EnvironmentNaming;
  /** The catalogue entry's EKS version and kubectl layer. */
  readonly release: KubernetesRelease;
}

/** Every control-plane log type. */
export const CONTROL_PLANE_LOG_TYPES = [
  eks.ClusterLoggingTypes.API,
  eks.ClusterLoggingTypes.AUDIT,
  eks.ClusterLoggingTypes.AUTHENTICATOR,
  eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
  eks.ClusterLoggingTypes.SCHEDULER,
];

/**
 * How long CloudWatch Logs keeps the control-plane logs (audit logs included): a year, long enough to trace an
 * incident back; EKS would otherwise create the group without expiry or encryption.
 */
export const CONTROL_PLANE_LOG_RETENTION = logs.RetentionDays.ONE_YEAR;

/**
 * The EKS support type: STANDARD upgrades the cluster at the end of standard support instead of moving it into
 * paid extended support (EKS's default, EXTENDED). AWS::EKS::Cluster UpgradePolicy.SupportType.
 */
export const EKS_SUPPORT_TYPE = 'STANDARD';

/**
 * The EKS add-on that installs the VolumeSnapshot CRDs and the snapshot controller, through which the EBS CSI driver
 * takes the volume snapshots of Velero's backups; the Kubernetes half's VolumeSnapshotClass needs its CRD
 * (k8s-platform upstream-crds.ts CLOUD_HALF_CRD_RELEASES).
 */
export const SNAPSHOT_CONTROLLER_ADDON = 'snapshot-controller';

/** VPC CNI settings: prefix delegation for pod density, and the network policy agent that enforces our NetworkPolicies. */
export const VPC_CNI_CONFIGURATION = {
  env: { ENABLE_PREFIX_DELEGATION: 'true', WARM_PREFIX_TARGET: '1' },
  enableNetworkPolicy: 'true',
} as const;

/**
 * The environment's EKS cluster: API authentication (access entries), secrets envelope-encrypted
 * with a rotating customer-managed key, all control-plane logs, managed add-ons, the model's node
 * groups and the AWS identities of the platform add-ons.
 */
export class PlatformCluster extends Construct {
  public readonly cluster: eks.Cluster;
  /** Attached to every node (managed and Karpenter's); data stores admit traffic from it only. */
  public readonly nodeSecurityGroup: ec2.SecurityGroup;
  /** Depending on it waits for every managed node group (see PlatformNodeGroups). */
  public readonly nodeGroups: PlatformNodeGroups;
  /**
   * What pods need before they can become ready: every managed node group and cluster DNS (CoreDNS).
   * Anything that waits for its pods at create time (a Helm release with `wait`, an add-on with a
   * Deployment) depends on it; CloudFormation otherwise starts it as soon as the cluster exists.
   */
  public readonly podCapacity: IDependable;
  /**
   * The EKS add-ons that bring CRDs whose kinds the Kubernetes half's objects use (k8s-platform
   * CLOUD_HALF_CRD_RELEASES): the snapshot controller, with the VolumeSnapshot CRDs of the VolumeSnapshotClass.
   * Argo CD cannot apply an object whose CRD does not exist yet, so the root Application waits for them.
   */
  public readonly clusterApis: IDependable;
  public readonly karpenter: KarpenterPrerequisites;
  public readonly addonIdentities: Readonly<
    Record<'externalSecrets' | 'loadBalancerController' | 'ebsCsiDriver', WorkloadIdentity>
  >;
  /**
   * external-dns's identity, which changes the records of the environment's hosted zone only; none when the model
   * names no zone (`edge.hostedZone`), as the Kubernetes half then installs no external-dns.
   */
  public readonly externalDnsIdentity?: WorkloadIdentity;

  public constructor(scope: Construct, id: string, props: PlatformClusterProps) {
    super(scope, id);
    const { environment, naming, release } = props;

    const secretsKey = new kms.Key(this, 'SecretsKey', {
      description: `Envelope encryption of the Kubernetes secrets of ${naming.clusterName}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Created before the cluster, so EKS writes into it rather than creating one without expiry or encryption.
    const logKey = new kms.Key(this, 'ControlPlaneLogKey', {
      description: `Encryption of the control-plane logs of ${naming.clusterName}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const logGroupName = `/aws/eks/${naming.clusterName}/cluster`;
    allowLogGroupEncryption(logKey, logGroupName);
    const controlPlaneLogs = new logs.LogGroup(this, 'ControlPlaneLogs', {
      logGroupName,
      retention: CONTROL_PLANE_LOG_RETENTION,
      encryptionKey: logKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.cluster = new eks.Cluster(this, 'Cluster', {
      clusterName: naming.clusterName,
      version: release.version,
      vpc: props.vpc,
      vpcSubnets: [{ subnetGroupName: SUBNET_GROUP_NAMES.private }],
      endpointAccess: endpointAccessOf(environment),
      clusterLogging: CONTROL_PLANE_LOG_TYPES,
      secretsEncryptionKey: secretsKey,
      defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
      defaultCapacity: 0,
      bootstrapClusterCreatorAdminPermissions: false,
      // Managed add-ons below replace the self-managed defaults.
      bootstrapSelfManagedAddons: false,
      kubectlProviderOptions: { kubectlLayer: release.kubectlLayer(this, 'KubectlLayer') },
      outputConfigCommand: false,
    });
    this.cluster.node.addDependency(controlPlaneLogs);
    // aws-eks-v2 (aws-cdk-lib 2.276.0) has no props for these; AWS::EKS::Cluster has them.
    const clusterResource = this.cluster.node.defaultChild as eks.CfnCluster;
    clusterResource.deletionProtection = environment.cluster.deletionProtection;
    clusterResource.upgradePolicy = { supportType: EKS_SUPPORT_TYPE };
    this.cluster.grantClusterAdmin('PlatformAdminAccess', environment.cluster.adminRoleArn);
    this.acknowledgeClusterFindings(environment);

    this.nodeSecurityGroup = new ec2.SecurityGroup(this, 'NodeSecurityGroup', {
      vpc: props.vpc,
      description: `Nodes of ${naming.clusterName}`,
      allowAllOutbound: true,
    });
    Tags.of(this.nodeSecurityGroup).add(naming.karpenterDiscoveryTag.key, naming.karpenterDiscoveryTag.value);
    // Nodes talk to each other (pods, DNS) and with the control plane in both directions.
    this.nodeSecurityGroup.addIngressRule(this.nodeSecurityGroup, ec2.Port.allTraffic(), 'Node to node');
    this.nodeSecurityGroup.addIngressRule(
      this.cluster.clusterSecurityGroup,
      ec2.Port.allTraffic(),
      'Control plane and managed nodes to these nodes',
    );
    this.cluster.clusterSecurityGroup.addIngressRule(
      this.nodeSecurityGroup,
      ec2.Port.allTraffic(),
      'These nodes to the control plane and managed nodes',
    );

    const vpcCni = this.addAddon('VpcCni', 'vpc-cni', VPC_CNI_CONFIGURATION);
    const kubeProxy = this.addAddon('KubeProxy', 'kube-proxy');
    const podIdentityAgent = this.addAddon('PodIdentityAgent', 'eks-pod-identity-agent');

    this.nodeGroups = new PlatformNodeGroups(this, 'NodeGroups', {
      cluster: this.cluster,
      environment,
      securityGroups: [this.cluster.clusterSecurityGroup, this.nodeSecurityGroup],
    });
    for (const nodegroup of Object.values(this.nodeGroups.nodegroups)) {
      nodegroup.node.addDependency(vpcCni, kubeProxy, podIdentityAgent);
    }

    this.addonIdentities = {
      externalSecrets: addonIdentity(this, 'ExternalSecretsIdentity', {
        addon: 'externalSecrets',
        naming,
        clusterName: this.cluster.clusterName,
      }),
      loadBalancerController: addonIdentity(this, 'LoadBalancerControllerIdentity', {
        addon: 'loadBalancerController',
        naming,
        clusterName: this.cluster.clusterName,
      }),
      ebsCsiDriver: addonIdentity(this, 'EbsCsiDriverIdentity', {
        addon: 'ebsCsiDriver',
        naming,
        clusterName: this.cluster.clusterName,
      }),
    };
    // External Secrets reads nothing as itself: it assumes the reader role of each SecretStore's namespace
    // (SecretReaderRoles), which the cluster stack grants it.
    for (const statement of loadBalancerControllerStatements(this)) {
      this.addonIdentities.loadBalancerController.addToPolicy(statement);
    }
    this.addonIdentities.ebsCsiDriver.role.addManagedPolicy(
      iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonEBSCSIDriverPolicy'),
    );
    acknowledgeManagedPolicies(
      this.addonIdentities.ebsCsiDriver.role,
      'AmazonEBSCSIDriverPolicy is the policy the EBS CSI add-on documents; it limits volume changes to volumes the driver tagged.',
    );
    acknowledgeWildcards(
      this.addonIdentities.loadBalancerController.role,
      "The AWS Load Balancer Controller's upstream policy (LOAD_BALANCER_CONTROLLER_POLICY_REFERENCE): it creates load balancers, target groups, listeners and security groups whose ARNs are unknown beforehand; describe calls have no resource scope, and changes to what it created are conditioned on the elbv2.k8s.aws/cluster tag, which it may not alter.",
    );
    const loadBalancerControllerPolicy = this.addonIdentities.loadBalancerController.role.node
      .tryFindChild('DefaultPolicy')
      ?.node.tryFindChild('Resource');
    if (loadBalancerControllerPolicy) {
      skipCheckov(
        loadBalancerControllerPolicy,
        'CKV_AWS_111',
        "The AWS Load Balancer Controller's upstream policy, which a test holds to LOAD_BALANCER_CONTROLLER_POLICY_REFERENCE: upstream grants listener, rule, certificate, security group rule and WAF/Shield changes without a condition because the controller makes them for Ingresses at run time, before any ARN or tag is known; deleting load balancers, target groups and security groups stays conditioned on its elbv2.k8s.aws/cluster tag.",
      );
    }

    const hostedZone = environment.edge.hostedZone;
    if (hostedZone) {
      this.externalDnsIdentity = addonIdentity(this, 'ExternalDnsIdentity', {
        addon: 'externalDns',
        naming,
        clusterName: this.cluster.clusterName,
      });
      for (const statement of externalDnsStatements(this, { hostedZoneId: hostedZone.id })) {
        this.externalDnsIdentity.addToPolicy(statement);
      }
      acknowledgeWildcards(
        this.externalDnsIdentity.role,
        'route53:ListHostedZones has no resource type to scope it to (Service Authorization Reference, Amazon Route 53): external-dns lists the zones to find the one it keeps; every record change is limited to that zone.',
      );
    }

    // Add-ons with Deployments stay DEGRADED until nodes run their pods, and CloudFormation fails
    // their creation: they wait for every node group. The daemon sets above are what nodes need to
    // become Ready, so they must not wait.
    const coreDns = this.addAddon('CoreDns', 'coredns');
    const ebsCsi = this.addAddon('EbsCsiDriver', 'aws-ebs-csi-driver');
    ebsCsi.node.addDependency(this.addonIdentities.ebsCsiDriver);
    // The VolumeSnapshot CRDs and their controller, through which the EBS CSI driver snapshots volumes for Velero
    // (the VolumeSnapshotClass of dist/ names the driver).
    const snapshotController = this.addAddon('SnapshotController', SNAPSHOT_CONTROLLER_ADDON);
    for (const addon of [coreDns, ebsCsi, snapshotController]) addon.node.addDependency(this.nodeGroups);
    this.podCapacity = new DependencyGroup(this.nodeGroups, coreDns);
    this.clusterApis = new DependencyGroup(snapshotController);

    this.karpenter = new KarpenterPrerequisites(this, 'Karpenter', { cluster: this.cluster, naming });
  }

  private acknowledgeClusterFindings(environment: Environment): void {
    const access = environment.cluster.endpointAccess;
    if (access.mode === 'public-and-private') {
      acknowledge(
        this.cluster,
        'PlatformCluster-EKS1',
        `The model opens the API endpoint of ${environment.name} to ${access.publicCidrs.join(', ')} (cluster.endpointAccess) besides the VPC.`,
      );
    }
    if (!environment.cluster.deletionProtection) {
      acknowledge(
        this.cluster,
        'PlatformCluster-EKS4',
        `The model turns cluster deletion protection off in ${environment.name} (cluster.deletionProtection: false) so it can be torn down.`,
      );
    }
    acknowledgeManagedPolicies(
      this.cluster.role,
      'AmazonEKSClusterPolicy is the policy EKS requires for the cluster service role.',
    );
    acknowledge(
      this.cluster,
      'CloudFormation-Validate::W9009',
      'aws-cdk-lib writes EncryptionConfig.Resources: ["secrets"], which EKS still requires for envelope encryption of secrets.',
    );
  }

  private addAddon(id: string, addonName: string, configurationValues?: Record<string, unknown>): eks.Addon {
    return new eks.Addon(this, id, { cluster: this.cluster, addonName, configurationValues });
  }
}

function endpointAccessOf(environment: Environment): eks.EndpointAccess {
  const access = environment.cluster.endpointAccess;
  if (access.mode === 'private') return eks.EndpointAccess.PRIVATE;
  return eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom(...access.publicCidrs);
}
