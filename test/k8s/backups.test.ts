import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel, loadPlatformModel, type PlatformModel, platformModelInput } from '@platform/model';
import { PROJECT_CONTEXT } from '../model/support/drafts';
import { findObject, objectsOf, type RenderedObject, renderModel } from './support/rendered';

/**
 * What the Kubernetes half renders for the model's backups, for the shipped model and for one that sets every
 * backup field: a Velero Schedule per team namespace and one of the whole cluster, at the model's intervals and
 * retention; Velero writing to the environment's bucket with CSI snapshots; the VolumeSnapshotClass Velero picks;
 * and the alerts on failed and missing backups, each with its runbook. Expectations are worked out here from the
 * model's fields and the meaning of cron expressions, not taken from the code that renders them.
 */

const root = join(__dirname, '..', '..');
const DEFAULTS = { team: 2, cluster: 24, days: 30 };

/** The shipped model with the last environment's backups set to other values than the defaults. */
function customModel(): PlatformModel {
  const input = structuredClone(platformModelInput) as PlatformModel;
  const last = input.environments[input.environments.length - 1];
  (last as { backup?: unknown }).backup = { teamNamespacesEveryHours: 6, clusterEveryHours: 12, retentionDays: 14 };
  (input.environments[0] as { backup?: unknown }).backup = { retentionDays: 7 };
  return loadModel(input, PROJECT_CONTEXT);
}

/** The hours of the day (UTC) a five-field cron expression with fixed minute fires at, and that minute. */
function firingHours(cron: string): { minute: number; hours: number[]; daily: boolean } {
  const [minute, hour, dayOfMonth, month, dayOfWeek] = cron.split(' ');
  const hours = Array.from({ length: 24 }, (_, h) => h).filter((h) => {
    if (hour === '*') return true;
    const step = /^\*\/(\d+)$/.exec(hour);
    if (step) return h % Number(step[1]) === 0;
    return hour.split(',').map(Number).includes(h);
  });
  return { minute: Number(minute), hours, daily: [dayOfMonth, month, dayOfWeek].every((field) => field === '*') };
}

/** Hours between two backups, if the expression fires at evenly spaced hours every day. */
function intervalOf(cron: string): number | undefined {
  const { hours, daily } = firingHours(cron);
  if (!daily || hours.length === 0) return undefined;
  const gaps = hours.map((h, i) => (hours[(i + 1) % hours.length] - h + 24) % 24 || 24);
  return gaps.every((gap) => gap === gaps[0]) ? gaps[0] : undefined;
}

/** A Go duration of whole hours (`720h`, `720h0m0s`) in hours. */
function durationHours(duration: string): number {
  const match = /^(\d+)h(0m(0s)?)?$/.exec(duration);
  if (!match) throw new Error(`not a duration of whole hours: ${duration}`);
  return Number(match[1]);
}

function expectations(model: PlatformModel, environment: PlatformModel['environments'][number]) {
  const backup = environment.backup ?? {};
  return {
    team: backup.teamNamespacesEveryHours ?? DEFAULTS.team,
    cluster: backup.clusterEveryHours ?? DEFAULTS.cluster,
    days: backup.retentionDays ?? DEFAULTS.days,
    teams: model.teams.map((team) => team.name),
  };
}

