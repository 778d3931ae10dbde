import { ALERTMANAGER_RECEIVER_KEYS } from '@platform/model';

/** Kubernetes Secret (in the monitoring namespace) holding the receivers' credentials as files, never in Git. */
export const ALERTMANAGER_RECEIVERS_SECRET = 'alertmanager-receivers';

const RECEIVERS_DIR = '/etc/alertmanager/receivers';
const receiverFile = (key: string) => `${RECEIVERS_DIR}/${key}`;

/**
 * Alertmanager settings for the kube-prometheus-stack chart's values (`alertmanager:` key): critical
 * alerts page, warnings open tickets, and a warning is held back while a critical alert of the same
 * name fires in the same namespace.
 */
export function alertmanagerValues(): Record<string, unknown> {
  return {
    alertmanagerSpec: {
      // Optional, so Alertmanager starts (and shows alerts) before the credentials exist; receivers read the
      // files when they send.
      volumes: [{ name: 'receivers', secret: { secretName: ALERTMANAGER_RECEIVERS_SECRET, optional: true } }],
      volumeMounts: [{ name: 'receivers', mountPath: RECEIVERS_DIR, readOnly: true }],
    },
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
          // The chart's own rules grade hints (CPU throttling, quotas filling up) `info`: visible in Alertmanager,
          // never a ticket. These values replace the chart's inhibit rules, which would otherwise mute them.
          { receiver: 'null', matchers: ['severity="info"'] },
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
          pagerduty_configs: [{ routing_key_file: receiverFile(ALERTMANAGER_RECEIVER_KEYS.pagerDutyRoutingKey) }],
        },
        {
          name: 'tickets',
          webhook_configs: [
            { url_file: receiverFile(ALERTMANAGER_RECEIVER_KEYS.ticketWebhookUrl), send_resolved: true },
          ],
        },
      ],
    },
  };
}
