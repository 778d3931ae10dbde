import type { Service } from './schema';

/**
 * Extra pods a rolling update starts before it stops old ones (the Deployment's `maxSurge`; it never goes
 * below the current count). The team quota must hold them.
 */
export const ROLLOUT_SURGE = 1;

const UNITS: Record<string, number> = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, '': 1 };
const QUANTITY = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti)?$/;

/** The unit a resource is counted in, as a whole number: millicores of CPU, bytes of memory. */
const COUNTING_UNIT = { cpu: 1e-3, memory: 1 } as const;
export type Resource = keyof typeof COUNTING_UNIT;

/**
 * A quantity of the model's form (`250m`, `2`, `1.5`, `512Mi`, `0.5Gi`) as a whole number of the resource's
 * counting unit, rounded up: millicores for CPU, bytes for memory (the precision the scheduler counts in).
 * Computed from the decimal digits, so sums and comparisons are exact: with binary fractions 3 × `9m` would
 * exceed `27m`. Undefined for any other text (the schema refuses it).
 */
export function quantityUnits(quantity: string, resource: Resource): number | undefined {
  const match = QUANTITY.exec(quantity);
  if (!match) return undefined;
  const [whole, fraction = ''] = match[1].split('.');
  const suffix = match[2] ?? '';
  // value = digits / 10^decimals × suffix, in counting units: digits × (suffix / unit) / 10^decimals, where
  // suffix / unit is a whole number or (for `m` of memory) 1/1000.
  const digits = Number(`${whole}${fraction}`);
  const perUnit =
    suffix === 'm' ? (resource === 'cpu' ? 1 : 1e-3) : Math.round(UNITS[suffix] / COUNTING_UNIT[resource]);
  const scaled = perUnit >= 1 ? digits * perUnit : digits / 1000;
  return Math.ceil(scaled / 10 ** fraction.length);
}

/** The value of a quantity in cores (CPU) or bytes (memory), from its exact count (see {@link quantityUnits}). */
export function quantityValue(quantity: string, resource: Resource): number | undefined {
  const units = quantityUnits(quantity, resource);
  return units === undefined ? undefined : units * COUNTING_UNIT[resource];
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
  // Summed in whole counting units, then converted once, so a quota that fits exactly compares equal.
  return {
    pods: sum(() => 1),
    memory: sum((service) => quantityUnits(service.resources.limits.memory, 'memory') ?? 0),
    cpu: sum((service) => quantityUnits(service.resources.requests.cpu, 'cpu') ?? 0) * COUNTING_UNIT.cpu,
  };
}
