/**
 * Every alert path ends at a receiver that can deliver, to the places the model names: for the shipped model
 * (read from dist/, what Argo CD syncs) and for other valid models (rendered in memory). Expectations come from
 * the model's fields, not from the code that turns them into values.
 */
import { loadModel, loadPlatformModel, type PlatformModel } from '@platform/model';
import { renderModel } from '../k8s/support/rendered';
import {
  AlertmanagerSetup,
  allRoutes,
  type Delivery,
  durationSeconds,
  type Labels,
  matches,
  routeAlert,
} from './support/alertmanager-config';
import { readDistEnvironment } from './support/dist-manifests';

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML has no static shape
type Json = Record<string, any>;
type ModelEnvironment = PlatformModel['environments'][number];

/** The Secrets Manager name of a model path: the environment's prefix `<org>/<env>/` and the path. */
const secretOf = (model: PlatformModel, environment: ModelEnvironment, path: string) =>
  `${model.organization.name}/${environment.name}/${path}`;

/** Where each kind of alert must go, from the model alone. */
function expectedDeliveries(model: PlatformModel, environment: ModelEnvironment) {
  const { pagerDuty, ticketWebhook, deadMansSwitch } = environment.alerting.receivers;
  const tickets: Delivery[] = [
    { integration: 'webhook_configs', secretName: secretOf(model, environment, ticketWebhook.urlSecret) },
  ];
  return {
    critical: pagerDuty
      ? [{ integration: 'pagerduty_configs', secretName: secretOf(model, environment, pagerDuty.routingKeySecret) }]
      : tickets,
    tickets,
    heartbeat: [{ integration: 'webhook_configs', secretName: secretOf(model, environment, deadMansSwitch.urlSecret) }],
  };
}

/**
 * Alerts to route: every alert rule the platform ships in dist/<env>/alerting, and one per severity that
 * kube-prometheus-stack 88.0.0's own rules use (templates/prometheus/rules-1.14: critical, warning, info; `none`
 * only for Watchdog and InfoInhibitor of general.rules.yaml), plus an alert without severity.
 */
function probeAlerts(objects: readonly Json[]): { labels: Labels; severity: string }[] {
  const own = objects
    .filter((o) => o.kind === 'PrometheusRule')
    .flatMap((rule) => (rule.spec.groups as Json[]).flatMap((g) => g.rules as Json[]))
    .filter((rule) => rule.alert)
    .map((rule) => ({
      // Routes tell alerts apart by severity, never by namespace: any team's namespace stands for all.
      labels: { alertname: rule.alert, namespace: 'team-a', ...rule.labels },
      severity: rule.labels?.severity ?? '',
    }));
  const chart = ['critical', 'warning', 'info'].map((severity) => ({
    labels: { alertname: `KubePrometheusStack${severity}`, namespace: 'kube-system', severity },
    severity,
  }));
  return [...own, ...chart, { labels: { alertname: 'NoSeverity', namespace: 'monitoring' }, severity: '' }];
}

interface Case {
  readonly model: PlatformModel;
  readonly environment: ModelEnvironment;
  readonly setup: AlertmanagerSetup;
  readonly objects: readonly Json[];
}

function casesOf(model: PlatformModel, objectsOf: (environment: string) => Json[]): Case[] {
  return model.environments.map((environment) => {
    const objects = objectsOf(environment.name);
    const application = objects.find((o) => o.kind === 'Application' && o.metadata.name === 'kube-prometheus-stack');
    if (!application) throw new Error(`dist/${environment.name} has no kube-prometheus-stack Application`);
    return { model, environment, objects, setup: new AlertmanagerSetup(application, objects) };
  });
}

/** The shipped model as dist/ holds it, and variants that page everywhere or nowhere, with other secret names. */
function allCases(): [string, Case][] {
  const shipped = loadPlatformModel();
  const variant = (change: (environment: ModelEnvironment) => void) => {
    const model = structuredClone(shipped);
    for (const environment of model.environments) change(environment);
    return loadModel(model);
  };
  const everywhere = variant((e) => {
    e.alerting.receivers = {
      pagerDuty: { routingKeySecret: 'oncall/pagerduty' },
      ticketWebhook: { urlSecret: 'oncall/jira-webhook' },
      deadMansSwitch: { urlSecret: 'oncall/heartbeat' },
    };
  });
  const nowhere = variant((e) => {
    e.alerting.receivers = {
      ticketWebhook: { urlSecret: 'alerts/tickets' },
      deadMansSwitch: { urlSecret: 'alerts/watchdog' },
    };
  });
  const rendered = (model: PlatformModel) => {
    const files = renderModel(model);
    return (environment: string) => files.filter((f) => f.environment === environment).map((f) => f.object);
  };
  return [
    ...casesOf(shipped, (env) => readDistEnvironment(env).map((m) => m.object as Json)).map(
      (c) => [`dist/${c.environment.name} (shipped model)`, c] as [string, Case],
    ),
    ...casesOf(everywhere, rendered(everywhere)).map((c) => [`${c.environment.name}, paging`, c] as [string, Case]),
    ...casesOf(nowhere, rendered(nowhere)).map((c) => [`${c.environment.name}, no pager`, c] as [string, Case]),
  ];
}

const CASES = allCases();

