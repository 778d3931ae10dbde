import { type BackupSchedule, PLATFORM_NAMESPACES } from '@platform/model';
import { Construct } from 'constructs';
import { VELERO_BACKUP_LOCATION } from '../argocd/velero-values';
import { Schedule } from '../imports/velero-schedule-velero.io';

export interface VeleroSchedulesProps {
  /** The environment's schedules (`backupSchedules` of the model). */
  readonly schedules: readonly BackupSchedule[];
  readonly labels: Record<string, string>;
  /**
   * Namespace Velero runs in, where it reads its Schedules.
   * @default PLATFORM_NAMESPACES.velero
   */
  readonly namespace?: string;
}

/**
 * One Velero Schedule per entry: its cron expression, namespaces, cluster-scoped objects and TTL as the model
 * says, into the default BackupStorageLocation, with the volumes snapshotted (through CSI: the Velero add-on
 * enables `EnableCSI` and configures no VolumeSnapshotLocation). The backups keep no owner reference to their
 * Schedule, so deleting a Schedule (Argo CD pruning it) never deletes its backups.
 */
export class VeleroSchedules extends Construct {
  public constructor(scope: Construct, id: string, props: VeleroSchedulesProps) {
    super(scope, id);
    for (const schedule of props.schedules) {
      new Schedule(this, schedule.name, {
        metadata: {
          name: schedule.name,
          namespace: props.namespace ?? PLATFORM_NAMESPACES.velero,
          labels: props.labels,
          annotations: { 'platform.io/description': `Backs up ${schedule.description}` },
        },
        spec: {
          schedule: schedule.cron,
          useOwnerReferencesInBackup: false,
          template: {
            includedNamespaces: [...schedule.namespaces],
            includeClusterResources: schedule.clusterResources,
            snapshotVolumes: true,
            storageLocation: VELERO_BACKUP_LOCATION,
            ttl: schedule.ttl,
          },
        },
      });
    }
  }
}
