import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlatformModel, PLATFORM_NAMESPACES } from '@platform/model';
import {
  alertRuleUnitTestSuites,
  burnThresholds,
  runbooksOf,
  UNIT_TEST_ENVIRONMENT,
} from './support/alert-rule-unit-tests';
import { type DistManifest, ofKind, readDistEnvironment } from './support/dist-manifests';
import type { KubeObject } from './support/kyverno-evaluation';
import { checkRuleFiles, type PromtoolBatch, testRuleFiles } from './support/promtool';

const model = loadPlatformModel();
const REPO_ROOT = join(__dirname, '..', '..');

interface PromRule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}
interface PromGroup {
  readonly name: string;
  readonly rules: PromRule[];
}

const distByEnvironment = new Map<string, DistManifest[]>();
/** An environment's dist/ folder, parsed once for the file: the tests only read it. */
function distOf(environment: string): DistManifest[] {
  let manifests = distByEnvironment.get(environment);
  if (!manifests) {
    manifests = readDistEnvironment(environment);
    distByEnvironment.set(environment, manifests);
  }
  return manifests;
}
const rulesOf = (environment: string) => ofKind(distOf(environment), 'PrometheusRule');
const groupsOf = (rule: KubeObject) => (rule.spec as { groups: PromGroup[] }).groups;
const allGroups = (environment: string) => rulesOf(environment).flatMap(groupsOf);
const alertsOf = (environment: string) =>
  allGroups(environment).flatMap((g) => g.rules.filter((r): r is PromRule & { alert: string } => !!r.alert));

/** The rule file a PrometheusRule of an environment becomes for `promtool check rules`. */
const ruleFileOf = (environment: string, rule: KubeObject) => `${environment}-${rule.metadata.name}.yaml`;
let checked: PromtoolBatch | undefined;
/** Every PrometheusRule of every environment checked by one promtool run (promtool checks each file on its own). */
function checkedRules(): PromtoolBatch {
  checked ??= checkRuleFiles(
    Object.fromEntries(
      model.environments.flatMap(({ name }) =>
        rulesOf(name).map((rule) => [ruleFileOf(name, rule), { groups: groupsOf(rule) }] as const),
      ),
    ),
  );
  return checked;
}

describe.each(model.environments.map((e) => e.name))('rule groups in dist/%s', (env) => {
  // external-dns runs, and so is watched, only where the model names a hosted zone.
  const runsExternalDns = () => !!model.environments.find((e) => e.name === env)?.edge.hostedZone;

  test('are PrometheusRules in the monitoring namespace: the platform alerts, one SLO group per service, the backup and add-on alerts', () => {
    const rules = rulesOf(env);
    for (const rule of rules) expect(rule.metadata.namespace).toBe(PLATFORM_NAMESPACES.monitoring);
    expect(
      allGroups(env)
        .map((g) => g.name)
        .sort(),
    ).toEqual(
      [
        'platform-alerts',
        ...model.services.map((s) => `slo-${s.name}`),
        'velero-backups',
        'log-collector',
        'trace-collector',
        ...(runsExternalDns() ? ['external-dns'] : []),
      ].sort(),
    );
  });

  test.each(rulesOf(env).map((r) => [r.metadata.name, r] as const))('%s passes promtool check rules', (_name, rule) => {
    const file = ruleFileOf(env, rule);
    const run = checkedRules();
    // promtool's findings name their file: `<file>: <line>:<column>: …`.
    const findings = run.output.split('\n').filter((line) => line.startsWith(`${file}:`));
    expect({ file, rulesFound: run.files.get(file)?.rulesFound, findings }).toEqual({
      file,
      rulesFound: expect.any(Number),
      findings: [],
    });
    expect(run.status).toBe(0);
  });

  test('every alert has a severity, a summary, a templated description and a runbook that exists', () => {
    const alerts = alertsOf(env);
    // VeleroBackupFailed, and VeleroBackupMissing per Schedule: one per team and the cluster's; two per log and trace
    // collector, two for external-dns where it runs.
    expect(alerts.length).toBe(
      5 + 4 * model.services.length + 1 + model.teams.length + 1 + 4 + (runsExternalDns() ? 2 : 0),
    );
    for (const alert of alerts) {
      expect(['critical', 'warning']).toContain(alert.labels?.severity);
      expect(alert.annotations?.summary).toMatch(/\S/);
      expect(alert.annotations?.description).toMatch(/\{\{ \$labels\.[a-z]+ \}\}/);
      expect(alert.annotations?.runbook_url).toBe(`${runbooksOf(env)}/${alert.alert}.md`);
      const runbook = join(REPO_ROOT, 'docs', 'runbooks', `${alert.alert}.md`);
      expect(existsSync(runbook)).toBe(true);
      const text = readFileSync(runbook, 'utf8');
      for (const section of ['## What to check', '## Mitigate', '## Roll back']) expect(text).toContain(section);
    }
  });

  test('recording and alerting rule names follow the Prometheus conventions', () => {
    for (const rule of allGroups(env).flatMap((g) => g.rules)) {
      if (rule.record) expect(rule.record).toMatch(/^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$/);
      if (rule.alert) expect(rule.alert).toMatch(/^[A-Z][A-Za-z0-9]+$/);
    }
  });
});

