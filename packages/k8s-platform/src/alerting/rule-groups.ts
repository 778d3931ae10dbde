/** Prometheus rule groups as flat data, in the shape of a rule file and of a PrometheusRule's `spec.groups`. */

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export type AlertSeverity = 'critical' | 'warning';

export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  /** How long the condition must hold before the alert fires; unset fires at once. */
  readonly for?: string;
  readonly labels: Readonly<{ severity: AlertSeverity } & Record<string, string>>;
  readonly annotations: Readonly<{ summary: string; description: string; runbook_url: string }>;
}

export type Rule = RecordingRule | AlertingRule;

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly Rule[];
}

export function isAlertingRule(rule: Rule): rule is AlertingRule {
  return 'alert' in rule;
}

/** Where an alert's runbook is published: `docs/runbooks/<alert>.md` of the GitOps repository. */
export interface RunbookLocation {
  /** Browsable URL of the repository, e.g. `https://github.com/acme/platform`. */
  readonly repositoryUrl: string;
  /** Branch or tag whose docs are linked. */
  readonly revision: string;
}

/** Path of an alert's runbook inside the repository. */
export function runbookPath(alert: string): string {
  return `docs/runbooks/${alert}.md`;
}

export function runbookUrl(location: RunbookLocation, alert: string): string {
  return `${location.repositoryUrl}/blob/${location.revision}/${runbookPath(alert)}`;
}

/** The browsable https URL of a Git remote: `git@host:owner/repo.git` and `https://host/owner/repo.git` alike. */
export function browsableRepositoryUrl(remote: string): string {
  const scp = /^git@([^:]+):(.+?)(\.git)?$/.exec(remote);
  if (scp) return `https://${scp[1]}/${scp[2]}`;
  const url = new URL(remote.replace(/^ssh:\/\/git@/, 'https://'));
  return `https://${url.hostname}${url.pathname.replace(/\.git$/, '').replace(/\/$/, '')}`;
}
