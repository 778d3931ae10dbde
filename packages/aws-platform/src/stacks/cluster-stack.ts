import {
  ADDON_SERVICE_ACCOUNTS,
  type Environment,
  EnvironmentNaming,
  loadBalancerAlarmThresholds,
  type Organization,
  peopleRoles,
  platformSecretReaders,
  type Team,
  wantsBreakGlassBastion,
} from '@platform/model';
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { type Construct, DependencyGroup } from 'constructs';
import { acknowledgeCdkProvider } from '../acknowledge';
import { BreakGlassBastion } from '../break-glass-bastion';
import { ClusterTelemetry } from '../cluster-telemetry';
import { EdgeLoadBalancerAlarms } from '../edge-alarms';
import { GitOpsBootstrap } from '../gitops-bootstrap';
import { kubernetesRelease, warnAboutSupport } from '../kubernetes-release';
import { allowLogGroupEncryption } from '../log-encryption';
import { PeopleAccess } from '../people-access';
import { environmentAlarmTopic } from '../platform-alarm';
import { PlatformCluster } from '../platform-cluster';
import { tagResources } from '../platform-tags';
import { protectProviderLogs } from '../provider-logs';
import { SecretReaderRoles } from '../secret-reader-roles';
import { associatePodIdentity, WorkloadIdentity } from '../workload-identity';

export interface ClusterStackProps extends StackProps {
  readonly organization: Organization;
  readonly environment: Environment;
  /** The teams, whose people get a role each (`peopleRoles`). */
  readonly teams: readonly Team[];
  readonly vpc: ec2.IVpc;
  /** The day the Kubernetes version's support status is judged on. */
  readonly today: Date;
  /**
   * Whether this stack turns on the resource tags for telemetry of its account and region, which the edge alarms
   * read (`createsTelemetryEnrichment` of the model: one environment per account and region).
   * @default false
   */
  readonly createsTelemetryEnrichment?: boolean;
}

/**
 * The EKS cluster with its node groups and add-on identities (Velero's role is the backup stack's, bound here), the
 * GitOps bootstrap, which waits for every add-on's Pod Identity association, the platform's secret readers and the
 * people's access. Each service's identity and secret reader is in the service's own stack (`ServiceStack`);
 * the External Secrets controller may assume those readers by their path (`SecretReaderRoles`).
 */
export class ClusterStack extends Stack {
  public readonly platformCluster: PlatformCluster;
  public readonly gitops: GitOpsBootstrap;
  public readonly secretReaders: SecretReaderRoles;
  /** The roles people assume to reach the cluster, with their access entries. */
  public readonly peopleAccess: PeopleAccess;
  /** The break-glass instance, when the model asks for it (`access.breakGlassBastion`). */
  public readonly breakGlass?: BreakGlassBastion;
  /** The alarms of the load balancer the cluster's controller creates for the edge Ingresses. */
  public readonly edgeAlarms: EdgeLoadBalancerAlarms;
  /** The log groups of the cluster's logs and the log and trace collectors' identities. */
  public readonly telemetry: ClusterTelemetry;
  /** Binds Velero's role, which the backup stack creates (deployed before this one), to Velero's service account. */
  public readonly veleroPodIdentity: eks.CfnPodIdentityAssociation;

  public constructor(scope: Construct, id: string, props: ClusterStackProps) {
    super(scope, id, props);
    const { environment } = props;
    const naming = new EnvironmentNaming(props.organization, environment);
    const release = kubernetesRelease(environment.cluster.kubernetesVersion);

    this.platformCluster = new PlatformCluster(this, 'Platform', { vpc: props.vpc, environment, naming, release });
    warnAboutSupport(this.platformCluster.cluster, release.entry, props.today);
    this.secretReaders = new SecretReaderRoles(this, 'SecretReaders', {
      readers: platformSecretReaders(naming),
      controllerRole: this.platformCluster.addonIdentities.externalSecrets.role,
      clusterName: this.platformCluster.cluster.clusterName,
      serviceReaderArnPattern: naming.serviceSecretReaderArnPattern,
    });
    this.telemetry = new ClusterTelemetry(this, 'Telemetry', {
      clusterName: this.platformCluster.cluster.clusterName,
      environment,
      naming,
    });
    // Velero's role is the backup stack's, deployed before this one; it is named by the naming contract.
    this.veleroPodIdentity = associatePodIdentity(this, 'VeleroPodIdentityAssociation', {
      clusterName: this.platformCluster.cluster.clusterName,
      serviceAccount: ADDON_SERVICE_ACCOUNTS.velero,
      roleArn: naming.addonRoleArn('velero'),
    });
    // After every identity of the stack: Argo CD installs the add-ons, whose pods get AWS credentials only if their
    // Pod Identity association exists when they are created.
    const podIdentities = this.node
      .findAll()
      .filter((child) => child instanceof WorkloadIdentity || child instanceof eks.CfnPodIdentityAssociation);
    this.gitops = new GitOpsBootstrap(this, 'GitOps', {
      cluster: this.platformCluster.cluster,
      environment,
      naming,
      podCapacity: this.platformCluster.podCapacity,
      clusterApis: this.platformCluster.clusterApis,
      podIdentities: new DependencyGroup(...podIdentities),
    });
    this.peopleAccess = new PeopleAccess(this, 'PeopleAccess', {
      cluster: this.platformCluster.cluster,
      roles: peopleRoles(naming, environment, props.teams),
    });
    if (wantsBreakGlassBastion(environment)) {
      this.breakGlass = new BreakGlassBastion(this, 'BreakGlass', {
        vpc: props.vpc,
        cluster: this.platformCluster.cluster,
        name: naming.breakGlassBastionName,
      });
      for (const role of this.peopleAccess.roles.values()) this.breakGlass.grantPortForwarding(role);
      new CfnOutput(this, 'BreakGlassInstanceId', {
        description: 'Target of the break-glass port forwarding (docs/cluster-access.md)',
        value: this.breakGlass.instance.instanceId,
      });
    }
    // The edge load balancer is the cluster's (its controller creates it); its alarms notify the environment's topic
    // by name: the caller makes the stack depend on the messaging stack, which creates it.
    this.edgeAlarms = new EdgeLoadBalancerAlarms(this, 'EdgeAlarms', {
      namePrefix: naming.prefix,
      tag: naming.edgeLoadBalancerTag,
      thresholds: loadBalancerAlarmThresholds(environment),
      notification: { topic: environmentAlarmTopic(this, environment), environment },
      enableResourceTagsForTelemetry: props.createsTelemetryEnrichment,
    });
    // Last, so every provider function of the stack exists: the kubectl handler sees the GitOps
    // repository token.
    const providerLogKey = new kms.Key(this, 'ProviderLogKey', {
      description: `Encrypts the logs of the CDK provider functions of ${naming.clusterName}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    allowLogGroupEncryption(providerLogKey, '/aws/lambda/*');
    protectProviderLogs(this, { encryptionKey: providerLogKey, retention: logs.RetentionDays.TWO_WEEKS });
    // Last, so the findings include every permission the Helm and manifest resources added.
    const kubectlProvider = this.platformCluster.cluster.node.tryFindChild('KubectlProvider');
    if (kubectlProvider) acknowledgeCdkProvider(kubectlProvider, 'The kubectl provider (Helm and manifest handler)');
    tagResources(this, environment.name, environment.tags);
  }
}
