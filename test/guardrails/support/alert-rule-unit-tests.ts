import { loadPlatformModel, type PlatformModel, type Service } from '@platform/model';

/**
 * promtool unit tests (the `tests:` of a `promtool test rules` file) of the rule groups of one environment's
 * dist/: each alert with a case where it fires and one where it must not, the SLO burn-rate thresholds at their
 * edges, and the SLO recording rules. Expectations are worked out from what each rule means and from the model's
 * SLOs, independently of the code that renders the rules. Run by jest (alert-rules.test.ts) and by
 * `npm run verify` with the promtool of the Prometheus the cluster runs (tools/verify/promtool.ts).
 *
 * Evaluation times are worked out for Prometheus 3, which selects a range left-open, (t - range, t] (2.x took
 * [t - range, t]): e.g. at 1m a 5m window of a series sampled every minute from 0 holds the samples at 0 and
 * 1m, enough for rate(), so an alert with `for: 5m` whose condition holds from then on fires from 6m.
 */

const model = loadPlatformModel();

/** The dist/ environment whose rule groups the unit tests run on: the model's last (production, in the example). */
export const UNIT_TEST_ENVIRONMENT = model.environments[model.environments.length - 1].name;

/**
 * Where an environment's alerts link their runbooks: docs/runbooks/ of the GitOps repository at the revision the
 * environment syncs, as a browser opens it (an https repository URL without `.git`).
 */
export function runbooksOf(environmentName: string, of: PlatformModel = model): string {
  const environment = of.environments.find((candidate) => candidate.name === environmentName);
  if (!environment) throw new Error(`the model has no environment '${environmentName}'`);
  const { repoUrl, targetRevision } = environment.gitops;
  const scp = /^git@([^:]+):(.+?)(\.git)?$/.exec(repoUrl);
  const https = scp
    ? `https://${scp[1]}/${scp[2]}`
    : repoUrl.replace(/^ssh:\/\/git@/, 'https://').replace(/\.git$/, '');
  return `${https}/blob/${targetRevision}/docs/runbooks`;
}

export interface ExpectedAlert {
  readonly exp_labels: Record<string, string>;
  readonly exp_annotations: Record<string, string>;
}
export interface AlertCheck {
  readonly eval_time: string;
  readonly alertname: string;
  readonly exp_alerts: ExpectedAlert[];
}
export interface UnitTest {
  readonly name: string;
  readonly interval: string;
  readonly input_series: { series: string; values: string }[];
  readonly alert_rule_test?: AlertCheck[];
  readonly promql_expr_test?: { expr: string; eval_time: string; exp_samples: { labels: string; value: number }[] }[];
}

/**
 * Labels of the series the platform alerts see. Those alerts cover every namespace and service alike, so the
 * names are made up; the SLO tests below use the model's services.
 */
const API = { namespace: 'team-a', service: 'api-a' };
const OTHER_API = { namespace: 'team-b', service: 'api-b' };
const QUIET_API = { namespace: 'team-a', service: 'api-c' };
const series = (metric: string, labels: Record<string, string>) =>
  `${metric}{${Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .join(',')}}`;

function expected(alert: string, labels: Record<string, string>, summary: string, description: string): ExpectedAlert {
  return {
    exp_labels: labels,
    exp_annotations: { summary, description, runbook_url: `${runbooksOf(UNIT_TEST_ENVIRONMENT)}/${alert}.md` },
  };
}

