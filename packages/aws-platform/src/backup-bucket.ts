import {
  BACKUP_BUCKET_GRACE_DAYS,
  BACKUP_NONCURRENT_VERSION_DAYS,
  type BackupSettings,
  type Environment,
} from '@platform/model';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';
import { skipCheckov } from './checkov-skips';
import { S3_KMS_OBJECT_ACTIONS, veleroBucketStatements } from './velero-permissions';

export interface BackupBucketProps {
  /** The bucket's name, from the naming contract (`EnvironmentNaming.backupBucketName`). */
  readonly bucketName: string;
  /** The environment: its `removalPolicy` decides what a stack deletion does with the bucket. */
  readonly environment: Environment;
  /** The backup settings (`backupSettings`): the lifecycle expires objects `retentionDays` + a day after upload. */
  readonly settings: BackupSettings;
  /** Who the key and bucket are described for, e.g. the cluster name. */
  readonly description: string;
}

/**
 * What CloudFormation does with the backup bucket when its stack is deleted: `retain` environments keep it with
 * its backups; in `snapshot` environments it is deleted, which S3 refuses while the bucket holds any object
 * version, so a deletion never loses a backup silently (the stack deletion fails until the lifecycle emptied it).
 */
export function backupBucketRemovalPolicy(environment: Environment): RemovalPolicy {
  return environment.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
}

/**
 * The S3 bucket Velero keeps an environment's backups in: versioned, encrypted with its own rotating KMS key (an
 * S3 Bucket Key keeps the KMS requests few), public access blocked, TLS enforced, objects owned by the bucket
 * owner (no ACLs). Its lifecycle removes objects `retentionDays` + BACKUP_BUCKET_GRACE_DAYS after their upload
 * (Velero deletes an expired backup itself; this catches what it leaves), noncurrent versions
 * BACKUP_NONCURRENT_VERSION_DAYS after they become noncurrent, and unfinished multipart uploads after a day.
 * Grant Velero access with `grantVelero`.
 */
export class BackupBucket extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly key: kms.Key;

  public constructor(scope: Construct, id: string, props: BackupBucketProps) {
    super(scope, id);
    const { environment, settings } = props;
    this.key = new kms.Key(this, 'Key', {
      description: `Encrypts the backups of ${props.description}`,
      enableKeyRotation: true,
      // Kept always, like every key of the platform: a kept backup is worthless without it.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: props.bucketName,
      versioned: true,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      removalPolicy: backupBucketRemovalPolicy(environment),
      lifecycleRules: [
        {
          id: 'expire-backups',
          expiration: Duration.days(settings.retentionDays + BACKUP_BUCKET_GRACE_DAYS),
          noncurrentVersionExpiration: Duration.days(BACKUP_NONCURRENT_VERSION_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        // Delete markers left once every version under them has expired.
        { id: 'remove-expired-delete-markers', expiredObjectDeleteMarker: true },
      ],
    });
    this.acknowledgeFindings();
  }

  /**
   * Velero's permissions on this bucket (VELERO_POLICY_REFERENCE) and the use of its key that SSE-KMS objects need,
   * through S3 only (`kms:ViaService`).
   */
  public grantVelero(grantee: iam.IGrantable): void {
    for (const statement of veleroBucketStatements(this.bucket.bucketArn)) {
      grantee.grantPrincipal.addToPrincipalPolicy(statement);
    }
    const { region, urlSuffix } = Stack.of(this);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'BackupObjectEncryption',
        actions: [...S3_KMS_OBJECT_ACTIONS],
        resources: [this.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${region}.${urlSuffix}` } },
      }),
    );
  }

  private acknowledgeFindings(): void {
    const logs =
      'Only Velero reads and writes the bucket, through its Pod Identity role; its API calls are in CloudTrail and its backups and restores in the Velero objects and logs. Server access logs would need a second bucket per environment for no added control.';
    acknowledge(this.bucket, 'AwsSolutions-S1', logs);
    skipCheckov(this.bucket, 'CKV_AWS_18', logs);
    skipCheckov(
      this.bucket,
      'CKV_AWS_144',
      'Backups of the cluster objects of one region: a copy in a second region is not configured (docs/backup-and-restore.md, "What is not covered"); the services\' data lives in RDS, whose backups the model can replicate (database.backupReplication).',
    );
  }
}
