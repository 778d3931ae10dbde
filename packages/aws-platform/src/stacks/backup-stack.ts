import {
  ADDON_SERVICE_ACCOUNTS,
  backupSettings,
  type Environment,
  EnvironmentNaming,
  type Organization,
} from '@platform/model';
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { acknowledgeWildcards } from '../acknowledge';
import { BackupBucket } from '../backup-bucket';
import { tagResources } from '../platform-tags';
import { WorkloadIdentity } from '../workload-identity';

export interface BackupStackProps extends StackProps {
  readonly organization: Organization;
  readonly environment: Environment;
  /**
   * Name of the environment's EKS cluster, which must exist before the Pod Identity association: deploy this
   * stack after the cluster stack.
   */
  readonly clusterName: string;
}

/**
 * The environment's backups: the bucket Velero writes to (`BackupBucket`, named by the naming contract) and
 * Velero's identity, bound to its service account by EKS Pod Identity and allowed that bucket and its key only.
 */
export class BackupStack extends Stack {
  public readonly backups: BackupBucket;
  public readonly veleroIdentity: WorkloadIdentity;

  public constructor(scope: Construct, id: string, props: BackupStackProps) {
    super(scope, id, props);
    const { environment } = props;
    const naming = new EnvironmentNaming(props.organization, environment);
    this.backups = new BackupBucket(this, 'Backups', {
      bucketName: naming.backupBucketName,
      environment,
      settings: backupSettings(environment),
      description: naming.clusterName,
    });
    this.veleroIdentity = new WorkloadIdentity(this, 'VeleroIdentity', {
      clusterName: props.clusterName,
      serviceAccount: ADDON_SERVICE_ACCOUNTS.velero,
      roleName: naming.addonRoleName('velero'),
      description: `Velero of ${naming.clusterName}`,
    });
    this.backups.grantVelero(this.veleroIdentity);
    acknowledgeWildcards(
      this.veleroIdentity.role,
      'Velero reads, writes and deletes the objects of its backups below the backup bucket, whose keys it names at run time (backups/<backup>/…, restores/<restore>/…): every object of that one bucket and nothing else (VELERO_POLICY_REFERENCE).',
    );
    tagResources(this, environment.name, environment.tags);
  }
}
