import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { listFiles } from '../../apps/cluster/src/dist-directory';
import { alertRuleUnitTestSuites, UNIT_TEST_ENVIRONMENT } from '../../test/guardrails/support/alert-rule-unit-tests';
import {
  type DashboardQuery,
  type DistObject,
  dashboardQueries,
  dashboardSidecarOf,
  queriesAsRuleGroup,
  sidecarDashboards,
} from './dashboard-queries';
import type { Engine, EngineContext, EngineResult } from './engine';
import { type GoModuleBinary, goModuleBinary, goModuleBinaryPath } from './go-module-binary';
import { lastLines, runProcess } from './process-output';

/**
 * The Prometheus the cluster runs: kube-prometheus-stack 88.0.0 sets prometheus.prometheusSpec.image.tag
 * to v3.13.1 (prometheus-community/helm-charts, tag kube-prometheus-stack-88.0.0,
 * charts/kube-prometheus-stack/values.yaml), and dist/ does not override it. Prometheus publishes 3.x.y as
 * Go module version v0.3xx.y (3.13.1 = v0.313.1).
 */
export const PROMETHEUS_VERSION = '3.13.1';

const PROMTOOL: GoModuleBinary = {
  name: 'promtool',
  module: 'github.com/prometheus/prometheus',
  version: 'v0.313.1',
  // go.sum hash of that version (sum.golang.org).
  sum: 'h1:BOyoPuxCL+58NpuZ0ovKuKo8ALmVLTCTIM7r8znt6z8=',
  mainPackage: './cmd/promtool',
  linkerSettings: [`github.com/prometheus/common/version.Version=${PROMETHEUS_VERSION}`],
};

/** promtool of that Prometheus, from `.tools/` (built on first use). */
export function promtoolBinary(context: EngineContext): Promise<string> {
  return goModuleBinary(context, PROMTOOL);
}

/** Where promtoolBinary() keeps promtool below a `.tools/` directory, built or not. */
export function promtoolPath(toolsDirectory: string): string {
  return goModuleBinaryPath(toolsDirectory, PROMTOOL);
}

interface RuleFile {
  /** `<env>/<path in dist>` of the PrometheusRule. */
  readonly source: string;
  readonly groups: unknown[];
}

/** Every PrometheusRule of dist/, one rule file each, as the Prometheus Operator writes them. */
function distRuleFiles(root: string): RuleFile[] {
  const dist = join(root, 'dist');
  const files: RuleFile[] = [];
  for (const environment of readdirSync(dist).sort()) {
    if (!statSync(join(dist, environment)).isDirectory()) continue;
    for (const path of listFiles(join(dist, environment))) {
      if (!/\.ya?ml$/.test(path)) continue;
      for (const document of parseAllDocuments(readFileSync(join(dist, environment, path), 'utf8'))) {
        const object = document.toJS() as { kind?: string; spec?: { groups?: unknown[] } } | null;
        if (object?.kind === 'PrometheusRule') {
          files.push({ source: `${environment}/${path}`, groups: object.spec?.groups ?? [] });
        }
      }
    }
  }
  return files;
}

/** The panel queries of each dashboard the Grafana sidecar of each environment of dist/ loads. */
function distDashboardQueries(root: string): { source: string; queries: DashboardQuery[] }[] {
  const dist = join(root, 'dist');
  const dashboards: { source: string; queries: DashboardQuery[] }[] = [];
  for (const environment of readdirSync(dist).sort()) {
    if (!statSync(join(dist, environment)).isDirectory()) continue;
    const objects = listFiles(join(dist, environment))
      .filter((path) => /\.ya?ml$/.test(path))
      .flatMap((path) => parseAllDocuments(readFileSync(join(dist, environment, path), 'utf8')))
      .map((document) => document.toJS() as DistObject | null)
      .filter((object): object is DistObject => object !== null);
    const sidecar = dashboardSidecarOf(objects);
    if (!sidecar) continue;
    for (const dashboard of sidecarDashboards(objects, sidecar)) {
      dashboards.push({ source: `${environment}/${dashboard.configMap}`, queries: dashboardQueries(dashboard) });
    }
  }
  return dashboards;
}

function writeYaml(directory: string, name: string, content: unknown): string {
  const path = join(directory, name);
  writeFileSync(path, stringify(content, { lineWidth: 0 }));
  return path;
}