describe.each([
  ['the shipped model', () => loadPlatformModel()],
  ['a model that sets every backup field', customModel],
])('backups of %s', (_, makeModel) => {
  const model = makeModel();
  const rendered: RenderedObject[] = renderModel(model);

  describe.each(model.environments.map((environment) => [environment.name, environment] as const))(
    'in %s',
    (name, environment) => {
      const expected = expectations(model, environment);
      const schedules = objectsOf(rendered, name, 'Schedule');

      it('back up each team namespace on its own, every team interval, kept for the retention', () => {
        for (const team of expected.teams) {
          const matching = schedules.filter((s) => s.spec.template.includedNamespaces?.includes(team));
          const own = matching.filter((s) => s.spec.template.includedNamespaces.length === 1);
          expect(own).toHaveLength(1);
          const [schedule] = own;
          expect(schedule.metadata.namespace).toBe('velero');
          expect(intervalOf(schedule.spec.schedule)).toBe(expected.team);
          expect(durationHours(schedule.spec.template.ttl)).toBe(expected.days * 24);
          expect(schedule.spec.template.includeClusterResources).toBe(false);
          expect(schedule.spec.template.snapshotVolumes).toBe(true);
          // A Schedule that Argo CD prunes must not take its backups with it.
          expect(schedule.spec.useOwnerReferencesInBackup).toBe(false);
        }
      });

      it('back up the whole cluster every cluster interval, kept for the retention', () => {
        const whole = schedules.filter((s) => s.spec.template.includedNamespaces?.includes('*'));
        expect(whole).toHaveLength(1);
        expect(intervalOf(whole[0].spec.schedule)).toBe(expected.cluster);
        expect(whole[0].spec.template.includeClusterResources).toBe(true);
        expect(durationHours(whole[0].spec.template.ttl)).toBe(expected.days * 24);
        expect(schedules).toHaveLength(expected.teams.length + 1);
      });

      it('never start the cluster backup in the same minute as a team backup', () => {
        const minutes = new Set(schedules.map((s) => firingHours(s.spec.schedule).minute));
        expect(minutes.size).toBe(2);
      });

      it('write to the environment bucket with CSI snapshots and the Pod Identity of the contract', () => {
        const values = findObject(rendered, name, 'Application', 'velero').spec.source.helm.valuesObject;
        expect(values.configuration.backupStorageLocation).toEqual([
          {
            name: 'default',
            provider: 'aws',
            bucket: `${model.organization.name}-${name}-backups-${environment.account}`,
            default: true,
            config: { region: environment.region },
          },
        ]);
        expect(values.configuration.features.split(',')).toContain('EnableCSI');
        // No VolumeSnapshotLocation (the plugin's EC2 snapshotter, for which its role has no permission), no node agent.
        expect(values.snapshotsEnabled).toBe(false);
        expect(values.deployNodeAgent).toBe(false);
        expect(values.credentials).toEqual({ useSecret: false });
        expect(values.serviceAccount.server).toEqual({ create: true, name: 'velero' });
        expect(values.metrics).toMatchObject({ enabled: true, serviceMonitor: { enabled: true } });
        for (const schedule of schedules) expect(schedule.spec.template.storageLocation).toBe('default');
      });

      it('offer Velero one VolumeSnapshotClass of the EBS CSI driver', () => {
        const classes = objectsOf(rendered, name, 'VolumeSnapshotClass').filter(
          (c) => c.metadata.labels?.['velero.io/csi-volumesnapshot-class'] === 'true',
        );
        expect(classes.map((c) => [c.driver, c.deletionPolicy])).toEqual([['ebs.csi.aws.com', 'Delete']]);
      });

      it('alert when a backup fails, and per schedule when none succeeded for twice its interval', () => {
        const rules = objectsOf(rendered, name, 'PrometheusRule').flatMap((r) =>
          r.spec.groups.flatMap((g: { rules: Record<string, unknown>[] }) => g.rules),
        );
        const failed = rules.filter((r) => r.alert === 'VeleroBackupFailed');
        expect(failed).toHaveLength(1);
        expect(String(failed[0].expr)).toMatch(/increase\(velero_backup_failure_total\[/);
        const missing = rules.filter((r) => r.alert === 'VeleroBackupMissing');
        expect(missing).toHaveLength(schedules.length);
        for (const schedule of schedules) {
          const rule = missing.find((r) => (r.labels as Record<string, string>).schedule === schedule.metadata.name);
          const interval = intervalOf(schedule.spec.schedule) as number;
          expect(String(rule?.expr)).toContain(
            `velero_backup_last_successful_timestamp{schedule="${schedule.metadata.name}"}`,
          );
          expect(String(rule?.expr)).toContain(`> ${2 * interval * 3600}`);
          expect(String(rule?.expr)).toContain(`[${2 * interval}h]`);
        }
      });

      it('link every backup alert to a runbook that exists', () => {
        const alerts = objectsOf(rendered, name, 'PrometheusRule')
          .flatMap((r) => r.spec.groups.flatMap((g: { rules: Record<string, unknown>[] }) => g.rules))
          .filter((r) => String(r.alert ?? '').startsWith('Velero'));
        for (const alert of alerts) {
          const url = String((alert.annotations as Record<string, string>).runbook_url);
          expect(url.endsWith(`/docs/runbooks/${alert.alert}.md`)).toBe(true);
          expect(existsSync(join(root, 'docs', 'runbooks', `${alert.alert}.md`))).toBe(true);
        }
      });
    },
  );
});
