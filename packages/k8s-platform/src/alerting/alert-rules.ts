import { PLATFORM_NAMESPACES, type RunbookLocation, type Service } from '@platform/model';
import { Construct } from 'constructs';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../imports/prometheus-rule-monitoring.coreos.com';
import { platformAlertGroup } from './platform-alerts';
import { isAlertingRule, type RuleGroup } from './rule-groups';
import { sloRuleGroup } from './slo-alerts';

export interface AlertRulesProps {
  /** Services of the catalog; each gets the recording and burn-rate rules of its SLOs. */
  readonly services: readonly Service[];
  /** Where the runbooks the alerts link to are published. */
  readonly runbooks: RunbookLocation;
  /**
   * Namespace of the PrometheusRule objects; the kube-prometheus-stack Prometheus selects every one.
   * @default PLATFORM_NAMESPACES.monitoring
   */
  readonly namespace?: string;
  /**
   * Further rule groups of the environment (the backup alerts, `backupAlertGroup`; the add-ons', `addonAlertGroups`),
   * each one PrometheusRule.
   * @default none
   */
  readonly additionalGroups?: readonly RuleGroup[];
}

/** The platform alerts and every service's SLO rules, one PrometheusRule per rule group. */
export class AlertRules extends Construct {
  /** The rule groups, as written into the PrometheusRules. */
  public readonly groups: readonly RuleGroup[];

  public constructor(scope: Construct, id: string, props: AlertRulesProps) {
    super(scope, id);
    this.groups = [
      platformAlertGroup(props.runbooks),
      ...props.services.map((s) => sloRuleGroup(s, props.runbooks)),
      ...(props.additionalGroups ?? []),
    ];
    for (const group of this.groups) {
      new PrometheusRule(this, group.name, {
        metadata: {
          name: group.name,
          namespace: props.namespace ?? PLATFORM_NAMESPACES.monitoring,
          labels: { 'app.kubernetes.io/part-of': 'platform', 'app.kubernetes.io/component': 'alerting' },
        },
        spec: { groups: [{ name: group.name, rules: group.rules.map(toPrometheusRule) }] },
      });
    }
  }
}

function toPrometheusRule(rule: RuleGroup['rules'][number]) {
  const expr = PrometheusRuleSpecGroupsRulesExpr.fromString(rule.expr);
  if (!isAlertingRule(rule)) return { record: rule.record, expr, ...(rule.labels && { labels: { ...rule.labels } }) };
  return {
    alert: rule.alert,
    expr,
    ...(rule.for && { for: rule.for }),
    labels: { ...rule.labels },
    annotations: { ...rule.annotations },
  };
}
