import type { Service } from '../schema';

const standardSlo = { availability: 99.9, latency: { percentile: 95, thresholdSeconds: 0.5 }, windowDays: 30 };
const standardAutoscaling = { cpuUtilization: 70, memoryUtilization: 80 };
const standardHealth = { liveness: '/healthz', readiness: '/readyz', startup: '/healthz' };

/**
 * The service catalog: what runs, what it talks to, and what it promises. The service repositories (`ci`) are
 * placeholders: name yours.
 */
export const services: Service[] = [
  {
    name: 'order-service',
    description: 'HTTP API for orders: validates the user with user-service, stores orders, publishes them.',
    team: 'commerce',
    port: 8080,
    metricsPort: 9090,
    health: standardHealth,
    image: { tag: '1.4.2' },
    ci: { githubRepository: 'acme/order-service', branch: 'main' },
    resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
    replicas: { min: 3, max: 10 },
    autoscaling: standardAutoscaling,
    dependencies: { calls: ['user-service'], publishes: ['orders'], consumes: [], database: true, cache: false },
    slo: standardSlo,
    exposure: 'edge',
    // The environment's domain itself, every path: other edge services get hosts of their own or longer paths.
    edge: { path: '/' },
    usesKubernetesApi: false,
  },
  {
    name: 'user-service',
    description: 'Internal HTTP API for users.',
    team: 'identity',
    port: 8080,
    metricsPort: 9090,
    health: standardHealth,
    image: { tag: '2.1.0' },
    ci: { githubRepository: 'acme/user-service', branch: 'main' },
    resources: { requests: { cpu: '200m', memory: '256Mi' }, limits: { memory: '512Mi' } },
    replicas: { min: 2, max: 6 },
    autoscaling: standardAutoscaling,
    dependencies: { calls: [], publishes: [], consumes: [], database: true, cache: false },
    slo: standardSlo,
    exposure: 'internal',
    usesKubernetesApi: false,
  },
  {
    name: 'notification-service',
    description: 'Consumes the orders queue and sends notifications, de-duplicated through Redis.',
    team: 'commerce',
    port: 8080,
    metricsPort: 9090,
    health: standardHealth,
    image: { tag: '0.9.7' },
    ci: { githubRepository: 'acme/notification-service', branch: 'main' },
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
    replicas: { min: 2, max: 8 },
    autoscaling: standardAutoscaling,
    dependencies: { calls: [], publishes: [], consumes: ['orders'], database: false, cache: true },
    slo: standardSlo,
    exposure: 'internal',
    usesKubernetesApi: false,
  },
];
