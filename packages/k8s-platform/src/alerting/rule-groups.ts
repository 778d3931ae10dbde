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