const platformAlertTests: UnitTest[] = [
  {
    name: 'HighErrorRate fires after 5 minutes above 5% errors, not at 4.9%, not without traffic',
    interval: '1m',
    input_series: [
      { series: series('http_requests_total', { ...API, status: '200' }), values: '0+94x30' },
      { series: series('http_requests_total', { ...API, status: '500' }), values: '0+6x30' },
      { series: series('http_requests_total', { ...OTHER_API, status: '200' }), values: '0+951x30' },
      { series: series('http_requests_total', { ...OTHER_API, status: '503' }), values: '0+49x30' },
      { series: series('http_requests_total', { ...QUIET_API, status: '500' }), values: '0x30' },
    ],
    alert_rule_test: [
      { eval_time: '5m', alertname: 'HighErrorRate', exp_alerts: [] },
      {
        eval_time: '6m',
        alertname: 'HighErrorRate',
        exp_alerts: [
          expected(
            'HighErrorRate',
            { severity: 'critical', ...API },
            'More than 5% of the requests of a service fail with a 5xx status.',
            'api-a in team-a answered 6% of its requests with a 5xx status over the last 5 minutes (threshold 5%).',
          ),
        ],
      },
    ],
  },
  {
    name: 'PodCrashLooping fires 5 minutes after a sixth restart within the hour, not after a fifth',
    interval: '1m',
    input_series: [
      {
        series: series('kube_pod_container_status_restarts_total', {
          namespace: 'team-a',
          pod: 'api-a-0',
          container: 'app',
        }),
        values: '0x120 6x20',
      },
      {
        series: series('kube_pod_container_status_restarts_total', {
          namespace: 'team-a',
          pod: 'api-a-1',
          container: 'app',
        }),
        values: '0x120 5x20',
      },
    ],
    alert_rule_test: [
      { eval_time: '125m', alertname: 'PodCrashLooping', exp_alerts: [] },
      {
        eval_time: '126m',
        alertname: 'PodCrashLooping',
        exp_alerts: [
          expected(
            'PodCrashLooping',
            { severity: 'critical', namespace: 'team-a', pod: 'api-a-0', container: 'app' },
            'A container restarted more than 5 times in an hour.',
            'Container app of pod team-a/api-a-0 restarted 6 times in the last hour.',
          ),
        ],
      },
    ],
  },
  {
    // Samples every 55s rarely line up with the hour's edges, so increase() extrapolates: 5 restarts read as 5.01.
    name: 'PodCrashLooping does not count 5 restarts as more than 5 when increase() extrapolates',
    interval: '55s',
    input_series: [
      {
        series: series('kube_pod_container_status_restarts_total', {
          namespace: 'team-a',
          pod: 'api-a-0',
          container: 'app',
        }),
        values: '0x100 6x100',
      },
      {
        series: series('kube_pod_container_status_restarts_total', {
          namespace: 'team-a',
          pod: 'api-a-1',
          container: 'app',
        }),
        values: '0x100 5x100',
      },
    ],
    alert_rule_test: [
      {
        eval_time: '130m',
        alertname: 'PodCrashLooping',
        exp_alerts: [
          expected(
            'PodCrashLooping',
            { severity: 'critical', namespace: 'team-a', pod: 'api-a-0', container: 'app' },
            'A container restarted more than 5 times in an hour.',
            'Container app of pod team-a/api-a-0 restarted 6 times in the last hour.',
          ),
        ],
      },
    ],
  },
  {
    name: 'HighLatencyP99 fires after 5 minutes with a p99 above 2s, not for a fast service',
    interval: '1m',
    input_series: [
      ...latencyBuckets(API, { '0.5': 98, '1': 98, '2.5': 98, '5': 100, '+Inf': 100 }),
      ...latencyBuckets(OTHER_API, { '0.5': 99, '1': 99, '2.5': 100, '5': 100, '+Inf': 100 }),
    ],
    alert_rule_test: [
      { eval_time: '5m', alertname: 'HighLatencyP99', exp_alerts: [] },
      {
        eval_time: '6m',
        alertname: 'HighLatencyP99',
        exp_alerts: [
          expected(
            'HighLatencyP99',
            { severity: 'warning', ...API },
            'The p99 request latency of a service is above 2 seconds.',
            'The 99th percentile latency of api-a in team-a is 3.75s over the last 5 minutes (threshold 2s).',
          ),
        ],
      },
    ],
  },
  {
    name: 'NodeDiskPressure fires after 10 minutes under 10% free, not at 11% nor for tmpfs',
    interval: '1m',
    input_series: [
      ...filesystem('/', 'ext4', '/dev/nvme0n1p1', 9, 100),
      ...filesystem('/var/lib/kubelet', 'xfs', '/dev/nvme1n1', 11, 100),
      ...filesystem('/run', 'tmpfs', 'tmpfs', 1, 100),
    ],
    alert_rule_test: [
      { eval_time: '9m', alertname: 'NodeDiskPressure', exp_alerts: [] },
      {
        eval_time: '10m',
        alertname: 'NodeDiskPressure',
        exp_alerts: [
          expected(
            'NodeDiskPressure',
            {
              severity: 'warning',
              instance: '10.0.1.10:9100',
              mountpoint: '/',
              fstype: 'ext4',
              device: '/dev/nvme0n1p1',
            },
            'A node filesystem has less than 10% free space.',
            'Filesystem / (/dev/nvme0n1p1) on 10.0.1.10:9100 has 9% free (threshold 10%).',
          ),
        ],
      },
    ],
  },
  {
    name: 'DeploymentReplicasMismatch fires after 5 minutes short of replicas, not when all are available',
    interval: '1m',
    input_series: [
      { series: series('kube_deployment_spec_replicas', { namespace: 'team-a', deployment: 'api-a' }), values: '3x10' },
      {
        series: series('kube_deployment_status_replicas_available', { namespace: 'team-a', deployment: 'api-a' }),
        values: '2x10',
      },
      { series: series('kube_deployment_spec_replicas', { namespace: 'team-b', deployment: 'api-b' }), values: '2x10' },
      {
        series: series('kube_deployment_status_replicas_available', { namespace: 'team-b', deployment: 'api-b' }),
        values: '2x10',
      },
    ],
    alert_rule_test: [
      { eval_time: '4m', alertname: 'DeploymentReplicasMismatch', exp_alerts: [] },
      {
        eval_time: '5m',
        alertname: 'DeploymentReplicasMismatch',
        exp_alerts: [
          expected(
            'DeploymentReplicasMismatch',
            { severity: 'warning', namespace: 'team-a', deployment: 'api-a' },
            'A Deployment has not had its desired number of available replicas for 5 minutes.',
            'Deployment team-a/api-a has not had all of its 3 desired replicas available for 5 minutes.',
          ),
        ],
      },
    ],
  },
];

