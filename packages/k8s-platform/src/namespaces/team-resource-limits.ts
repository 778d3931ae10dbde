import type { Service, Team } from '@platform/model';
import { UserError } from '@platform/model';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ROLLOUT_SURGE } from '../services/service-deployment';

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
    checkQuotaFits(team, props.services);
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

/**
 * The quota must admit every service of the team at its maximum replicas plus the surge of a rolling update,
 * or autoscaling stalls silently, and a rollout at full scale waits forever for its surge pod.
 */
function checkQuotaFits(team: Team, services: readonly Service[]): void {
  const peak = (service: Service) => service.replicas.max + ROLLOUT_SURGE;
  const pods = services.reduce((sum, service) => sum + peak(service), 0);
  const memory = services.reduce(
    (sum, service) => sum + peak(service) * quantityValue(service.resources.limits.memory),
    0,
  );
  const cpu = services.reduce((sum, service) => sum + peak(service) * quantityValue(service.resources.requests.cpu), 0);
  const problems = [
    pods > team.quota.pods ? `pods ${team.quota.pods} < ${pods}` : undefined,
    memory > quantityValue(team.quota.memory) ? `memory ${team.quota.memory} < the services' memory limits` : undefined,
    cpu > quantityValue(team.quota.cpu) ? `cpu ${team.quota.cpu} < the services' CPU requests` : undefined,
  ].filter((problem) => problem !== undefined);
  if (problems.length > 0) {
    throw new UserError(
      `teams.${team.name}.quota is too small for its services at replicas.max plus ${ROLLOUT_SURGE} rollout surge pod each (${services.map((s) => s.name).join(', ')}): ${problems.join('; ')}`,
    );
  }
}

const UNITS: Record<string, number> = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, '': 1 };

/** The value of a quantity the model allows (`250m`, `2`, `512Mi`, `2Gi`). */
export function quantityValue(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti)?$/.exec(quantity);
  if (!match) throw new UserError(`'${quantity}' is not a quantity such as '250m', '1', '512Mi' or '2Gi'`);
  return Number(match[1]) * UNITS[match[2] ?? ''];
}
