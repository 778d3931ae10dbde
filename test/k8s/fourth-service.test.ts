import { loadModel, loadPlatformModel, platformModelInput, type Service } from '@platform/model';
import { environmentNamed, environmentNames, expectedImage, freeName, sorted } from '../support/model-facts';
import { renderModel } from './support/rendered';

const model = loadPlatformModel();
const ENVIRONMENTS = environmentNames(model);
const [callee] = model.services;
const [team] = model.teams;

/**
 * A service the code has never seen, added to the catalog only: it calls the catalog's first service (if any),
 * owns a cache, publishes to the first queue (if any), and joins the first team, whose quota grows by what
 * it needs (its replicas at max plus a rollout surge pod).
 */
const added: Service = {
  name: freeName('payment-service', model.services),
  description: 'Takes payments for orders.',
  team: team.name,
  port: 8443,
  metricsPort: 9443,
  health: { liveness: '/live', readiness: '/ready', startup: '/started' },
  image: { tag: '3.0.1' },
  resources: { requests: { cpu: '300m', memory: '384Mi' }, limits: { memory: '768Mi', cpu: '1' } },
  replicas: { min: 2, max: 4 },
  autoscaling: { cpuUtilization: 60, memoryUtilization: 75 },
  dependencies: {
    calls: callee ? [callee.name] : [],
    publishes: model.queues.slice(0, 1).map((queue) => queue.name),
    consumes: [],
    database: false,
    cache: true,
  },
  slo: { availability: 99.95, latency: { percentile: 99, thresholdSeconds: 1 }, windowDays: 28 },
  exposure: 'internal',
  usesKubernetesApi: false,
};
const PEAK_PODS = added.replicas.max + 1;

/** `quantity` plus PEAK_PODS times `each`, in the unit of `each` (millicores 'm' or mebibytes 'Mi'). */
function grow(quantity: string, each: number, unit: 'm' | 'Mi'): string {
  const [, value, suffix = ''] = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti)?$/.exec(quantity) ?? [];
  const toUnit: Record<string, number> =
    unit === 'm'
      ? { m: 1, '': 1000 }
      : { m: 2 ** -20 / 1000, '': 2 ** -20, Ki: 2 ** -10, Mi: 1, Gi: 2 ** 10, Ti: 2 ** 20 };
  return `${Math.ceil(Number(value) * toUnit[suffix] + PEAK_PODS * each)}${unit}`;
}

const input = structuredClone(platformModelInput);
input.services.push(added);
const quota = input.teams[0].quota;
input.teams[0] = {
  ...input.teams[0],
  quota: { cpu: grow(quota.cpu, 300, 'm'), memory: grow(quota.memory, 768, 'Mi'), pods: quota.pods + PEAK_PODS },
};
const rendered = renderModel(loadModel(input));
const before = renderModel(model);

describe('a service added to the catalog only', () => {
  it('gets its folder with all of its objects in every environment', () => {
    for (const environment of ENVIRONMENTS) {
      const files = sorted(
        rendered
          .filter((file) => file.path.startsWith(`${environment}/services/${added.name}/`))
          .map((file) => file.path.split('/').at(-1)),
      );
      expect(files).toEqual([
        `deployment-${added.name}.yaml`,
        `externalsecret-${added.name}-redis.yaml`,
        `horizontalpodautoscaler-${added.name}.yaml`,
        `networkpolicy-${added.name}-egress.yaml`,
        `networkpolicy-${added.name}-ingress.yaml`,
        `poddisruptionbudget-${added.name}.yaml`,
        `service-${added.name}.yaml`,
        `serviceaccount-${added.name}.yaml`,
        `servicemonitor-${added.name}.yaml`,
        `verticalpodautoscaler-${added.name}.yaml`,
      ]);
    }
  });

  it('gets its own Argo CD Application', () => {
    for (const environment of ENVIRONMENTS) {
      const app = rendered.find((file) => file.path === `${environment}/application-services-${added.name}.yaml`);
      expect(app?.object.spec.source.path).toBe(
        `${environmentNamed(model, environment).gitops.path}/services/${added.name}`,
      );
      expect(app?.object.spec.destination.namespace).toBe(added.team);
    }
  });

  it('runs its own image, ports and probes', () => {
    for (const environment of ENVIRONMENTS) {
      const deployment = rendered.find(
        (f) => f.path === `${environment}/services/${added.name}/deployment-${added.name}.yaml`,
      );
      const container = deployment?.object.spec.template.spec.containers[0];
      expect(container.image).toBe(expectedImage(loadModel(input), environment, added.name));
      expect(container.image).toMatch(/:3\.0\.1$/);
      expect(container.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
      expect(container.resources.limits).toEqual({ memory: '768Mi', cpu: '1' });
    }
  });

  it('opens its callee to it on the callee’s port, and nothing else changes outside its folder but its team’s quota', () => {
    if (callee) {
      for (const environment of ENVIRONMENTS) {
        const path = `${environment}/services/${callee.name}/networkpolicy-${callee.name}-ingress.yaml`;
        const rules = rendered.find((f) => f.path === path)?.object.spec.ingress ?? [];
        const fromCallers = rules.find((rule: { ports: { port: number }[] }) => rule.ports[0].port === callee.port);
        const callers = fromCallers?.from.map(
          (peer: { podSelector: { matchLabels: Record<string, string> } }) =>
            peer.podSelector.matchLabels['app.kubernetes.io/name'],
        );
        expect(sorted(callers)).toEqual(
          sorted([
            ...model.services.filter((s) => s.dependencies.calls.includes(callee.name)).map((s) => s.name),
            added.name,
          ]),
        );
      }
    }
    const beforeByPath = new Map(before.map((f) => [f.path, JSON.stringify(f.object)]));
    const changed = rendered
      .filter((f) => beforeByPath.get(f.path) !== JSON.stringify(f.object))
      .map((f) => f.path)
      .filter((p) => !p.includes(`/services/${added.name}/`) && !p.endsWith(`application-services-${added.name}.yaml`));
    // Besides its callee's ingress and its team's quota: its SLO alert rules (guard rails) where they exist; and,
    // when it has a data store, its own SecretStores in its team's namespace and the admission policy that lists the
    // secret readers each namespace's stores may assume. Grafana gets its dashboard, and the platform overview
    // shows it.
    const readsSecrets = added.dependencies.database || added.dependencies.cache;
    expect(sorted(changed.filter((p) => !p.includes('/alerting/')))).toEqual(
      sorted(
        ENVIRONMENTS.flatMap((environment) => [
          ...(callee ? [`${environment}/services/${callee.name}/networkpolicy-${callee.name}-ingress.yaml`] : []),
          `${environment}/teams/${team.name}/limitrange-container-defaults.yaml`,
          `${environment}/teams/${team.name}/resourcequota-team-quota.yaml`,
          `${environment}/platform/dashboards/configmap-grafana-dashboard-service-${added.name}.yaml`,
          `${environment}/platform/dashboards/configmap-grafana-dashboard-platform-overview.yaml`,
          ...(readsSecrets
            ? [
                `${environment}/platform/secret-stores/${team.name}/secretstore-${added.name}-aws-parameter-store.yaml`,
                `${environment}/platform/secret-stores/${team.name}/secretstore-${added.name}-aws-secrets-manager.yaml`,
                `${environment}/policies/validatingpolicy-restrict-secret-store-role.yaml`,
              ]
            : []),
        ]),
      ),
    );
  });
});
