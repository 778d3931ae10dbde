import { GrafanaDashboards } from '@platform/k8s-platform';
import { loadPlatformModel, modelIn, type Service, UserError } from '@platform/model';
import { Chart } from 'cdk8s';
import { type DistObject, queriesAsRuleGroup } from '../../tools/verify/dashboard-queries';
import { testCdk8sApp } from '../support/cdk8s-app';
import {
  type DashboardProblems,
  dashboardProblems,
  environmentDashboards,
  environmentQueries,
  ruleFacts,
} from './support/dashboard-checks';
import { type DistManifest, readDistEnvironment } from './support/dist-manifests';
import { metricNames } from './support/promql-names';
import { checkRuleFiles } from './support/promtool';
import { SERVICE_CONTRACT_SERIES } from './support/scraped-series';

const model = loadPlatformModel();
const environments = model.environments.map((e) => e.name);
const distOf = new Map<string, DistManifest[]>(environments.map((name) => [name, readDistEnvironment(name)]));
const objectsOf = (environment: string) => (distOf.get(environment) ?? []).map((m) => m.object as DistObject);

describe.each(environments)('Grafana dashboards of dist/%s', (environment) => {
  const problems = dashboardProblems(modelIn(model, environment), environment, objectsOf(environment));

  test.each([
    ['sidecar', 'the sidecar loads them from the monitoring namespace only, and every labelled ConfigMap'],
    ['dashboards', 'one per service and the overview, each alone in its ConfigMap, with stable uids and no time stamp'],
    ['datasources', "every panel queries kube-prometheus-stack's Prometheus data source"],
    ['plainPromql', 'queries are plain PromQL: no Grafana variable or macro'],
    ['slo', "SLO panels show the model's objectives and windows and the alert rules' burn-rate windows and thresholds"],
    ['metrics', 'queries read only recorded, scraped or promised series'],
    ['sizes', 'each ConfigMap fits a client-side apply (256 KiB of annotations) and 1 MiB of data'],
  ] as [keyof DashboardProblems, string][])('%s: %s', (concern) => {
    expect(problems[concern]).toEqual([]);
  });

  test('the Application of their folder may deploy ConfigMaps to the namespace, and no guard rail judges ConfigMaps', () => {
    const objects = objectsOf(environment);
    const { dashboards } = environmentDashboards(objects);
    const namespaces = [...new Set(dashboards.map((d) => d.namespace))];
    const application = objects.find(
      (o) =>
        o.kind === 'Application' && (o.spec as { source?: { path?: string } }).source?.path?.endsWith('/dashboards'),
    );
    const spec = application?.spec as { project: string; destination: { namespace?: string } };
    expect(namespaces).toEqual([spec.destination.namespace]);
    const project = objects.find((o) => o.kind === 'AppProject' && o.metadata?.name === spec.project);
    const projectSpec = project?.spec as {
      destinations: { namespace: string }[];
      namespaceResourceWhitelist?: { group: string; kind: string }[];
      namespaceResourceBlacklist?: { group: string; kind: string }[];
    };
    expect(projectSpec.destinations.map((d) => d.namespace)).toContain(spec.destination.namespace);
    const configMap = (entry: { group: string; kind: string }) =>
      (entry.group === '' || entry.group === '*') && (entry.kind === 'ConfigMap' || entry.kind === '*');
    if (projectSpec.namespaceResourceWhitelist)
      expect(projectSpec.namespaceResourceWhitelist.some(configMap)).toBe(true);
    expect((projectSpec.namespaceResourceBlacklist ?? []).some(configMap)).toBe(false);
    // Every ValidatingPolicy of the guard rails matches Pods (and their controllers): none reaches a ConfigMap.
    const policies = objects.filter((o) => o.kind === 'ValidatingPolicy');
    expect(policies.length).toBeGreaterThan(0);
    for (const policy of policies) {
      const rules =
        (policy.spec as { matchConstraints?: { resourceRules?: { resources?: string[] }[] } }).matchConstraints
          ?.resourceRules ?? [];
      const resources = rules.flatMap((rule) => rule.resources ?? []);
      expect({
        policy: policy.metadata?.name,
        reachesConfigMaps: resources.some((r) => r === 'configmaps' || r === '*'),
      }).toEqual({
        policy: policy.metadata?.name,
        reachesConfigMaps: false,
      });
    }
  });
});

