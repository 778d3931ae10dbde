import { type CfnResource, Stack, Validations } from 'aws-cdk-lib';
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
 */
export class PlatformClusterChecks extends NagPack {
  public readonly name = 'PlatformCluster';

  public constructor(scope?: IConstruct) {
    super(scope);
    this.packName = 'PlatformCluster';
  }

  protected checkResource(node: CfnResource): void {
    if (node.cfnResourceType !== 'AWS::EKS::Cluster') return;
    const properties = resolvedProperties(node);
    const rule = (suffix: string, info: string, explanation: string, check: () => NagRuleResult) =>
      this.applyRule({
        ruleSuffixOverride: suffix,
        info,
        explanation,
        level: NagMessageLevel.ERROR,
        node,
        rule: check,
      });
    const vpc = (properties.ResourcesVpcConfig ?? {}) as Record<string, unknown>;
    // EKS defaults EndpointPublicAccess to true and PublicAccessCidrs to 0.0.0.0/0.
    const isPublic = vpc.EndpointPublicAccess !== false;
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
        const cidrs = (vpc.PublicAccessCidrs as string[] | undefined) ?? ['0.0.0.0/0'];
        return cidrs.includes('0.0.0.0/0') ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
      },
    );
    rule(
      'EKS3',
      'The cluster does not send every control-plane log type to CloudWatch Logs.',
      'api, audit, authenticator, controllerManager and scheduler logs are what an incident is traced with.',
      () => {
        const logging = properties.Logging as { ClusterLogging?: { EnabledTypes?: { Type: string }[] } } | undefined;
        const enabled = new Set((logging?.ClusterLogging?.EnabledTypes ?? []).map((entry) => entry.Type));
        const missing = CONTROL_PLANE_LOGS.filter((type) => !enabled.has(type));
        return missing.length > 0 ? missing.map((type) => `LogExport::${type}`) : NagRuleCompliance.COMPLIANT;
      },
    );
    rule(
      'EKS4',
      'The cluster has no deletion protection.',
      'Without it one stack deletion removes the cluster and everything running on it; production turns it on.',
      () => (properties.DeletionProtection === true ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT),
    );
    rule(
      'EKS5',
      'Kubernetes secrets are not envelope-encrypted with a KMS key.',
      'EncryptionConfig with Resources ["secrets"] and a KeyArn encrypts secrets in etcd with a customer-managed key.',
      () => {
        const configs = (properties.EncryptionConfig ?? []) as {
          Resources?: string[];
          Provider?: { KeyArn?: unknown };
        }[];
        return configs.some((config) => config.Resources?.includes('secrets') && config.Provider?.KeyArn)
          ? NagRuleCompliance.COMPLIANT
          : NagRuleCompliance.NON_COMPLIANT;
      },
    );
    rule(
      'EKS6',
      'The cluster may drift into paid extended support (UpgradePolicy.SupportType is not STANDARD).',
      'EKS defaults to EXTENDED: at the end of standard support the cluster keeps its version at extra cost, silently.',
      () => {
        const policy = properties.UpgradePolicy as { SupportType?: string } | undefined;
        return policy?.SupportType === 'STANDARD' ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
      },
    );
  }
}

/** The resource's CloudFormation properties as they will be written (tokens of other resources stay as objects). */
function resolvedProperties(node: CfnResource): Record<string, unknown> {
  const template = Stack.of(node).resolve(
    (node as unknown as { _toCloudFormation(): unknown })._toCloudFormation(),
  ) as {
    Resources: Record<string, { Properties?: Record<string, unknown> }>;
  };
  return Object.values(template.Resources)[0]?.Properties ?? {};
}
