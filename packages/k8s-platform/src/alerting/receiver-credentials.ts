import type { AlertReceiver } from '@platform/model';

/** Folder Alertmanager reads the receivers' credentials from, one file each. */
export const RECEIVER_CREDENTIALS_DIR = '/etc/alertmanager/receivers';

/** Where one receiver's credential travels inside the cluster. */
export interface ReceiverCredential {
  /** Kubernetes Secret in Alertmanager's namespace that External Secrets fills from the receiver's Secrets Manager secret. */
  readonly secretName: string;
  /** Key of that Secret holding the bare value. */
  readonly key: string;
  /** File below `RECEIVER_CREDENTIALS_DIR` that Alertmanager's `*_file` setting names. */
  readonly file: string;
}

/**
 * One Kubernetes Secret per receiver, so a credential the on-call team has not set yet keeps only its own
 * receiver from sending: External Secrets fails an ExternalSecret whole when one of its remote values is missing.
 */
export const RECEIVER_CREDENTIALS: Readonly<Record<AlertReceiver, ReceiverCredential>> = {
  pagerDuty: { secretName: 'alertmanager-pagerduty', key: 'routing-key', file: 'pagerduty-routing-key' },
  ticketWebhook: { secretName: 'alertmanager-ticket-webhook', key: 'url', file: 'ticket-webhook-url' },
  deadMansSwitch: { secretName: 'alertmanager-dead-mans-switch', key: 'url', file: 'dead-mans-switch-url' },
};

/** Path of the file Alertmanager reads a receiver's credential from. */
export function receiverCredentialFile(receiver: AlertReceiver): string {
  return `${RECEIVER_CREDENTIALS_DIR}/${RECEIVER_CREDENTIALS[receiver].file}`;
}