/** `check rules` with every lint, lint findings fatal; returns the rule count or the failure text. */
async function checkRules(promtool: string, file: string): Promise<{ rules: number } | { failure: string }> {
  const run = await runProcess(promtool, ['check', 'rules', '--lint=all', '--lint-fatal', file]);
  const output = `${run.stdout}${run.stderr}`;
  const found = /SUCCESS: (\d+) rules found/.exec(output);
  if (run.status === 0 && found) return { rules: Number(found[1]) };
  // promtool's own lines around the findings ("Checking <file>", "FAILED:") say nothing more.
  const findings = output.split('\n').filter((line) => !/^Checking |^\s*FAILED:?\s*$/.test(line));
  return { failure: lastLines(findings.join('\n'), 20) };
}

async function run(context: EngineContext): Promise<EngineResult> {
  const promtool = await promtoolBinary(context);
  const work = mkdtempSync(join(tmpdir(), 'verify-promtool-'));
  const failures: string[] = [];
  try {
    const ruleFiles = distRuleFiles(context.root);
    if (ruleFiles.length === 0) failures.push('dist/ holds no PrometheusRule: nothing was checked');
    let groups = 0;
    let rules = 0;
    for (const [index, ruleFile] of ruleFiles.entries()) {
      // An empty PrometheusRule or group passes `check rules` but alerts on nothing: the output lost its rules.
      const empty = (ruleFile.groups as { name?: unknown; rules?: unknown[] }[]).filter(
        (group) => !Array.isArray(group.rules) || group.rules.length === 0,
      );
      if (ruleFile.groups.length === 0) failures.push(`dist/${ruleFile.source}: a PrometheusRule without groups`);
      for (const group of empty)
        failures.push(`dist/${ruleFile.source}: group ${JSON.stringify(group.name)} has no rules`);
      const file = writeYaml(work, `rules-${index}.yaml`, { groups: ruleFile.groups });
      const checked = await checkRules(promtool, file);
      groups += ruleFile.groups.length;
      if ('rules' in checked) rules += checked.rules;
      else failures.push(`check rules dist/${ruleFile.source}:\n${checked.failure}`);
    }

    // Every panel query of every dashboard, parsed as the expression of a recording rule: Grafana sends it to
    // Prometheus as it is (the dashboards use no template variable), so what promtool parses Prometheus runs.
    const dashboards = distDashboardQueries(context.root);
    if (dashboards.length === 0) failures.push('dist/ holds no Grafana dashboard: nothing was checked');
    let queries = 0;
    for (const [index, dashboard] of dashboards.entries()) {
      if (dashboard.queries.length === 0) failures.push(`dist/${dashboard.source}: a dashboard without queries`);
      const file = writeYaml(work, `dashboard-${index}.yaml`, {
        groups: [queriesAsRuleGroup(dashboard.source, dashboard.queries)],
      });
      const checked = await checkRules(promtool, file);
      if ('failure' in checked) failures.push(`dashboard queries of dist/${dashboard.source}:\n${checked.failure}`);
      else if (checked.rules !== dashboard.queries.length) {
        failures.push(
          `dist/${dashboard.source}: promtool parsed ${checked.rules} of ${dashboard.queries.length} queries`,
        );
      } else queries += checked.rules;
    }

    // The unit tests run on all rule groups of their environment together, as Prometheus loads them.
    const unitRules = ruleFiles
      .filter((file) => file.source.startsWith(`${UNIT_TEST_ENVIRONMENT}/`))
      .flatMap((file) => file.groups);
    const ruleFileName = 'unit-test-rules.yaml';
    writeYaml(work, ruleFileName, { groups: unitRules });
    let tests = 0;
    for (const [suite, suiteTests] of Object.entries(alertRuleUnitTestSuites())) {
      const name = `tests-${suite.replace(/\W+/g, '-')}.yaml`;
      writeYaml(work, name, { rule_files: [ruleFileName], evaluation_interval: '1m', tests: suiteTests });
      const junit = `${name}.junit.xml`;
      const result = await runProcess(promtool, ['test', 'rules', `--junit=${junit}`, name], { cwd: work });
      const output = `${result.stdout}${result.stderr}`;
      // Count the tests promtool ran from its JUnit report, not the ones handed to it.
      const ran = existsSync(join(work, junit))
        ? (readFileSync(join(work, junit), 'utf8').match(/<testcase\b/g) ?? []).length
        : 0;
      tests += ran;
      if (result.status !== 0 || !output.includes('SUCCESS')) {
        failures.push(`test rules (${suite}) on dist/${UNIT_TEST_ENVIRONMENT}:\n${lastLines(output, 40)}`);
      } else if (ran !== suiteTests.length) {
        failures.push(`test rules (${suite}): promtool ran ${ran} of ${suiteTests.length} unit tests`);
      }
    }
    if (tests === 0) failures.push(`test rules: no unit test ran on dist/${UNIT_TEST_ENVIRONMENT}`);
    const environments = new Set(ruleFiles.map((file) => file.source.split('/')[0])).size;
    return {
      engine: `promtool ${PROMETHEUS_VERSION}`,
      ok: failures.length === 0,
      summary:
        `check rules: ${ruleFiles.length} PrometheusRules (${groups} groups, ${rules} rules) in ${environments} environments; ` +
        `dashboards: ${queries} panel queries of ${dashboards.length} dashboards parsed; ` +
        `test rules: ${tests} unit tests on dist/${UNIT_TEST_ENVIRONMENT}; ${failures.length} failed`,
      failures,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The first rule group of dist/ with its first expression cut short: promtool must refuse to parse it. */
async function selfCheck(context: EngineContext): Promise<string> {
  const promtool = await promtoolBinary(context);
  const [ruleFile] = distRuleFiles(context.root);
  if (!ruleFile) throw new Error('dist/ holds no PrometheusRule to break');
  const [group] = ruleFile.groups as { name: string; rules: { expr: string }[] }[];
  const broken = {
    ...group,
    rules: [{ ...group.rules[0], expr: `${group.rules[0].expr} +` }, ...group.rules.slice(1)],
  };
  const work = mkdtempSync(join(tmpdir(), 'verify-promtool-broken-'));
  try {
    const file = writeYaml(work, 'broken-rules.yaml', { groups: [broken] });
    const checked = await checkRules(promtool, file);
    if ('rules' in checked) {
      throw new Error(
        `promtool accepted a rule whose expression ends in a dangling '+' (from dist/${ruleFile.source})`,
      );
    }
    return `${checked.failure}\n${await brokenDashboardQuery(promtool, context.root, work)}\n${await failedUnitTest(promtool, context.root, work)}`;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The first dashboard query of dist/ with a bracket left open: promtool must refuse to parse it. */
async function brokenDashboardQuery(promtool: string, root: string, work: string): Promise<string> {
  const [dashboard] = distDashboardQueries(root);
  const [query] = dashboard?.queries ?? [];
  if (!query) throw new Error('dist/ holds no dashboard query to break');
  const file = writeYaml(work, 'broken-dashboard.yaml', {
    groups: [queriesAsRuleGroup(dashboard.source, [{ ...query, expr: `(${query.expr}` }])],
  });
  const checked = await checkRules(promtool, file);
  if ('rules' in checked) {
    throw new Error(`promtool accepted a dashboard query with an unclosed bracket (from dist/${dashboard.source})`);
  }
  return lastLines(checked.failure, 1);
}

/** `test rules` must fail a unit test whose first expected alert list is turned around (none for some, some for none). */
async function failedUnitTest(promtool: string, root: string, work: string): Promise<string> {
  const [suite] = Object.values(alertRuleUnitTestSuites());
  const [test] = (suite ?? []) as { alert_rule_test?: { exp_alerts?: unknown[] }[] }[];
  const [case_] = test?.alert_rule_test ?? [];
  if (!case_) throw new Error('no alert rule unit test to break');
  const flipped = {
    ...test,
    alert_rule_test: [{ ...case_, exp_alerts: case_.exp_alerts?.length ? [] : [{ exp_labels: { severity: 'none' } }] }],
  };
  const unitRules = distRuleFiles(root)
    .filter((file) => file.source.startsWith(`${UNIT_TEST_ENVIRONMENT}/`))
    .flatMap((file) => file.groups);
  writeYaml(work, 'flipped-rules.yaml', { groups: unitRules });
  const name = writeYaml(work, 'flipped-test.yaml', {
    rule_files: ['flipped-rules.yaml'],
    evaluation_interval: '1m',
    tests: [flipped],
  });
  const result = await runProcess(promtool, ['test', 'rules', name], { cwd: work });
  const output = `${result.stdout}${result.stderr}`;
  if (result.status === 0)
    throw new Error('promtool test rules passed a unit test with its expected alerts turned around');
  return (
    lastLines(output, 3)
      .split('\n')
      .find((line) => /FAIL|expected|got/i.test(line)) ?? lastLines(output, 1)
  );
}

/**
 * promtool of Prometheus 3: `check rules` on every PrometheusRule of dist/ and on every panel query of its Grafana
 * dashboards, `test rules` on the unit tests.
 */
export const promtoolEngine: Engine = { name: 'promtool', run, selfCheck };
