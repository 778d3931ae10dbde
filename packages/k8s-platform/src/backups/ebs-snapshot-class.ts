import { Construct } from 'constructs';
import {
  VolumeSnapshotClass,
  VolumeSnapshotClassDeletionPolicy,
} from '../imports/volumesnapshotclass-snapshot.storage.k8s.io';

/** Name of the VolumeSnapshotClass of EBS volumes. */
export const EBS_SNAPSHOT_CLASS = 'ebs';

/**
 * The label by which Velero picks the VolumeSnapshotClass of a CSI driver (Velero docs, "Container Storage
 * Interface Snapshot Support": one class per driver carries it).
 */
export const VELERO_SNAPSHOT_CLASS_LABEL = 'velero.io/csi-volumesnapshot-class';

export interface EbsSnapshotClassProps {
  readonly labels: Record<string, string>;
}

/**
 * The VolumeSnapshotClass of the EBS CSI driver, labelled for Velero. `Delete`: when Velero deletes an expired
 * backup it deletes the VolumeSnapshotContent, and the driver the EBS snapshot with it, so snapshots follow the
 * backups' retention. The CRD and its controller come with the EKS add-on snapshot-controller (cloud half).
 */
export class EbsSnapshotClass extends Construct {
  public readonly name = EBS_SNAPSHOT_CLASS;

  public constructor(scope: Construct, id: string, props: EbsSnapshotClassProps) {
    super(scope, id);
    new VolumeSnapshotClass(this, 'Resource', {
      metadata: { name: this.name, labels: { ...props.labels, [VELERO_SNAPSHOT_CLASS_LABEL]: 'true' } },
      driver: 'ebs.csi.aws.com',
      deletionPolicy: VolumeSnapshotClassDeletionPolicy.DELETE,
    });
  }
}
