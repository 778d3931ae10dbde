/** Kubernetes Secret (in the monitoring namespace) holding the receivers' credentials as files, never in Git. */
export const ALERTMANAGER_RECEIVERS_SECRET = 'alertmanager-receivers';

/** Keys of that Secret. */
export const ALERTMANAGER_RECEIVER_KEYS = {
  pagerDutyRoutingKey: 'pagerduty-routing-key',
  ticketWebhookUrl: 'ticket-webhook-url',
} as const;

// kube-prometheus-stack mounts each Secret of `alertmanagerSpec.secrets` at this path.
const secretFile = (key: string) => `/etc/alertmanager/secrets/${ALERTMANAGER_RECEIVERS_SECRET}/${key}`;

/**
 * Alertmanager settings for the kube-prometheus-stack chart's values (`alertmanager:` key): critical
 * alerts page, warnings open tickets, and a warning is held back while a critical alert of the same
 * name fires in the same namespace.
 */
export function alertmanagerValues(): Record<string, unknown> {
  return {
    alertmanagerSpec: { secrets: [ALERTMANAGER_RECEIVERS_SECRET] },
    config: {
      route: {
        receiver: 'tickets',
        group_by: ['alertname', 'namespace', 'service'],
        group_wait: '30s',
        group_interval: '5m',
        repeat_interval: '4h',
        routes: [
          // The chart's always-firing Watchdog and InfoInhibitor alerts prove the pipeline; they open nothing.
          { receiver: 'null', matchers: ['alertname=~"Watchdog|InfoInhibitor"'] },
          { receiver: 'pager', matchers: ['severity="critical"'], repeat_interval: '1h' },
          { receiver: 'tickets', matchers: ['severity="warning"'], repeat_interval: '12h' },
        ],
      },
      inhibit_rules: [
        {
          source_matchers: ['severity="critical"'],
          target_matchers: ['severity="warning"'],
          equal: ['alertname', 'namespace'],
        },
      ],
      receivers: [
        { name: 'null' },
        {
          name: 'pager',
          pagerduty_configs: [{ routing_key_file: secretFile(ALERTMANAGER_RECEIVER_KEYS.pagerDutyRoutingKey) }],
        },
        {
          name: 'tickets',
          webhook_configs: [{ url_file: secretFile(ALERTMANAGER_RECEIVER_KEYS.ticketWebhookUrl), send_resolved: true }],
        },
      ],
    },
  };
}
