import { ModelValidationError, type Service, type Team, teamQuotaIssues } from '@platform/model';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';

export interface TeamResourceLimitsProps {
  readonly team: Team;
  /** The team's services; the quota must hold all of them at their maximum replicas, mid-rollout. */
  readonly services: readonly Service[];
  /** Labels of the quota and the limit range. */
  readonly labels: Record<string, string>;
}

/**
 * A ResourceQuota and a LimitRange sized from the team's quota in the model. Containers that name no
 * resources get small defaults, so a quota on memory limits never blocks a pod for leaving them out.
 */
export class TeamResourceLimits extends Construct {
  public constructor(scope: Construct, id: string, props: TeamResourceLimitsProps) {
    super(scope, id);
    const { team, labels } = props;
    // The validator's rule, asserted where the quota is written.
    const issues = teamQuotaIssues(team, props.services);
    if (issues.length > 0) throw new ModelValidationError(issues);
    new k8s.KubeResourceQuota(this, 'Quota', {
      metadata: { name: 'team-quota', namespace: team.name, labels },
      spec: {
        hard: {
          'requests.cpu': k8s.Quantity.fromString(team.quota.cpu),
          'requests.memory': k8s.Quantity.fromString(team.quota.memory),
          'limits.memory': k8s.Quantity.fromString(team.quota.memory),
          pods: k8s.Quantity.fromNumber(team.quota.pods),
        },
      },
    });
    new k8s.KubeLimitRange(this, 'Limits', {
      metadata: { name: 'container-defaults', namespace: team.name, labels },
      spec: {
        limits: [
          {
            type: 'Container',
            defaultRequest: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('128Mi') },
            default: { memory: k8s.Quantity.fromString('256Mi') },
            max: { cpu: k8s.Quantity.fromString(team.quota.cpu), memory: k8s.Quantity.fromString(team.quota.memory) },
          },
        ],
      },
    });
  }
}