function latencyBuckets(labels: Record<string, string>, perMinute: Record<string, number>) {
  const base = `namespace="${labels.namespace}",service="${labels.service}"`;
  return [
    ...Object.entries(perMinute).map(([le, count]) => ({
      series: `http_request_duration_seconds_bucket{${base},le="${le}"}`,
      values: `0+${count}x20`,
    })),
    { series: `http_request_duration_seconds_count{${base}}`, values: `0+${perMinute['+Inf']}x20` },
  ];
}

function filesystem(mountpoint: string, fstype: string, device: string, availGb: number, sizeGb: number) {
  const labels = `instance="10.0.1.10:9100",mountpoint="${mountpoint}",fstype="${fstype}",device="${device}"`;
  return [
    { series: `node_filesystem_avail_bytes{${labels}}`, values: `${availGb}e9x20` },
    { series: `node_filesystem_size_bytes{${labels}}`, values: `${sizeGb}e9x20` },
  ];
}

// ---- SLO burn-rate tests: thresholds worked out here from the model's SLOs, independently of the rendering code ----

/** A multi-window burn-rate condition as the Google SRE workbook ("Alerting on SLOs") gives it. */
const BURN_RATE_WINDOWS = {
  page: [
    { window: '1h', short: '5m', factor: '14.4' },
    { window: '6h', short: '30m', factor: '6' },
  ],
  ticket: [
    { window: '1d', short: '2h', factor: '3' },
    { window: '3d', short: '6h', factor: '1' },
  ],
} as const;

export interface Threshold {
  readonly window: string;
  readonly short: string;
  readonly factor: string;
  /** The error ratio at which the pair burns exactly `factor` times the budget, written exactly. */
  readonly at: string;
  readonly below: string;
  readonly above: string;
}

/** A decimal number as an integer and a count of decimal places, so sums and products stay exact. */
interface Decimal {
  readonly digits: bigint;
  readonly places: number;
}

function decimal(text: string | number): Decimal {
  const [whole, fraction = ''] = String(text).split('.');
  return { digits: BigInt(`${whole}${fraction}`), places: fraction.length };
}

function scaled(value: Decimal, places: number): bigint {
  return value.digits * 10n ** BigInt(places - value.places);
}

function minus(a: Decimal, b: Decimal): Decimal {
  const places = Math.max(a.places, b.places);
  return { digits: scaled(a, places) - scaled(b, places), places };
}

function times(a: Decimal, b: Decimal): Decimal {
  return { digits: a.digits * b.digits, places: a.places + b.places };
}

