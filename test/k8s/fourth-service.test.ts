import { loadModel, platformModelInput, type Service } from '@platform/model';
import { renderModel } from './support/rendered';

/** A service the code has never seen: it calls user-service, owns a cache and publishes to the queue. */
const paymentService: Service = {
  name: 'payment-service',
  description: 'Takes payments for orders.',
  team: 'commerce',
  port: 8443,
  metricsPort: 9443,
  health: { liveness: '/live', readiness: '/ready', startup: '/started' },
  image: { tag: '3.0.1' },
  resources: { requests: { cpu: '300m', memory: '384Mi' }, limits: { memory: '768Mi', cpu: '1' } },
  replicas: { min: 2, max: 4 },
  autoscaling: { cpuUtilization: 60, memoryUtilization: 75 },
  dependencies: { calls: ['user-service'], publishes: ['orders'], consumes: [], database: false, cache: true },
  slo: { availability: 99.95, latency: { percentile: 99, thresholdSeconds: 1 }, windowDays: 28 },
  exposure: 'internal',
  usesKubernetesApi: false,
};

const input = structuredClone(platformModelInput);
input.services.push(paymentService);
const rendered = renderModel(loadModel(input));
const before = renderModel();

describe('a fourth service added to the catalog only', () => {
  it('gets its folder with all of its objects in every environment', () => {
    for (const environment of ['dev', 'staging', 'prod']) {
      const files = rendered
        .filter((file) => file.path.startsWith(`${environment}/services/payment-service/`))
        .map((file) => file.path.split('/').at(-1))
        .sort();
      expect(files).toEqual([
        'deployment-payment-service.yaml',
        'externalsecret-payment-service-redis.yaml',
        'horizontalpodautoscaler-payment-service.yaml',
        'networkpolicy-payment-service-egress.yaml',
        'networkpolicy-payment-service-ingress.yaml',
        'poddisruptionbudget-payment-service.yaml',
        'service-payment-service.yaml',
        'serviceaccount-payment-service.yaml',
        'servicemonitor-payment-service.yaml',
        'verticalpodautoscaler-payment-service.yaml',
      ]);
    }
  });

  it('gets its own Argo CD Application', () => {
    const app = rendered.find((file) => file.path === 'prod/application-services-payment-service.yaml');
    expect(app?.object.spec.source.path).toBe('dist/prod/services/payment-service');
    expect(app?.object.spec.destination.namespace).toBe('commerce');
  });

  it('runs its own image, ports and probes', () => {
    const deployment = rendered.find((f) => f.path === 'prod/services/payment-service/deployment-payment-service.yaml');
    const container = deployment?.object.spec.template.spec.containers[0];
    expect(container.image).toBe('444444444444.dkr.ecr.us-east-1.amazonaws.com/acme/payment-service:3.0.1');
    expect(container.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
    expect(container.resources.limits).toEqual({ memory: '768Mi', cpu: '1' });
  });

  it('opens user-service to it on user-service’s port, and nothing else changes outside its folder', () => {
    const path = 'prod/services/user-service/networkpolicy-user-service-ingress.yaml';
    const ingress = rendered.find((f) => f.path === path)?.object;
    const callers = ingress?.spec.ingress[1].from.map(
      (peer: { podSelector: { matchLabels: Record<string, string> } }) =>
        peer.podSelector.matchLabels['app.kubernetes.io/name'],
    );
    expect(callers).toEqual(['order-service', 'payment-service']);
    const beforeByPath = new Map(before.map((f) => [f.path, JSON.stringify(f.object)]));
    const changed = rendered
      .filter((f) => beforeByPath.get(f.path) !== JSON.stringify(f.object))
      .map((f) => f.path)
      .filter(
        (p) => !p.includes('/services/payment-service/') && !p.endsWith('application-services-payment-service.yaml'),
      );
    // Besides its callee's ingress: its SLO alert rules (guard rails) where they exist.
    expect(changed.filter((p) => !p.includes('/alerting/'))).toEqual(
      [
        'dev/services/user-service/networkpolicy-user-service-ingress.yaml',
        'prod/services/user-service/networkpolicy-user-service-ingress.yaml',
        'staging/services/user-service/networkpolicy-user-service-ingress.yaml',
      ].sort(),
    );
  });
});
