import { type CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { CfnCluster as CfnClusterV1 } from 'aws-cdk-lib/aws-eks';
import { CfnCluster } from 'aws-cdk-lib/aws-eks-v2';
import { AwsSolutionsChecks, NagMessageLevel, NagPack, NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * Runs cdk-nag's AWS Solutions rules and the platform's own cluster rules on every stack below the scope at
 * synthesis; an unacknowledged finding fails synthesis.
 */
export function addComplianceChecks(scope: IConstruct): void {
  Validations.of(scope).addPlugins(new AwsSolutionsChecks(scope), new PlatformClusterChecks(scope));
}

/** Every control-plane log type EKS has (AWS::EKS::Cluster Logging.ClusterLogging.EnabledTypes). */
const CONTROL_PLANE_LOGS = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

/**
 * Rules for every AWS::EKS::Cluster, whichever construct wrote it. cdk-nag 3.0.2's EKS rules
 * (rules/eks/EKSClusterControlPlaneLogs.js, EKSClusterNoEndpointPublicAccess.js) test `instanceof` the aws-eks
 * CfnCluster class, so the aws-eks-v2 cluster's resource (another class) is never checked. Rule IDs are
 * `PlatformCluster-EKS<n>`; acknowledge one like cdk-nag's, with `acknowledge(construct, id, reason)`.
 *
 * The rules read the L1 resource's typed properties (the CfnCluster of aws-eks-v2 or of aws-eks), resolved with
 * `Stack.of(node).resolve` as cdk-nag's rules do; values set with `addPropertyOverride` are not seen. An
 * AWS::EKS::Cluster that is neither class has no properties to read, and is a finding of its own (EKS0).
 */
export class PlatformClusterChecks extends NagPack {
  public readonly name = 'PlatformCluster';

  public constructor(scope?: IConstruct) {
    super(scope);
    this.packName = 'PlatformCluster';
  }

  protected checkResource(node: CfnResource): void {
    if (node.cfnResourceType !== 'AWS::EKS::Cluster') return;
    const rule = (suffix: string, info: string, explanation: string, check: () => NagRuleResult) =>
      this.applyRule({
        ruleSuffixOverride: suffix,
        info,
        explanation,
        level: NagMessageLevel.ERROR,
        node,
        rule: check,
      });
    const cluster = clusterSettings(node);
    if (cluster === undefined) {
      rule(
        'EKS0',
        'The cluster resource is no CfnCluster, so its settings cannot be checked.',
        'Write the cluster with aws-cdk-lib (aws-eks-v2 Cluster or a CfnCluster) so the cluster rules can read it.',
        () => NagRuleCompliance.NON_COMPLIANT,
      );
      return;
    }
    const vpc = cluster.resourcesVpcConfig ?? {};
    // EKS defaults EndpointPublicAccess to true and PublicAccessCidrs to 0.0.0.0/0.
    const isPublic = vpc.endpointPublicAccess !== false;
    rule(
      'EKS1',
      'The cluster API endpoint is reachable from the internet.',
      'A public endpoint exposes the API server to every network allowed in; keep it private or acknowledge the CIDRs the model allows.',
      () => (isPublic ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT),
    );
    rule(
      'EKS2',
      'The public API endpoint admits any address (no PublicAccessCidrs, or 0.0.0.0/0).',
      'A public endpoint must be limited to known CIDRs; this finding is never to be acknowledged.',
      () => {
        if (!isPublic) return NagRuleCompliance.NOT_APPLICABLE;
        const cidrs = vpc.publicAccessCidrs ?? ['0.0.0.0/0'];
        return cidrs.includes('0.0.0.0/0') ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
      },
    );
    rule(
      'EKS3',
      'The cluster does not send every control-plane log type to CloudWatch Logs.',
      'api, audit, authenticator, controllerManager and scheduler logs are what an incident is traced with.',
      () => {
        const enabled = new Set((cluster.logging?.clusterLogging?.enabledTypes ?? []).map((entry) => entry.type));
        const missing = CONTROL_PLANE_LOGS.filter((type) => !enabled.has(type));
        return missing.length > 0 ? missing.map((type) => `LogExport::${type}`) : NagRuleCompliance.COMPLIANT;
      },
    );
    rule(
      'EKS4',
      'The cluster has no deletion protection.',
      'Without it one stack deletion removes the cluster and everything running on it; production turns it on.',
      () => (cluster.deletionProtection === true ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT),
    );
    rule(
      'EKS5',
      'Kubernetes secrets are not envelope-encrypted with a KMS key.',
      'EncryptionConfig with Resources ["secrets"] and a KeyArn encrypts secrets in etcd with a customer-managed key.',
      () =>
        (cluster.encryptionConfig ?? []).some(
          (config) => config.resources?.includes('secrets') && config.provider?.keyArn,
        )
          ? NagRuleCompliance.COMPLIANT
          : NagRuleCompliance.NON_COMPLIANT,
    );
    rule(
      'EKS6',
      'The cluster may drift into paid extended support (UpgradePolicy.SupportType is not STANDARD).',
      'EKS defaults to EXTENDED: at the end of standard support the cluster keeps its version at extra cost, silently.',
      () =>
        cluster.upgradePolicy?.supportType === 'STANDARD'
          ? NagRuleCompliance.COMPLIANT
          : NagRuleCompliance.NON_COMPLIANT,
    );
  }
}

/**
 * What the rules read of an AWS::EKS::Cluster, as its CfnCluster's typed properties resolve: the CloudFormation
 * properties in camelCase, tokens of other resources left as objects (`{ Ref: … }`), which match no literal.
 */
interface ClusterSettings {
  readonly resourcesVpcConfig?: { readonly endpointPublicAccess?: unknown; readonly publicAccessCidrs?: unknown[] };
  readonly logging?: { readonly clusterLogging?: { readonly enabledTypes?: { readonly type?: unknown }[] } };
  readonly deletionProtection?: unknown;
  readonly encryptionConfig?: { readonly resources?: unknown[]; readonly provider?: { readonly keyArn?: unknown } }[];
  readonly upgradePolicy?: { readonly supportType?: unknown };
}

/** The cluster's settings, or undefined when the resource is no CfnCluster of aws-cdk-lib. */
function clusterSettings(node: CfnResource): ClusterSettings | undefined {
  if (!(node instanceof CfnCluster) && !(node instanceof CfnClusterV1)) return undefined;
  const resolve = (value: unknown) => Stack.of(node).resolve(value);
  return {
    resourcesVpcConfig: resolve(node.resourcesVpcConfig),
    logging: resolve(node.logging),
    deletionProtection: resolve(node.deletionProtection),
    encryptionConfig: resolve(node.encryptionConfig),
    upgradePolicy: resolve(node.upgradePolicy),
  };
}
