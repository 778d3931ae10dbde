import { type BackupSchedule, type RunbookLocation, runbookUrl } from '@platform/model';
import type { RuleGroup } from './rule-groups';

/** How far back VeleroBackupFailed looks for a failed or partially failed backup. */
export const BACKUP_FAILURE_WINDOW = '1h';

/** A schedule's backup is missing once the last successful one is this many intervals old. */
export const MISSING_BACKUP_INTERVALS = 2;

/**
 * How long VeleroBackupMissing's condition must hold: a Schedule's first backup, whose EBS snapshots copy whole
 * volumes, gets this long to finish, and Velero this long to report a new Schedule after it starts.
 */
export const MISSING_BACKUP_FOR = '1h';

const hours = (value: number) => `${value}h`;

/**
 * Alerts on Velero's metrics (vmware-tanzu/velero pkg/metrics/metrics.go at v1.18.2, each labelled `schedule`,
 * `""` for a backup of no schedule):
 * - VeleroBackupFailed: a backup that failed, partially failed or failed validation (an unavailable storage location,
 *   a denied bucket: `velero_backup_validation_failure_total`).
 * - VeleroBackupMissing, per schedule: the last successful backup (`velero_backup_last_successful_timestamp`, Unix
 *   seconds, recomputed from the Backup objects every resync) is older than twice the interval; or the schedule has
 *   attempted backups (`velero_backup_attempt_total`, which Velero sets to 0 when it first sees the Schedule) and none
 *   succeeded; or Velero has not reported the schedule at all for twice the interval (not running, or the Schedule
 *   not synced). A Schedule's first backup runs at its first cron time after its creation, not at once
 *   (pkg/controller/schedule_controller.go), so a new Schedule that has not tried yet is not missing a backup.
 *   Each condition holds for MISSING_BACKUP_FOR before the alert fires.
 */
export function backupAlertGroup(schedules: readonly BackupSchedule[], runbooks: RunbookLocation): RuleGroup {
  return {
    name: 'velero-backups',
    rules: [
      {
        alert: 'VeleroBackupFailed',
        expr:
          `increase(velero_backup_failure_total[${BACKUP_FAILURE_WINDOW}]) > 0\n` +
          `or increase(velero_backup_partial_failure_total[${BACKUP_FAILURE_WINDOW}]) > 0\n` +
          `or increase(velero_backup_validation_failure_total[${BACKUP_FAILURE_WINDOW}]) > 0`,
        labels: { severity: 'warning' },
        annotations: {
          summary: 'A Velero backup failed, partially failed or failed validation.',
          description: `A backup of schedule '{{ $labels.schedule }}' failed, partially failed or failed validation in the last ${BACKUP_FAILURE_WINDOW}.`,
          runbook_url: runbookUrl(runbooks, 'VeleroBackupFailed'),
        },
      },
      ...schedules.map((schedule) => {
        const limit = schedule.everyHours * MISSING_BACKUP_INTERVALS;
        const label = `{schedule="${schedule.name}"}`;
        const lastSuccess = `velero_backup_last_successful_timestamp${label}`;
        const attempts = `velero_backup_attempt_total${label}`;
        return {
          alert: 'VeleroBackupMissing',
          expr:
            `time() - max by (schedule) (${lastSuccess}) > ${limit * 3600}\n` +
            `or (max by (schedule) (${attempts}) > 0 unless on (schedule) ${lastSuccess})\n` +
            `or absent_over_time(${attempts}[${hours(limit)}])`,
          for: MISSING_BACKUP_FOR,
          labels: { severity: 'critical' as const, schedule: schedule.name },
          annotations: {
            summary: 'A Velero schedule has had no successful backup for twice its interval.',
            description: `Schedule '{{ $labels.schedule }}' (every ${hours(schedule.everyHours)}) has had no successful backup for more than ${hours(limit)}: the recovery point objective of ${schedule.description} is broken.`,
            runbook_url: runbookUrl(runbooks, 'VeleroBackupMissing'),
          },
        };
      }),
    ],
  };
}
