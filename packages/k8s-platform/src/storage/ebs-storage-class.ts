import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/** Name of the cluster's default StorageClass: encrypted gp3 volumes of the EBS CSI driver. */
export const DEFAULT_STORAGE_CLASS = 'gp3';

export interface EbsStorageClassProps {
  readonly labels: Record<string, string>;
}

/**
 * The cluster's default StorageClass. EKS marks none as default since Kubernetes 1.30, and its `gp2` class
 * is neither gp3 nor encrypted. Volumes are created in the zone of the pod that first uses them
 * (WaitForFirstConsumer), encrypted, expandable, and deleted with their claim.
 */
export class EbsStorageClass extends Construct {
  public readonly name = DEFAULT_STORAGE_CLASS;

  public constructor(scope: Construct, id: string, props: EbsStorageClassProps) {
    super(scope, id);
    new k8s.KubeStorageClass(this, 'Resource', {
      metadata: {
        name: this.name,
        labels: props.labels,
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      },
      provisioner: 'ebs.csi.aws.com',
      parameters: { type: 'gp3', encrypted: 'true', 'csi.storage.k8s.io/fstype': 'ext4' },
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
      reclaimPolicy: 'Delete',
    });
  }
}
