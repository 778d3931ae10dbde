import { ALERTMANAGER_RECEIVERS_SECRET, AlertmanagerReceiversSecret, alertmanagerValues } from '@platform/k8s-platform';
import { ALERTMANAGER_RECEIVER_KEYS, EnvironmentNaming, loadPlatformModel, PLATFORM_NAMESPACES } from '@platform/model';
import { Chart } from 'cdk8s';
import { testCdk8sApp } from '../support/cdk8s-app';

interface Route {
  receiver: string;
  matchers?: string[];
  routes?: Route[];
}
// biome-ignore lint/suspicious/noExplicitAny: chart values are free-form
const values = alertmanagerValues() as any;
const config = values.config;

/** The receiver Alertmanager picks for an alert: the first matching child route, else the parent's. */
function receiverFor(labels: Record<string, string>, route: Route = config.route): string {
  const child = (route.routes ?? []).find((r) => (r.matchers ?? []).every((m) => matches(m, labels)));
  return child ? receiverFor(labels, child) : route.receiver;
}

function matches(matcher: string, labels: Record<string, string>): boolean {
  const [, name, op, value] = /^(\w+)(=~|!=|=)"(.*)"$/.exec(matcher) ?? [];
  const actual = labels[name] ?? '';
  if (op === '=~') return new RegExp(`^(?:${value})$`).test(actual);
  return op === '=' ? actual === value : actual !== value;
}

describe('Alertmanager values', () => {
  test('critical alerts page, warnings open tickets, Watchdog and info alerts go nowhere', () => {
    expect(receiverFor({ alertname: 'HighErrorRate', severity: 'critical' })).toBe('pager');
    expect(receiverFor({ alertname: 'HighLatencyP99', severity: 'warning' })).toBe('tickets');
    expect(receiverFor({ alertname: 'Watchdog', severity: 'none' })).toBe('null');
    expect(receiverFor({ alertname: 'InfoInhibitor', severity: 'none' })).toBe('null');
    expect(receiverFor({ alertname: 'CPUThrottlingHigh', severity: 'info' })).toBe('null');
    expect(receiverFor({ alertname: 'Unlabelled' })).toBe('tickets');
  });

  test('a critical alert inhibits warnings of the same alertname and namespace', () => {
    expect(config.inhibit_rules).toEqual([
      {
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity="warning"'],
        equal: ['alertname', 'namespace'],
      },
    ]);
  });

  test('every route and inhibition names a receiver that exists', () => {
    const receivers = config.receivers.map((r: { name: string }) => r.name);
    const walk = (route: Route): string[] => [route.receiver, ...(route.routes ?? []).flatMap(walk)];
    for (const receiver of walk(config.route)) expect(receivers).toContain(receiver);
  });

  test('receivers read their credentials from the mounted Secret, so no credential is in the values', () => {
    const [volume] = values.alertmanagerSpec.volumes;
    const [mount] = values.alertmanagerSpec.volumeMounts;
    expect(volume).toEqual({ name: mount.name, secret: { secretName: ALERTMANAGER_RECEIVERS_SECRET, optional: true } });
    const pager = config.receivers.find((r: { name: string }) => r.name === 'pager');
    const tickets = config.receivers.find((r: { name: string }) => r.name === 'tickets');
    expect(pager.pagerduty_configs).toEqual([
      { routing_key_file: `${mount.mountPath}/${ALERTMANAGER_RECEIVER_KEYS.pagerDutyRoutingKey}` },
    ]);
    expect(tickets.webhook_configs).toEqual([
      { url_file: `${mount.mountPath}/${ALERTMANAGER_RECEIVER_KEYS.ticketWebhookUrl}`, send_resolved: true },
    ]);
    expect(JSON.stringify(values)).not.toMatch(/"(routing_key|service_key|url|api_url)":/);
  });

  test.each(loadPlatformModel().environments.map((e) => [e.name, e] as const))(
    'AlertmanagerReceiversSecret fills that Secret in %s from the Secrets Manager secret of the naming contract',
    (env, environment) => {
      const chart = new Chart(testCdk8sApp(), 'test');
      new AlertmanagerReceiversSecret(chart, 'receivers', {
        naming: new EnvironmentNaming(loadPlatformModel().organization, environment),
      });
      const [secret] = chart.toJson();
      expect(secret.kind).toBe('ExternalSecret');
      expect(secret.metadata).toEqual({
        name: ALERTMANAGER_RECEIVERS_SECRET,
        namespace: PLATFORM_NAMESPACES.monitoring,
      });
      expect(secret.spec.target.name).toBe(ALERTMANAGER_RECEIVERS_SECRET);
      expect(secret.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'aws-secrets-manager' });
      expect(secret.spec.data).toEqual([
        {
          secretKey: 'pagerduty-routing-key',
          remoteRef: { key: `acme/${env}/monitoring/alertmanager-receivers`, property: 'pagerduty-routing-key' },
        },
        {
          secretKey: 'ticket-webhook-url',
          remoteRef: { key: `acme/${env}/monitoring/alertmanager-receivers`, property: 'ticket-webhook-url' },
        },
      ]);
    },
  );
});
