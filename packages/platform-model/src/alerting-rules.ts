import { IssueList, type ModelIssue } from './model-issue';
import { type ModelParts, pick } from './model-parts';
import { ALERT_RECEIVERS, CONNECTION_PARAMETERS, type DataStore, EnvironmentNaming } from './naming';
import type { Environment, Organization } from './schema';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const HTTPS_URL = /^https:\/\/[^\s/?#@]+(\/[^\s]*)?$/;
/** Secrets Manager's limit on a secret name, and the suffix it advises against (its ARNs end in '-' and 6 characters). */
const SECRET_NAME_MAX = 512;
const ARN_LIKE_SUFFIX = /-[A-Za-z0-9]{6}$/;

/** Each environment's alarm subscribers and the secrets of its alert receivers. */
export function alertingIssues(parts: ModelParts): ModelIssue[] {
  return parts.environments.flatMap((part) => {
    const alerting = pick(part, 'alerting')?.alerting;
    if (!alerting) return [];
    const list = new IssueList(`environments.${part.label}.alerting`);

    const seen = new Set<string>();
    alerting.alarmSubscriptions.forEach(({ protocol, endpoint }, index) => {
      const at = `alarmSubscriptions.${index}.endpoint`;
      if (protocol === 'email' && !EMAIL.test(endpoint)) {
        list.add(at, `'${endpoint}' is not an e-mail address such as oncall@example.com`);
      }
      if (protocol === 'https' && !HTTPS_URL.test(endpoint)) {
        list.add(
          at,
          `'${endpoint}' is not an https:// URL without user or password (a credential belongs in no model field)`,
        );
      }
      if (seen.has(`${protocol} ${endpoint}`)) list.add(at, `'${endpoint}' is subscribed more than once`);
      seen.add(`${protocol} ${endpoint}`);
    });

    // Each receiver's secret must be its own: another receiver's, or a secret the contract derives for something
    // else, would hand Alertmanager the wrong value (or the AWS half would create the name twice).
    const organization = pick(parts.organization, 'name');
    const environment = pick(part, 'name', 'alerting');
    if (!organization || !environment) return list.issues;
    // The secret names read the organization's and environment's names and the receivers alone.
    const naming = new EnvironmentNaming(organization as Organization, environment as Environment);
    const taken = new Map<string, string>([[naming.gitopsRepositorySecretName, 'the Argo CD repository credentials']]);
    for (const service of parts.services) {
      for (const store of Object.keys(CONNECTION_PARAMETERS) as DataStore[]) {
        taken.set(naming.credentialsSecretName(service.label, store), `the ${store} credentials of ${service.label}`);
      }
    }
    for (const { receiver, secretName } of naming.alertReceiverSecrets) {
      const at = `receivers.${receiver}.${ALERT_RECEIVERS[receiver].field}`;
      const owner = taken.get(secretName);
      if (owner) list.add(at, `'${secretName}' is already ${owner}; give each receiver a secret of its own`);
      taken.set(secretName, `the secret of the ${receiver} receiver`);
      if (secretName.length > SECRET_NAME_MAX) {
        list.add(at, `'${secretName}' is longer than Secrets Manager's ${SECRET_NAME_MAX} characters`);
      }
      if (ARN_LIKE_SUFFIX.test(secretName)) {
        list.add(
          at,
          `'${secretName}' ends in '-' and 6 characters, which Secrets Manager confuses with the suffix of its ARNs; rename it`,
        );
      }
    }
    return list.issues;
  });
}