describe(`promtool test rules on the rules of dist/${UNIT_TEST_ENVIRONMENT}`, () => {
  const suites = alertRuleUnitTestSuites();

  test('every alert is covered by a case where it fires and one where it must not', () => {
    const tests = Object.values(suites).flat();
    const checks = tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const alert of new Set(alertsOf(UNIT_TEST_ENVIRONMENT).map((a) => a.alert))) {
      expect({ alert, fires: checks.some((c) => c.alertname === alert && c.exp_alerts.length > 0) }).toEqual({
        alert,
        fires: true,
      });
      expect({ alert, silent: checks.some((c) => c.alertname === alert && c.exp_alerts.length === 0) }).toEqual({
        alert,
        silent: true,
      });
    }
  });

  test('burn-rate thresholds of every service are written exactly, without floating-point noise', () => {
    for (const service of model.services) {
      const group = allGroups(UNIT_TEST_ENVIRONMENT).find((g) => g.name === `slo-${service.name}`);
      const exprs = (group?.rules ?? [])
        .filter((r) => r.alert)
        .map((r) => r.expr)
        .join('\n');
      for (const kind of ['availability', 'latency'] as const) {
        for (const p of Object.values(burnThresholds(service, kind)).flat()) {
          expect(exprs).toContain(`ratio_rate${p.window}{service="${service.name}"} > ${p.at}\n`);
        }
      }
      expect(exprs).not.toMatch(/\d\.\d*0000\d|\d\.\d*9999\d/);
    }
  });

  // Every suite in one promtool run: each is a file of its own, with its own result in promtool's JUnit report.
  const testFileOf = (suite: string) => `tests-${suite.replace(/\W+/g, '-')}.yaml`;
  let tested: PromtoolBatch | undefined;
  const testedSuites = (): PromtoolBatch => {
    tested ??= testRuleFiles(
      {
        'rules.yaml': { groups: allGroups(UNIT_TEST_ENVIRONMENT) },
        ...Object.fromEntries(
          Object.entries(suites).map(([suite, tests]) => [
            testFileOf(suite),
            { rule_files: ['rules.yaml'], evaluation_interval: '1m', tests },
          ]),
        ),
      },
      Object.keys(suites).map(testFileOf),
    );
    return tested;
  };

  test.each(Object.entries(suites))('%s', (suite, tests) => {
    const run = testedSuites();
    expect({ suite, result: run.files.get(testFileOf(suite)) }).toEqual({
      suite,
      result: { tests: tests.length, failures: 0, errors: 0 },
    });
    expect(run.status).toBe(0);
  });
});
