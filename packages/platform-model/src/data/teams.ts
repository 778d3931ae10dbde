import type { Team } from '../schema';

/** Teams own services; each team gets a namespace with this quota in every environment. */
export const teams: Team[] = [
  { name: 'commerce', quota: { cpu: '16', memory: '32Gi', pods: 100 } },
  { name: 'identity', quota: { cpu: '8', memory: '16Gi', pods: 50 } },
];
