import * as iam from 'aws-cdk-lib/aws-iam';
import type { ReferenceStatement } from './controller-policy-references';

/**
 * What velero-plugin-for-aws documents for Velero's AWS identity, as facts read at the plugin version the Velero
 * add-on runs (vmware-tanzu/velero-plugin-for-aws, README.md "Set permissions for Velero" at tag v1.14.3; plugin
 * v1.14.x goes with Velero v1.18.x, its compatibility table). `<Bucket>` stands for the backup bucket.
 *
 * Upstream's first statement (`ec2:DescribeVolumes`, `DescribeSnapshots`, `CreateTags`, `CreateVolume`,
 * `CreateSnapshot`, `DeleteSnapshot` on `*`) is what the plugin's volume snapshotter needs, which runs only for a
 * VolumeSnapshotLocation. The platform configures none (`snapshotsEnabled: false`): volumes are snapshotted through
 * CSI, where the EBS CSI driver creates, restores and deletes the snapshots under its own role
 * (AmazonEBSCSIDriverPolicy), so Velero's role gets no EC2 action. `s3:PutObjectTagging` is needed only with the
 * backup storage location's `config.tagging`, which the platform leaves unset, so it is left out as well.
 */
export const VELERO_POLICY_REFERENCE = {
  controller: 'Velero (velero-plugin-for-aws object store)',
  plugin: { image: 'velero/velero-plugin-for-aws', version: 'v1.14.3' },
  source: 'vmware-tanzu/velero-plugin-for-aws, README.md "Set permissions for Velero" at tag v1.14.3',
  statements: [
    {
      sid: 'BackupObjects',
      actions: [
        's3:GetObject',
        's3:DeleteObject',
        's3:PutObject',
        's3:AbortMultipartUpload',
        's3:ListMultipartUploadParts',
      ],
      resources: ['arn:<Partition>:s3:::<Bucket>/*'],
    },
    { sid: 'ListBackups', actions: ['s3:ListBucket'], resources: ['arn:<Partition>:s3:::<Bucket>'] },
  ] satisfies readonly ReferenceStatement[],
  /** Upstream's actions the platform leaves out, each with the reason (see above). */
  omitted: {
    'ec2:DescribeVolumes': 'volume snapshotter only: no VolumeSnapshotLocation, snapshots go through CSI',
    'ec2:DescribeSnapshots': 'volume snapshotter only: no VolumeSnapshotLocation, snapshots go through CSI',
    'ec2:CreateTags': 'volume snapshotter only: no VolumeSnapshotLocation, snapshots go through CSI',
    'ec2:CreateVolume': 'volume snapshotter only: no VolumeSnapshotLocation, snapshots go through CSI',
    'ec2:CreateSnapshot': 'volume snapshotter only: no VolumeSnapshotLocation, snapshots go through CSI',
    'ec2:DeleteSnapshot': 'volume snapshotter only: no VolumeSnapshotLocation, snapshots go through CSI',
    's3:PutObjectTagging': 'only for the backup storage location config.tagging, which is not set',
  },
} as const;

/**
 * KMS actions a principal needs to write and read SSE-KMS objects (with or without an S3 Bucket Key): S3 asks KMS
 * for a data key on PutObject (and on each part of a multipart upload) and to decrypt it on GetObject and when it
 * completes a multipart upload (Amazon S3 User Guide, "Using server-side encryption with AWS KMS keys", permissions).
 */
export const S3_KMS_OBJECT_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey'] as const;

/** Velero's statements of VELERO_POLICY_REFERENCE on one bucket. */
export function veleroBucketStatements(bucketArn: string): iam.PolicyStatement[] {
  return VELERO_POLICY_REFERENCE.statements.map(
    (statement) =>
      new iam.PolicyStatement({
        sid: statement.sid,
        actions: [...statement.actions],
        resources: statement.resources.map((resource) => (resource.endsWith('/*') ? `${bucketArn}/*` : bucketArn)),
      }),
  );
}