/** The shortest exact text: no trailing zeros, a leading '0.' below one. */
function text(value: Decimal): string {
  const negative = value.digits < 0n;
  const digits = (negative ? -value.digits : value.digits).toString().padStart(value.places + 1, '0');
  const whole = digits.slice(0, digits.length - value.places);
  const fraction = digits.slice(digits.length - value.places).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** Share of requests an SLO allows to be bad: (100 − target) / 100. */
function budget(target: number): Decimal {
  return times(minus(decimal(100), decimal(target)), decimal('0.01'));
}

/** The thresholds of one service's SLO of one kind, each with values a hair below and above it. */
export function burnThresholds(service: Service, kind: SloKind): Record<Speed, Threshold[]> {
  const target = kind === 'availability' ? service.slo.availability : service.slo.latency.percentile;
  const pairs = (speed: Speed) =>
    BURN_RATE_WINDOWS[speed].map(({ window, short, factor }) => {
      const at = times(decimal(factor), budget(target));
      const exact = decimal(text(at));
      // A step well below the threshold's last digit: 1e-7, or finer for a threshold written with more places.
      const step: Decimal = { digits: 1n, places: Math.max(7, exact.places + 3) };
      const plus = (value: Decimal, by: Decimal, sign: bigint) => {
        const places = Math.max(value.places, by.places);
        return text({ digits: scaled(value, places) + sign * scaled(by, places), places });
      };
      return { window, short, factor, at: text(exact), below: plus(exact, step, -1n), above: plus(exact, step, 1n) };
    });
  return { page: pairs('page'), ticket: pairs('ticket') };
}

type SloKind = 'availability' | 'latency';
type Speed = keyof typeof BURN_RATE_WINDOWS;

const RATIO_METRIC = { availability: 'http_requests_errors', latency: 'http_requests_slower_than_slo' } as const;
const ALERT_NAMES = {
  availability: { page: 'AvailabilitySLOFastBurn', ticket: 'AvailabilitySLOSlowBurn' },
  latency: { page: 'LatencySLOFastBurn', ticket: 'LatencySLOSlowBurn' },
} as const;

function objective(service: Service, kind: SloKind): string {
  return kind === 'availability'
    ? `${service.slo.availability}% of requests succeed`
    : `${service.slo.latency.percentile}% of requests finish within ${service.slo.latency.thresholdSeconds}s`;
}

/** The namespace and service labels a service's metrics carry: its team's namespace and its name. */
const labelsOf = (service: Service) => ({ namespace: service.team, service: service.name });

function burnRateTests(service: Service, kind: SloKind, speed: Speed): UnitTest[] {
  const pairs = burnThresholds(service, kind)[speed];
  const alertname = ALERT_NAMES[kind][speed];
  const burns = pairs.map((p) => `${p.factor}x over ${p.window} and ${p.short}`).join(', or ');
  // Every window of the other pairs (and the SLO window) stays at 0, so only the pair under test can fire.
  const windows = [
    ...new Set([
      ...Object.values(BURN_RATE_WINDOWS).flatMap((all) => all.flatMap((p) => [p.window, p.short])),
      `${service.slo.windowDays}d`,
    ]),
  ];
  const input = (values: Record<string, string>) =>
    windows.map((window) => ({
      series: series(`service:${RATIO_METRIC[kind]}:ratio_rate${window}`, labelsOf(service)),
      values: `${values[window] ?? '0'}x10`,
    }));
  const check = (fires: boolean, percentage: string): AlertCheck => ({
    eval_time: '5m',
    alertname,
    exp_alerts: fires
      ? [
          expected(
            alertname,
            { severity: speed === 'page' ? 'critical' : 'warning', slo: kind, ...labelsOf(service) },
            `${service.name} burns its ${kind} error budget ${speed === 'page' ? 'fast' : 'steadily'}.`,
            `${service.name} in ${service.team} promises that ${objective(service, kind)} over ${service.slo.windowDays} days; its error ratio (${percentage}) burns the budget at more than ${burns}.`,
          ),
        ]
      : [],
  });
  return pairs.flatMap((p) => [
    {
      name: `${alertname} of ${service.name}: ${p.window} at the threshold, ${p.short} above: no alert`,
      interval: '1m',
      input_series: input({ [p.window]: p.at, [p.short]: p.above }),
      alert_rule_test: [check(false, '')],
    },
    {
      name: `${alertname} of ${service.name}: ${p.window} above, ${p.short} at the threshold: no alert`,
      interval: '1m',
      input_series: input({ [p.window]: p.above, [p.short]: p.at }),
      alert_rule_test: [check(false, '')],
    },
    {
      name: `${alertname} of ${service.name}: ${p.window} just below, ${p.short} above: no alert`,
      interval: '1m',
      input_series: input({ [p.window]: p.below, [p.short]: p.above }),
      alert_rule_test: [check(false, '')],
    },
    {
      name: `${alertname} of ${service.name}: ${p.window} above, ${p.short} just below: no alert`,
      interval: '1m',
      input_series: input({ [p.window]: p.above, [p.short]: p.below }),
      alert_rule_test: [check(false, '')],
    },
    {
      name: `${alertname} of ${service.name}: ${p.window} and ${p.short} just above: fires`,
      interval: '1m',
      input_series: input({ [p.window]: p.above, [p.short]: p.above }),
      alert_rule_test: [check(true, humanizePercentage(p.above))],
    },
  ]);
}

// Prometheus' humanizePercentage: the value times 100 with at most 4 significant digits, then '%'.
function humanizePercentage(value: string): string {
  return `${Number((Number(value) * 100).toPrecision(4))}%`;
}

/**
 * A histogram bound written another way than the SLO threshold but meaning the same (`0.50` for 0.5, `2.0` for 2),
 * and one that only looks alike (`0.05` for 0.5, `20` for 2): the first must count, the second must not.
 */
function sameBound(seconds: number): string {
  const written = String(seconds);
  return written.includes('.') ? `${written}0` : `${written}.0`;
}
function lookalikeBound(seconds: number): string {
  const written = String(seconds);
  return written.includes('.') ? written.replace('.', '.0') : `${written}0`;
}

function recordingRuleTests(subject: Service, others: readonly Service[]): UnitTest[] {
  const [second, quiet] = others;
  const availability = `service:${RATIO_METRIC.availability}:ratio_rate5m`;
  const latency = `service:${RATIO_METRIC.latency}:ratio_rate5m`;
  return [
    {
      name: 'the availability ratio counts 5xx responses, is 0 without errors and absent without traffic',
      interval: '1m',
      input_series: [
        { series: series('http_requests_total', { ...labelsOf(subject), status: '200' }), values: '0+99x10' },
        { series: series('http_requests_total', { ...labelsOf(subject), status: '502' }), values: '0+1x10' },
        ...(second
          ? [{ series: series('http_requests_total', { ...labelsOf(second), status: '200' }), values: '0+50x10' }]
          : []),
        ...(quiet
          ? [{ series: series('http_requests_total', { ...labelsOf(quiet), status: '200' }), values: '0x10' }]
          : []),
      ],
      promql_expr_test: [
        {
          expr: availability,
          eval_time: '10m',
          exp_samples: [
            { labels: series(availability, labelsOf(subject)), value: 0.01 },
            ...(second ? [{ labels: series(availability, labelsOf(second)), value: 0 }] : []),
          ],
        },
      ],
    },
    {
      name: 'the latency ratio is the share of requests slower than the SLO threshold, however the bound is written',
      interval: '1m',
      input_series: [
        ...latencyBuckets(labelsOf(subject), {
          [lookalikeBound(subject.slo.latency.thresholdSeconds)]: 10,
          [String(subject.slo.latency.thresholdSeconds)]: 75,
          '+Inf': 100,
        }),
        ...(second
          ? latencyBuckets(labelsOf(second), { [sameBound(second.slo.latency.thresholdSeconds)]: 50, '+Inf': 100 })
          : []),
      ],
      promql_expr_test: [
        {
          expr: latency,
          eval_time: '10m',
          exp_samples: [
            { labels: series(latency, labelsOf(subject)), value: 0.25 },
            ...(second ? [{ labels: series(latency, labelsOf(second)), value: 0.5 }] : []),
          ],
        },
      ],
    },
  ];
}

/**
 * The Velero alerts of the unit-test environment (its team interval, 2 hours when the model gives none), each
 * condition of VeleroBackupMissing on its own, 1 hour after it starts to hold (a first backup's time to finish):
 * a last success older than twice the interval; backups attempted and none succeeded; a schedule Velero never
 * reported. A new schedule that has not attempted yet pages no one. VeleroBackupFailed: a failed, a partially failed
 * and a backup that failed validation.
 */
function backupAlertTests(of: PlatformModel): UnitTest[] {
  const environment = of.environments.find((candidate) => candidate.name === UNIT_TEST_ENVIRONMENT);
  const [team, ...otherTeams] = of.teams;
  if (!environment || !team) return [];
  const everyHours = environment.backup?.teamNamespacesEveryHours ?? 2;
  const limitMinutes = 2 * everyHours * 60;
  const step = 5;
  const subject = `team-${team.name}`;
  const lastSuccess = (schedule: string) => series('velero_backup_last_successful_timestamp', { schedule });
  const attempts = (schedule: string) => series('velero_backup_attempt_total', { schedule });
  const minutes = (value: number) => `${value}m`;
  const span = (limitMinutes * 3) / step;
  // A schedule that succeeds on time: each interval one attempt, and the gauge moves to that backup's time.
  const onTime = (schedule: string) => [
    {
      series: lastSuccess(schedule),
      values: Array.from({ length: 8 }, (_, i) => `${i * everyHours * 3600}x${(everyHours * 60) / step}`).join(' '),
    },
    {
      series: attempts(schedule),
      values: Array.from({ length: 8 }, (_, i) => `${i + 1}x${(everyHours * 60) / step}`).join(' '),
    },
  ];
  const healthy = [...otherTeams.map((other) => `team-${other.name}`), 'cluster'].flatMap(onTime);
  const missing = (schedule: string) =>
    expected(
      'VeleroBackupMissing',
      { severity: 'critical', schedule },
      'A Velero schedule has had no successful backup for twice its interval.',
      `Schedule '${schedule}' (every ${everyHours}h) has had no successful backup for more than ${2 * everyHours}h: the recovery point objective of the objects and volumes of namespace ${schedule.slice('team-'.length)} is broken.`,
    );
  const failed = (schedule: string) =>
    expected(
      'VeleroBackupFailed',
      { severity: 'warning', schedule },
      'A Velero backup failed, partially failed or failed validation.',
      `A backup of schedule '${schedule}' failed, partially failed or failed validation in the last 1h.`,
    );
  return [
    {
      name: `VeleroBackupMissing fires an hour after the last success of ${subject} is older than ${2 * everyHours}h`,
      interval: minutes(step),
      input_series: [
        { series: lastSuccess(subject), values: `0x${span}` },
        { series: attempts(subject), values: `1x${span}` },
        ...healthy,
      ],
      alert_rule_test: [
        { eval_time: minutes(limitMinutes + 60), alertname: 'VeleroBackupMissing', exp_alerts: [] },
        { eval_time: minutes(limitMinutes + 65), alertname: 'VeleroBackupMissing', exp_alerts: [missing(subject)] },
      ],
    },
    {
      name: `VeleroBackupMissing fires an hour after ${subject} attempted a backup and none succeeded`,
      interval: minutes(step),
      input_series: [{ series: attempts(subject), values: `0x12 1x${span}` }, ...healthy],
      alert_rule_test: [
        { eval_time: '120m', alertname: 'VeleroBackupMissing', exp_alerts: [] },
        { eval_time: '125m', alertname: 'VeleroBackupMissing', exp_alerts: [missing(subject)] },
      ],
    },
    {
      name: `VeleroBackupMissing stays silent while a new ${subject} has not attempted its first backup`,
      interval: minutes(step),
      input_series: [{ series: attempts(subject), values: `0x${span}` }, ...healthy],
      alert_rule_test: [{ eval_time: minutes(limitMinutes * 3), alertname: 'VeleroBackupMissing', exp_alerts: [] }],
    },
    {
      name: `VeleroBackupMissing fires an hour into Velero's silence about ${subject}, not for schedules on time`,
      interval: minutes(step),
      input_series: healthy,
      alert_rule_test: [
        { eval_time: '55m', alertname: 'VeleroBackupMissing', exp_alerts: [] },
        { eval_time: '60m', alertname: 'VeleroBackupMissing', exp_alerts: [missing(subject)] },
      ],
    },
    {
      name: 'VeleroBackupFailed fires for an hour after a failed, a partially failed or an invalid backup, not before',
      interval: minutes(step),
      input_series: [
        { series: series('velero_backup_failure_total', { schedule: subject }), values: '0x12 1x50' },
        { series: series('velero_backup_partial_failure_total', { schedule: subject }), values: '0x62' },
        { series: series('velero_backup_validation_failure_total', { schedule: subject }), values: '0x62' },
        { series: series('velero_backup_failure_total', { schedule: 'cluster' }), values: '0x62' },
        { series: series('velero_backup_partial_failure_total', { schedule: 'cluster' }), values: '0x20 1x42' },
        { series: series('velero_backup_validation_failure_total', { schedule: 'cluster' }), values: '0x62' },
        { series: series('velero_backup_failure_total', { schedule: 'adhoc' }), values: '0x62' },
        { series: series('velero_backup_partial_failure_total', { schedule: 'adhoc' }), values: '0x62' },
        { series: series('velero_backup_validation_failure_total', { schedule: 'adhoc' }), values: '0x40 1x22' },
      ],
      alert_rule_test: [
        { eval_time: '55m', alertname: 'VeleroBackupFailed', exp_alerts: [] },
        { eval_time: '65m', alertname: 'VeleroBackupFailed', exp_alerts: [failed(subject)] },
        { eval_time: '125m', alertname: 'VeleroBackupFailed', exp_alerts: [failed('cluster')] },
        { eval_time: '225m', alertname: 'VeleroBackupFailed', exp_alerts: [failed('adhoc')] },
        { eval_time: '305m', alertname: 'VeleroBackupFailed', exp_alerts: [] },
      ],
    },
  ];
}

/**
 * The add-ons' alerts: the log collector's outputs (metric names of Fluent Bit 5.1.1's /api/v2/metrics/prometheus,
 * labelled `name` by the output's alias), the trace collector's exporter and receiver counters (collector 0.158.0
 * through its Prometheus reader: `_total` on every counter) and, where the unit-test environment runs external-dns
 * (a hosted zone), its error counters and last-sync gauge (0.22.0). Labels the scrape adds (`namespace`, `pod`,
 * `instance`, `job`) are set as Prometheus would; the alerts keep `namespace` and what names the failing part.
 */
function addonAlertTests(of: PlatformModel): UnitTest[] {
  const environment = of.environments.find((candidate) => candidate.name === UNIT_TEST_ENVIRONMENT);
  const scrape = (namespace: string, pod: string) => ({ namespace, pod, instance: `${pod}:metrics`, job: namespace });
  const logs = (pod: string, name: string) => ({ ...scrape('logging', pod), name });
  const fluentBit = (alert: string, pod: string, name: string, summary: string, description: string) =>
    expected(alert, { severity: 'warning', namespace: 'logging', pod, name }, summary, description);
  const dropped = (pod: string, name: string) =>
    fluentBit(
      'FluentBitRecordsDropped',
      pod,
      name,
      'Fluent Bit dropped log records that never reached CloudWatch Logs.',
      `Output ${name} of ${pod} dropped log records or abandoned chunks after its retries in the last 15m: those lines are not in CloudWatch Logs.`,
    );
  const traces = (pod: string, labels: Record<string, string>) => ({ ...scrape('tracing', pod), ...labels });
  const exportFailing = (exporter: string) =>
    expected(
      'OtelCollectorExportFailing',
      { severity: 'warning', namespace: 'tracing', exporter },
      'The trace collector keeps failing to export spans.',
      `Exporter ${exporter} of the trace collector in tracing has failed to send or queue spans for 15m: those traces are missing in X-Ray.`,
    );
  const tests: UnitTest[] = [
    {
      name: 'FluentBitRecordsDropped fires at once for dropped records or abandoned chunks, and 15 minutes later no more',
      interval: '1m',
      input_series: [
        {
          series: series('fluentbit_output_dropped_records_total', logs('fluent-bit-a', 'cloudwatch-containers')),
          values: '0x10 5x40',
        },
        {
          series: series('fluentbit_output_retries_failed_total', logs('fluent-bit-a', 'cloudwatch-containers')),
          values: '0x50',
        },
        {
          series: series('fluentbit_output_dropped_records_total', logs('fluent-bit-b', 'cloudwatch-nodes')),
          values: '0x50',
        },
        {
          series: series('fluentbit_output_retries_failed_total', logs('fluent-bit-b', 'cloudwatch-nodes')),
          values: '0x20 1x30',
        },
        {
          series: series('fluentbit_output_dropped_records_total', logs('fluent-bit-c', 'cloudwatch-containers')),
          values: '0+0x50',
        },
      ],
      alert_rule_test: [
        { eval_time: '10m', alertname: 'FluentBitRecordsDropped', exp_alerts: [] },
        {
          eval_time: '12m',
          alertname: 'FluentBitRecordsDropped',
          exp_alerts: [dropped('fluent-bit-a', 'cloudwatch-containers')],
        },
        {
          eval_time: '22m',
          alertname: 'FluentBitRecordsDropped',
          exp_alerts: [dropped('fluent-bit-a', 'cloudwatch-containers'), dropped('fluent-bit-b', 'cloudwatch-nodes')],
        },
        { eval_time: '40m', alertname: 'FluentBitRecordsDropped', exp_alerts: [] },
      ],
    },
    {
      name: 'FluentBitOutputFailing fires after 15 minutes of failing flushes, not for an output that flushes',
      interval: '1m',
      input_series: [
        {
          series: series('fluentbit_output_errors_total', logs('fluent-bit-a', 'cloudwatch-containers')),
          values: '0+1x40',
        },
        { series: series('fluentbit_output_errors_total', logs('fluent-bit-a', 'cloudwatch-nodes')), values: '0x40' },
      ],
      alert_rule_test: [
        { eval_time: '15m', alertname: 'FluentBitOutputFailing', exp_alerts: [] },
        {
          eval_time: '16m',
          alertname: 'FluentBitOutputFailing',
          exp_alerts: [
            fluentBit(
              'FluentBitOutputFailing',
              'fluent-bit-a',
              'cloudwatch-containers',
              'A Fluent Bit output keeps failing to send to CloudWatch Logs.',
              'Output cloudwatch-containers of fluent-bit-a has failed to flush to CloudWatch Logs in every 5-minute window for 15m; its records wait in the buffer until its retries run out.',
            ),
          ],
        },
      ],
    },
    {
      name: 'OtelCollectorExportFailing fires after 15 minutes of failed sends or enqueues, per exporter',
      interval: '1m',
      input_series: [
        {
          series: series('otelcol_exporter_send_failed_spans_total', traces('otel-a', { exporter: 'awsxray' })),
          values: '0+10x40',
        },
        {
          series: series('otelcol_exporter_enqueue_failed_spans_total', traces('otel-a', { exporter: 'awsxray' })),
          values: '0x40',
        },
        {
          series: series('otelcol_exporter_send_failed_spans_total', traces('otel-b', { exporter: 'awsxray' })),
          values: '0x40',
        },
        {
          series: series('otelcol_exporter_send_failed_spans_total', traces('otel-b', { exporter: 'otlp' })),
          values: '0x40',
        },
        {
          series: series('otelcol_exporter_enqueue_failed_spans_total', traces('otel-b', { exporter: 'otlp' })),
          values: '0+3x40',
        },
      ],
      alert_rule_test: [
        { eval_time: '15m', alertname: 'OtelCollectorExportFailing', exp_alerts: [] },
        {
          eval_time: '16m',
          alertname: 'OtelCollectorExportFailing',
          exp_alerts: [exportFailing('awsxray'), exportFailing('otlp')],
        },
      ],
    },
    {
      name: 'OtelCollectorRefusingSpans fires after 10 minutes of refused spans, not for a receiver that accepts them',
      interval: '1m',
      input_series: [
        {
          series: series(
            'otelcol_receiver_refused_spans_total',
            traces('otel-a', { receiver: 'otlp', transport: 'http' }),
          ),
          values: '0+5x30',
        },
        {
          series: series(
            'otelcol_receiver_refused_spans_total',
            traces('otel-a', { receiver: 'otlp', transport: 'grpc' }),
          ),
          values: '0x30',
        },
        {
          series: series(
            'otelcol_receiver_refused_spans_total',
            traces('otel-b', { receiver: 'jaeger', transport: 'grpc' }),
          ),
          values: '0x30',
        },
      ],
      alert_rule_test: [
        { eval_time: '10m', alertname: 'OtelCollectorRefusingSpans', exp_alerts: [] },
        {
          eval_time: '11m',
          alertname: 'OtelCollectorRefusingSpans',
          exp_alerts: [
            expected(
              'OtelCollectorRefusingSpans',
              { severity: 'warning', namespace: 'tracing', receiver: 'otlp' },
              'The trace collector refuses spans that services send.',
              'Receiver otlp of the trace collector in tracing has refused spans for 10 minutes (its pipeline pushes back, most often its memory limiter): the services drop them.',
            ),
          ],
        },
      ],
    },
  ];
  if (!environment?.edge.hostedZone) return tests;
  const dns = scrape('external-dns', 'external-dns-0');
  // The interval the alert counts in: the chart value of dist/, 5 minutes.
  const intervalMinutes = 5;
  const staleMinutes = 3 * intervalMinutes;
  return [
    ...tests,
    {
      name: 'ExternalDnsSyncFailing fires after 15 minutes with registry errors, not for source errors that stopped',
      interval: '1m',
      input_series: [
        { series: series('external_dns_registry_errors_total', dns), values: '0x5 1+1x40' },
        { series: series('external_dns_source_errors_total', dns), values: '0x50' },
      ],
      alert_rule_test: [
        { eval_time: '20m', alertname: 'ExternalDnsSyncFailing', exp_alerts: [] },
        {
          eval_time: '21m',
          alertname: 'ExternalDnsSyncFailing',
          exp_alerts: [
            expected(
              'ExternalDnsSyncFailing',
              { severity: 'warning', namespace: 'external-dns' },
              'external-dns keeps failing to read or change DNS records.',
              'external-dns in external-dns has had registry or source errors in every 15-minute window for 15m: new or changed edge hosts get no record.',
            ),
          ],
        },
      ],
    },
    {
      name: `ExternalDnsSyncStale fires 10 minutes after the last sync is ${staleMinutes} minutes old, not while syncs continue`,
      interval: '1m',
      input_series: [{ series: series('external_dns_controller_last_sync_timestamp_seconds', dns), values: '0x60' }],
      alert_rule_test: [
        { eval_time: `${staleMinutes + 10}m`, alertname: 'ExternalDnsSyncStale', exp_alerts: [] },
        {
          eval_time: `${staleMinutes + 11}m`,
          alertname: 'ExternalDnsSyncStale',
          exp_alerts: [
            expected(
              'ExternalDnsSyncStale',
              { severity: 'warning', namespace: 'external-dns' },
              'external-dns has not synced the zone for 3 of its intervals.',
              `external-dns in external-dns has had no successful sync for more than ${staleMinutes} minutes (its interval is ${intervalMinutes} minutes): the edge's records may be out of date.`,
            ),
          ],
        },
      ],
    },
    {
      name: 'ExternalDnsSyncStale stays silent while a sync succeeds every interval',
      interval: '1m',
      input_series: [
        {
          series: series('external_dns_controller_last_sync_timestamp_seconds', dns),
          values: Array.from({ length: 12 }, (_, i) => `${i * intervalMinutes * 60}x${intervalMinutes - 1}`).join(' '),
        },
      ],
      alert_rule_test: [{ eval_time: '55m', alertname: 'ExternalDnsSyncStale', exp_alerts: [] }],
    },
  ];
}

/**
 * The unit tests by suite: one `promtool test rules` run each. The SLO suites test the SLOs of the model's first
 * service (its burn rates) and of its first three services (the recording rules); a model without services
 * has only the platform suite.
 */
export function alertRuleUnitTestSuites(of: PlatformModel = model): Record<string, UnitTest[]> {
  const [subject, ...others] = of.services;
  if (!subject) {
    return { platform: platformAlertTests, 'velero backups': backupAlertTests(of), 'add-ons': addonAlertTests(of) };
  }
  const sloTests = (['availability', 'latency'] as const).flatMap((kind) =>
    (['page', 'ticket'] as const).flatMap((speed) => burnRateTests(subject, kind, speed)),
  );
  return {
    platform: platformAlertTests,
    'slo burn rates': sloTests,
    'slo recording rules': recordingRuleTests(subject, others),
    'velero backups': backupAlertTests(of),
    'add-ons': addonAlertTests(of),
  };
}
