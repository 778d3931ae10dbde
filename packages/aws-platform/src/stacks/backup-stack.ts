import { backupSettings, type Environment, EnvironmentNaming, type Organization } from '@platform/model';
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { acknowledgeWildcards } from '../acknowledge';
import { BackupBucket } from '../backup-bucket';
import { tagResources } from '../platform-tags';
import { addonIdentity, type WorkloadIdentity } from '../workload-identity';

export interface BackupStackProps extends StackProps {
  readonly organization: Organization;
  readonly environment: Environment;
}

/**
 * The environment's backups: the bucket Velero writes to (`BackupBucket`, named by the naming contract) and
 * Velero's role, allowed that bucket and its key only, which only Velero's service account of the environment's
 * cluster may assume. The stack needs no cluster and deploys before the cluster stack, which binds the role to the
 * service account (the Pod Identity association, by the role's name from the naming contract) before Argo CD
 * installs Velero: EKS hands a pod credentials only when its association exists as the pod is created.
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
    this.veleroIdentity = addonIdentity(this, 'VeleroIdentity', { addon: 'velero', naming, associate: false });
    this.backups.grantVelero(this.veleroIdentity);
    acknowledgeWildcards(
      this.veleroIdentity.role,
      'Velero reads, writes and deletes the objects of its backups below the backup bucket, whose keys it names at run time (backups/<backup>/…, restores/<restore>/…): every object of that one bucket and nothing else (VELERO_POLICY_REFERENCE).',
    );
    tagResources(this, environment.name, environment.tags);
  }
}
