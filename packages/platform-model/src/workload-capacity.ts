import type { Service } from './schema';

/**
 * Extra pods a rolling update starts before it stops old ones (the Deployment's `maxSurge`; it never goes
 * below the current count). The team quota must hold them.
 */
export const ROLLOUT_SURGE = 1;

const UNITS: Record<string, number> = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, '': 1 };
const QUANTITY = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti)?$/;

/**
 * The value of a quantity of the model's form (`250m`, `2`, `512Mi`, `2Gi`): cores or bytes.
 * Undefined for any other text (the schema refuses it).
 */
export function quantityValue(quantity: string): number | undefined {
  const match = QUANTITY.exec(quantity);
  return match ? Number(match[1]) * UNITS[match[2] ?? ''] : undefined;
}

/** What a team's services take at their peak: every service at `replicas.max` plus the rollout surge. */
export interface PeakUsage {
  readonly pods: number;
  /** Bytes of memory limits (the quota caps requests and limits of memory alike; limits are the larger). */
  readonly memory: number;
  /** Cores of CPU requests. */
  readonly cpu: number;
}

export function peakUsage(services: readonly Pick<Service, 'replicas' | 'resources'>[]): PeakUsage {
  const peak = (service: Pick<Service, 'replicas'>) => service.replicas.max + ROLLOUT_SURGE;
  const sum = (value: (service: Pick<Service, 'replicas' | 'resources'>) => number) =>
    services.reduce((total, service) => total + peak(service) * value(service), 0);
  return {
    pods: sum(() => 1),
    memory: sum((service) => quantityValue(service.resources.limits.memory) ?? 0),
    cpu: sum((service) => quantityValue(service.resources.requests.cpu) ?? 0),
  };
}
