import type { BackupSchedule } from '@platform/model';
import { type RuleGroup, type RunbookLocation, runbookUrl } from './rule-groups';

/** How far back VeleroBackupFailed looks for a failed or partially failed backup. */
export const BACKUP_FAILURE_WINDOW = '1h';

/** A schedule's backup is missing once the last successful one is this many intervals old. */
export const MISSING_BACKUP_INTERVALS = 2;

/**
 * How long VeleroBackupMissing's condition must hold: a new cluster (or a new team's Schedule) has no successful
 * backup yet, and the first one of each Schedule, which Velero starts at once, gets this long to finish.
 */
export const MISSING_BACKUP_FOR = '30m';

const hours = (value: number) => `${value}h`;

/**
 * Alerts on Velero's metrics (vmware-tanzu/velero pkg/metrics/metrics.go at v1.18.2, each labelled `schedule`,
 * `""` for a backup of no schedule): a backup that failed or partially failed (`velero_backup_failure_total`,
 * `velero_backup_partial_failure_total`), and per schedule a successful backup older than twice its interval
 * (`velero_backup_last_successful_timestamp`, Unix seconds). Velero sets that gauge only on a success, and loses it
 * when it restarts: a schedule whose gauge has been absent for as long also counts as missing. Both hold for
 * MISSING_BACKUP_FOR before the alert fires.
 */
export function backupAlertGroup(schedules: readonly BackupSchedule[], runbooks: RunbookLocation): RuleGroup {
  return {
    name: 'velero-backups',
    rules: [
      {
        alert: 'VeleroBackupFailed',
        expr:
          `increase(velero_backup_failure_total[${BACKUP_FAILURE_WINDOW}]) > 0\n` +
          `or increase(velero_backup_partial_failure_total[${BACKUP_FAILURE_WINDOW}]) > 0`,
        labels: { severity: 'warning' },
        annotations: {
          summary: 'A Velero backup failed or partially failed.',
          description: `A backup of schedule '{{ $labels.schedule }}' failed or partially failed in the last ${BACKUP_FAILURE_WINDOW}.`,
          runbook_url: runbookUrl(runbooks, 'VeleroBackupFailed'),
        },
      },
      ...schedules.map((schedule) => {
        const limit = schedule.everyHours * MISSING_BACKUP_INTERVALS;
        const selector = `velero_backup_last_successful_timestamp{schedule="${schedule.name}"}`;
        return {
          alert: 'VeleroBackupMissing',
          expr:
            `time() - max by (schedule) (${selector}) > ${limit * 3600}\n` +
            `or absent_over_time(${selector}[${hours(limit)}])`,
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