test('every panel query of every environment parses with promtool check rules', () => {
  const files = Object.fromEntries(
    environments.map((environment) => [
      `${environment}-dashboards.yaml`,
      { groups: [queriesAsRuleGroup(environment, environmentQueries(objectsOf(environment)))] },
    ]),
  );
  const run = checkRuleFiles(files);
  for (const [name, content] of Object.entries(files)) {
    const queries = content.groups[0].rules.length;
    expect(queries).toBeGreaterThan(0);
    expect({ name, rulesFound: run.files.get(name)?.rulesFound }).toEqual({ name, rulesFound: queries });
  }
  expect(run.output).not.toMatch(/error|FAILED/i);
  expect(run.status).toBe(0);
});

test('the service contract the dashboards rely on is what the alert rules of dist/ already read', () => {
  for (const environment of environments) {
    const { read } = ruleFacts(objectsOf(environment));
    expect(SERVICE_CONTRACT_SERIES.filter((name) => name.endsWith('_sum') || read.has(name))).toEqual([
      ...SERVICE_CONTRACT_SERIES,
    ]);
  }
});

describe('metric names of a query', () => {
  test('are the selected series, without functions, labels, windows, keywords or numbers', () => {
    expect(
      metricNames(
        'sum by (namespace, service) (rate(http_requests_total{service="a",status=~"5.."}[5m]))\n' +
          '/ on (pod) group_left () max by (pod) (kube_pod_info{node="x"} == bool 1e-3) or vector(0)\n' +
          'and service:errors:ratio_rate5m unless histogram_quantile(0.99, rate(x_bucket{le=~`1(\\.0*)?`}[1h:5m]))',
      ),
    ).toEqual(['http_requests_total', 'kube_pod_info', 'service:errors:ratio_rate5m', 'x_bucket']);
  });

  test('refuse offset and @ rather than read them wrongly', () => {
    expect(() => metricNames('rate(x[5m] offset 1h)')).toThrow(/offset/);
  });
});