/** An always-on inhibition: its source is Watchdog (which always fires) and it compares no labels. */
function alwaysInhibited(setup: AlertmanagerSetup, routeMatchers: readonly string[]): boolean {
  const watchdog = { alertname: 'Watchdog', severity: 'none' };
  return ((setup.config.inhibit_rules ?? []) as Json[]).some(
    (rule) =>
      (rule.equal ?? []).length === 0 &&
      (rule.source_matchers ?? []).every((m: string) => matches(m, watchdog)) &&
      (rule.target_matchers ?? []).length > 0 &&
      (rule.target_matchers as string[]).every((m) => routeMatchers.includes(m)),
  );
}

describe.each(CASES)('Alertmanager of %s', (_, { model, environment, setup, objects }) => {
  const expected = expectedDeliveries(model, environment);
  const deliveriesOf = (labels: Labels) =>
    routeAlert(setup.config.route, labels).map((r) => setup.deliveries(r.receiver));

  test('every alert the platform or the chart raises reaches the receiver the model names for its severity', () => {
    for (const { labels, severity } of probeAlerts(objects)) {
      const want = severity === 'critical' ? expected.critical : expected.tickets;
      expect({ alert: labels.alertname, severity, deliveries: deliveriesOf(labels) }).toEqual({
        alert: labels.alertname,
        severity,
        deliveries: [want],
      });
    }
  });

  test("Watchdog reaches the dead man's switch, about once a minute", () => {
    const [route, ...more] = routeAlert(setup.config.route, { alertname: 'Watchdog', severity: 'none' });
    expect(more).toEqual([]);
    expect(setup.deliveries(route.receiver)).toEqual(expected.heartbeat);
    const seconds = (d?: string) => durationSeconds(d ?? '');
    expect(seconds(route.repeatInterval)).toBeLessThanOrEqual(120);
    expect(seconds(route.groupInterval)).toBeLessThanOrEqual(seconds(route.repeatInterval));
    expect(seconds(route.groupWait)).toBeLessThanOrEqual(30);
  });

  test('a route ends at a receiver without integration only for noise that is always inhibited', () => {
    for (const route of allRoutes(setup.config.route)) {
      if (setup.deliveries(route.receiver).length > 0) continue;
      expect({ matchers: route.matchers, alwaysInhibited: alwaysInhibited(setup, route.matchers) }).toEqual({
        matchers: route.matchers,
        alwaysInhibited: true,
      });
    }
    // InfoInhibitor, the chart's only such alert, is one of them; and the default route delivers.
    const [infoInhibitor] = routeAlert(setup.config.route, { alertname: 'InfoInhibitor', severity: 'none' });
    expect(alwaysInhibited(setup, infoInhibitor.matchers)).toBe(true);
    expect(setup.deliveries(setup.config.route.receiver)).toEqual(expected.tickets);
  });

  test('every receiver is used, and every credential file comes from one of the receivers the model names', () => {
    const used = new Set(allRoutes(setup.config.route).map((r) => r.receiver));
    expect(setup.receiverNames.filter((name) => !used.has(name))).toEqual([]);
    const all = setup.receiverNames.flatMap((name) => setup.deliveries(name).map((d) => d.secretName));
    const named = [...expected.critical, ...expected.tickets, ...expected.heartbeat].map((d) => d.secretName);
    expect([...new Set(all)].sort()).toEqual([...new Set(named)].sort());
  });

  test('every ExternalSecret of the receivers is mounted, and no value in the chart values is a credential', () => {
    const mounted = new Set(setup.receiverNames.flatMap((name) => setup.deliveries(name).map((d) => d.secretName)));
    const receiverSecrets = objects.filter(
      (o) => o.kind === 'ExternalSecret' && o.metadata.namespace === setup.namespace,
    );
    for (const external of receiverSecrets) {
      for (const data of external.spec.data as Json[]) expect(mounted).toContain(data.remoteRef.key);
    }
    expect(JSON.stringify(setup.values)).not.toMatch(/"(routing_key|service_key|url|api_url|password|token)":/);
  });
});

describe('the reader of the Alertmanager configuration', () => {
  const [, { setup }] = CASES[0];

  test('fails on what it cannot judge instead of passing it', () => {
    expect(() => routeAlert({ receiver: 'x', routes: [{ receiver: 'y', match: {} } as never] }, {})).toThrow(
      /not understood/,
    );
    expect(() => setup.secretOfFile('/nowhere/file')).toThrow(/no volume is mounted/);
    expect(() => durationSeconds('1 minute')).toThrow(/bad duration/);
  });

  test('follows Alertmanager: first matching child wins unless it continues; regexes are anchored', () => {
    const root = {
      receiver: 'default',
      routes: [
        { receiver: 'a', matchers: ['severity=~"crit"'] },
        { receiver: 'b', matchers: ['severity="critical"'], continue: true },
        { receiver: 'c', matchers: ['team!="x"'] },
      ],
    };
    expect(routeAlert(root, { severity: 'critical' }).map((r) => r.receiver)).toEqual(['b', 'c']);
    expect(routeAlert(root, { severity: 'crit', team: 'x' }).map((r) => r.receiver)).toEqual(['a']);
    expect(routeAlert(root, { team: 'x' }).map((r) => r.receiver)).toEqual(['default']);
  });
});
