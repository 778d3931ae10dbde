import type { AlertReceiver, Environment } from '@platform/model';
import { RECEIVER_CREDENTIALS, RECEIVER_CREDENTIALS_DIR, receiverCredentialFile } from './receiver-credentials';

/** Names of Alertmanager's receivers. */
export const ALERTMANAGER_RECEIVERS = {
  pager: 'pager',
  tickets: 'tickets',
  deadMansSwitch: 'dead-mans-switch',
  /** No integration: only for InfoInhibitor, which the inhibit rules keep silent anyway. */
  none: 'null',
} as const;

/**
 * How often the always-firing Watchdog alert reaches the dead man's switch: Alertmanager re-sends an unchanged
 * group once `repeat_interval` has passed, checking every `group_interval`, so a call comes every 1 to 1.5 minutes.
 * Set the service to alert after 5 minutes without a call.
 */
export const HEARTBEAT = { groupInterval: '30s', repeatInterval: '1m', alertAfterMinutes: 5 } as const;

/**
 * Alertmanager settings for the kube-prometheus-stack chart's values (`alertmanager:` key) of one environment,
 * from its `alerting.receivers`:
 * - Watchdog (kube-prometheus-stack's always-firing alert) goes to the dead man's switch every minute or so, so an
 *   outside service notices when Prometheus, Alertmanager or the path between them stops;
 * - critical alerts page (or open tickets where the model configures no pager), warnings and info alerts open tickets;
 * - the chart's InfoInhibitor alert (its rules, `general.rules`) mutes a namespace's `info` alerts unless a warning
 *   or critical alert fires there; a critical or warning alert mutes the lesser alerts of the same name and namespace;
 *   InfoInhibitor itself is muted by Watchdog and goes to the receiver without integration, as the chart's rule asks.
 * Every credential is a file mounted from the Secrets External Secrets fills (`AlertmanagerReceiverSecrets`); the
 * values hold none. Helm merges these maps into the chart's defaults and replaces its lists (routes, receivers,
 * inhibit rules).
 */
export function alertmanagerValues(environment: Environment): Record<string, unknown> {
  const { receivers } = environment.alerting;
  const configured = (Object.keys(RECEIVER_CREDENTIALS) as AlertReceiver[]).filter(
    (receiver) => receivers[receiver] !== undefined,
  );
  const critical = receivers.pagerDuty ? ALERTMANAGER_RECEIVERS.pager : ALERTMANAGER_RECEIVERS.tickets;
  return {
    alertmanagerSpec: {
      // Each source optional, so Alertmanager starts (and shows alerts) before the credentials exist, and a missing
      // one silences only its own receiver; receivers read their file when they send.
      volumes: [
        {
          name: 'receivers',
          projected: {
            sources: configured.map((receiver) => ({
              secret: {
                name: RECEIVER_CREDENTIALS[receiver].secretName,
                optional: true,
                items: [{ key: RECEIVER_CREDENTIALS[receiver].key, path: RECEIVER_CREDENTIALS[receiver].file }],
              },
            })),
          },
        },
      ],
      volumeMounts: [{ name: 'receivers', mountPath: RECEIVER_CREDENTIALS_DIR, readOnly: true }],
    },
    config: {
      route: {
        receiver: ALERTMANAGER_RECEIVERS.tickets,
        group_by: ['alertname', 'namespace', 'service'],
        group_wait: '30s',
        group_interval: '5m',
        repeat_interval: '4h',
        routes: [
          {
            receiver: ALERTMANAGER_RECEIVERS.deadMansSwitch,
            matchers: ['alertname="Watchdog"'],
            group_wait: '0s',
            group_interval: HEARTBEAT.groupInterval,
            repeat_interval: HEARTBEAT.repeatInterval,
          },
          { receiver: ALERTMANAGER_RECEIVERS.none, matchers: ['alertname="InfoInhibitor"'] },
          { receiver: critical, matchers: ['severity="critical"'], repeat_interval: '1h' },
          { receiver: ALERTMANAGER_RECEIVERS.tickets, matchers: ['severity=~"warning|info"'], repeat_interval: '12h' },
        ],
      },
      inhibit_rules: [
        {
          source_matchers: ['severity="critical"'],
          target_matchers: ['severity=~"warning|info"'],
          equal: ['alertname', 'namespace'],
        },
        {
          source_matchers: ['severity="warning"'],
          target_matchers: ['severity="info"'],
          equal: ['alertname', 'namespace'],
        },
        { source_matchers: ['alertname="InfoInhibitor"'], target_matchers: ['severity="info"'], equal: ['namespace'] },
        { source_matchers: ['alertname="Watchdog"'], target_matchers: ['alertname="InfoInhibitor"'] },
      ],
      receivers: [
        { name: ALERTMANAGER_RECEIVERS.none },
        ...(receivers.pagerDuty
          ? [
              {
                name: ALERTMANAGER_RECEIVERS.pager,
                pagerduty_configs: [{ routing_key_file: receiverCredentialFile('pagerDuty'), send_resolved: true }],
              },
            ]
          : []),
        {
          name: ALERTMANAGER_RECEIVERS.tickets,
          webhook_configs: [{ url_file: receiverCredentialFile('ticketWebhook'), send_resolved: true }],
        },
        {
          name: ALERTMANAGER_RECEIVERS.deadMansSwitch,
          // A heartbeat: only its arrival counts, a "resolved" call would mean nothing.
          webhook_configs: [{ url_file: receiverCredentialFile('deadMansSwitch'), send_resolved: false }],
        },
      ],
    },
  };
}