describe('the checks name a fault', () => {
  const environment = environments[0];
  const view = modelIn(model, environment);
  const [service] = view.services;
  /** The environment's objects with the dashboard ConfigMap of `name` changed by `edit` (its parsed JSON). */
  const withDashboard = (name: string, edit: (json: Record<string, unknown>) => void): DistObject[] =>
    objectsOf(environment).map((object) => {
      if (object.kind !== 'ConfigMap' || object.metadata?.name !== name) return object;
      const [key, text] = Object.entries(object.data ?? {})[0];
      const json = JSON.parse(text) as Record<string, unknown>;
      edit(json);
      return { ...object, data: { [key]: JSON.stringify(json) } };
    });
  type Panel = {
    targets?: { expr: string }[];
    fieldConfig: { defaults: { thresholds: { steps: { value: number | null }[] } } };
  };
  const panelsOf = (json: Record<string, unknown>) => json.panels as Panel[];
  const serviceDashboard = `grafana-dashboard-service-${service.name}`;

  test('the committed dist/ has none', () => {
    const problems = dashboardProblems(view, environment, objectsOf(environment));
    expect(Object.values(problems).flat()).toEqual([]);
  });

  test('a burn-rate line that is not the alert factor', () => {
    const objects = withDashboard(serviceDashboard, (json) => {
      const panel = panelsOf(json).find((p) =>
        p.targets?.some((t) => /ratio_rate1h\{/.test(t.expr) && t.expr.includes(' / ')),
      );
      if (!panel) throw new Error('no burn-rate panel of 1h');
      for (const step of panel.fieldConfig.defaults.thresholds.steps) if (step.value !== null) step.value += 1;
    });
    expect(dashboardProblems(view, environment, objects).slo).toEqual([
      expect.stringMatching(/burn rate 1h\/5m draws/),
    ]);
  });

  test('an SLI over another window than the model', () => {
    const objects = withDashboard(serviceDashboard, (json) => {
      for (const panel of panelsOf(json)) {
        for (const target of panel.targets ?? [])
          target.expr = target.expr.replace(`ratio_rate${service.slo.windowDays}d`, 'ratio_rate3d');
      }
    });
    expect(dashboardProblems(view, environment, objects).slo).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/no availability SLI panel/),
        expect.stringMatching(/no latency error budget panel/),
      ]),
    );
  });

  test('a series nobody produces, a Grafana variable, another service', () => {
    const objects = withDashboard(serviceDashboard, (json) => {
      const [, first] = panelsOf(json);
      first.targets = [
        { expr: 'sum(rate(http_requests_seconds_total[5m]))' },
        { expr: `rate(http_requests_total{service="other"}[$__rate_interval])` },
      ];
    });
    const problems = dashboardProblems(view, environment, objects);
    expect(problems.metrics).toEqual([expect.stringMatching(/reads http_requests_seconds_total/)]);
    expect(problems.plainPromql).toEqual([expect.stringMatching(/Grafana variable/)]);
    expect(problems.slo).toEqual(
      expect.arrayContaining([expect.stringMatching(/selects other/), expect.stringMatching(/reads every service/)]),
    );
  });

  test('a dashboard the sidecar does not load, and a ConfigMap too big to apply', () => {
    const objects = objectsOf(environment).map((object) =>
      object.kind === 'ConfigMap' && object.metadata?.name === serviceDashboard
        ? { ...object, metadata: { ...object.metadata, namespace: service.team } }
        : object.kind === 'ConfigMap' && object.metadata?.name === 'grafana-dashboard-platform-overview'
          ? {
              ...object,
              data: Object.fromEntries(Object.entries(object.data ?? {}).map(([k, v]) => [k, v.padEnd(300_000)])),
            }
          : object,
    );
    const problems = dashboardProblems(view, environment, objects);
    expect(problems.sidecar).toEqual([expect.stringMatching(/does not load it/)]);
    expect(problems.dashboards).toEqual([expect.stringMatching(/expected one per service/)]);
    expect(problems.sizes).toEqual([expect.stringMatching(/client-side apply records \d+ bytes/)]);
  });
});

describe('GrafanaDashboards', () => {
  const [template] = model.services;
  /** A catalog of `count` services with names as long as a DNS label allows, each with its own SLO window. */
  const catalog = (count: number): Service[] =>
    Array.from({ length: count }, (_, index) => ({
      ...template,
      name: `s${index}-`.padEnd(63, 'x'),
      slo: { ...template.slo, windowDays: 1 + (index % 31), availability: 99 + (index % 10) / 10 },
    }));

  test('a large catalog keeps every dashboard within what a client-side apply records', () => {
    const chart = new Chart(testCdk8sApp(), 'dashboards');
    new GrafanaDashboards(chart, 'dashboards', { services: catalog(300) });
    const sizes = chart.toJson().map((object) => Buffer.byteLength(JSON.stringify(object)));
    expect(sizes).toHaveLength(301);
    expect(Math.max(...sizes)).toBeLessThan(256 * 1024 - 1024);
  });

  test('a dashboard too large to apply is refused, naming it', () => {
    const chart = new Chart(testCdk8sApp(), 'dashboards');
    let error: unknown;
    try {
      new GrafanaDashboards(chart, 'dashboards', { services: catalog(2500) });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(
      /^the overview of all services: its ConfigMap grafana-dashboard-platform-overview takes \d+ bytes, more than the 258048/,
    );
  });

  test('render the same bytes twice', () => {
    const render = () => {
      const chart = new Chart(testCdk8sApp(), 'dashboards');
      new GrafanaDashboards(chart, 'dashboards', { services: model.services });
      return JSON.stringify(chart.toJson());
    };
    expect(render()).toBe(render());
  });
});
