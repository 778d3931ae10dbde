import { type Environment, PLATFORM_NAMESPACES } from '@platform/model';
import { Construct } from 'constructs';
import { VELERO_METRICS_PORT } from '../argocd/velero-values';
import { AddonNetworkPolicies } from '../network/addon-network-policies';
import { apiServerPeers, awsApiPeers, httpsEgress, podIdentityEgress, s3Peers } from '../network/aws-egress';

/**
 * The labels of the Velero server's pods: the chart's Deployment template, release `velero` (vmware-tanzu/helm-charts
 * charts/velero/templates/deployment.yaml at the pinned commit of chart 12.2.0).
 */
export const VELERO_POD_LABELS = {
  'app.kubernetes.io/name': 'velero',
  'app.kubernetes.io/instance': 'velero',
} as const;

export interface VeleroNetworkPoliciesProps {
  readonly environment: Environment;
  readonly labels: Record<string, string>;
  /**
   * Namespace Velero runs in.
   * @default PLATFORM_NAMESPACES.velero
   */
  readonly namespace?: string;
}

/**
 * The edges of Velero's namespace, on top of a default deny (and DNS): only Prometheus reaches the Velero server, on
 * its metrics port (VELERO_METRICS_PORT, which the chart's ServiceMonitor scrapes and the backup alerts read), and
 * Velero reaches the Pod Identity agent, the AWS APIs (STS and the rest through the interface endpoints or the NAT
 * gateways), S3 (the backup bucket, through the S3 gateway endpoint: outside the VPC) and the Kubernetes API server
 * (every object it backs up or restores, and the VolumeSnapshots, which the snapshot controller and the EBS CSI
 * driver turn into EBS snapshots: Velero itself calls no EC2 API), all over HTTPS. Egress holds for every pod of the
 * namespace: all of them are Velero's.
 */
export class VeleroNetworkPolicies extends Construct {
  public constructor(scope: Construct, id: string, props: VeleroNetworkPoliciesProps) {
    super(scope, id);
    const { environment, labels } = props;
    new AddonNetworkPolicies(this, 'Policies', {
      namespace: props.namespace ?? PLATFORM_NAMESPACES.velero,
      name: 'velero',
      podLabels: VELERO_POD_LABELS,
      metricsPort: VELERO_METRICS_PORT,
      egress: [
        podIdentityEgress(),
        httpsEgress([...awsApiPeers(environment), ...s3Peers(environment), ...apiServerPeers(environment)]),
      ],
      // The chart's CRD upgrade Job reaches the API server as the server does.
      egressOf: 'namespace',
      labels,
    });
  }
}
