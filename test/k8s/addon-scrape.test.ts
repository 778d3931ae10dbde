import { type Environment, loadModel, loadPlatformModel, type PlatformModel, subnetCidrs } from '@platform/model';
import { draftModel } from '../model/support/drafts';
import { sorted } from '../support/model-facts';
import { findObject, objectsOf, renderModel } from './support/rendered';

/**
 * Prometheus must reach every add-on whose metrics the alerts read, through the default deny of the add-on's
 * namespace, on exactly the port the chart's ServiceMonitor scrapes; the chart must render that ServiceMonitor. Facts
 * of the charts at their pinned versions, spelled out here (read upstream, not from the code under test):
 * - fluent-bit 0.58.1: Service and container port `http` = `metricsPort` 2020, `serviceMonitor.enabled`;
 * - opentelemetry-collector 0.170.0: `ports.metrics` (8888) must be enabled for the ServiceMonitor to render;
 * - external-dns 1.22.0: port `http` 7979, `serviceMonitor.enabled`;
 * - velero 12.2.0: port `http-monitoring` 8085, `metrics.serviceMonitor.enabled`.
 */
// biome-ignore lint/suspicious/noExplicitAny: NetworkPolicy rules and Helm values are walked as plain JSON
type Json = Record<string, any>;

/** The collector's reference to the variable the chart sets to the pod's address (its configuration's ${env:…}). */
const POD_IP_REFERENCE = ['$', '{env:MY_POD_IP}'].join('');

const ADDONS = [
  {
    application: 'fluent-bit',
    namespace: 'logging',
    port: 2020,
    pods: { 'app.kubernetes.io/name': 'fluent-bit', 'app.kubernetes.io/instance': 'fluent-bit' },
    scraped: (values: Json) => values.serviceMonitor?.enabled === true,
    everywhere: true,
  },
  {
    application: 'opentelemetry-collector',
    namespace: 'tracing',
    port: 8888,
    pods: {
      'app.kubernetes.io/name': 'opentelemetry-collector',
      'app.kubernetes.io/instance': 'opentelemetry-collector',
      component: 'standalone-collector',
    },
    scraped: (values: Json) =>
      values.serviceMonitor?.enabled === true &&
      values.ports?.metrics?.enabled === true &&
      // The collector's own reader must listen on the pod's address and the port the chart exposes.
      values.alternateConfig?.service?.telemetry?.metrics?.readers?.some(
        (reader: Json) =>
          reader.pull?.exporter?.prometheus?.port === 8888 && reader.pull.exporter.prometheus.host === POD_IP_REFERENCE,
      ),
    everywhere: true,
  },
  {
    application: 'external-dns',
    namespace: 'external-dns',
    port: 7979,
    pods: { 'app.kubernetes.io/name': 'external-dns', 'app.kubernetes.io/instance': 'external-dns' },
    scraped: (values: Json) => values.serviceMonitor?.enabled === true,
    everywhere: false,
  },
  {
    application: 'velero',
    namespace: 'velero',
    port: 8085,
    pods: { 'app.kubernetes.io/name': 'velero', 'app.kubernetes.io/instance': 'velero' },
    scraped: (values: Json) => values.metrics?.enabled === true && values.metrics?.serviceMonitor?.enabled === true,
    everywhere: true,
  },
] as const;

const PROMETHEUS = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
  podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
};

const shipped = loadPlatformModel();
/** The shipped model, and one whose first environment has no hosted zone (so no external-dns runs there). */
const withoutFirstZone = (() => {
  const draft = draftModel();
  draft.environments[0].edge.hostedZone = undefined;
  return loadModel(draft);
})();
const MODELS: [string, PlatformModel][] = [
  ['the shipped model', shipped],
  ['the model without its first zone', withoutFirstZone],
];

describe.each(MODELS)('in %s', (_, model) => {
  const rendered = renderModel(model);
  describe.each(model.environments.map((e) => [e.name, e] as const))('environment %s', (name, environment) => {
    const policies = (namespace: string) =>
      objectsOf(rendered, name, 'NetworkPolicy').filter((p) => p.metadata.namespace === namespace);

    it.each(ADDONS.map((addon) => [addon.application, addon] as const))(
      '%s: its ServiceMonitor is on, and Prometheus alone reaches its pods on the scraped port',
      (application, addon) => {
        const runs = addon.everywhere || !!environment.edge.hostedZone;
        const apps = objectsOf(rendered, name, 'Application').filter((a) => a.metadata.name === application);
        expect(apps).toHaveLength(runs ? 1 : 0);
        if (runs) expect(addon.scraped(apps[0].spec.source.helm.valuesObject)).toBe(true);

        // The namespace denies all by default (its NetworkPolicies exist whether the add-on runs or not).
        expect(
          policies(addon.namespace).some(
            (p) => JSON.stringify(p.spec.podSelector) === '{}' && !p.spec.ingress && !p.spec.egress,
          ),
        ).toBe(true);
        const fromPrometheus = policies(addon.namespace).flatMap((p) =>
          ((p.spec.ingress ?? []) as Json[])
            .filter((rule) => JSON.stringify(rule.from) === JSON.stringify([PROMETHEUS]))
            .map((rule) => ({ pods: p.spec.podSelector, ports: rule.ports })),
        );
        expect(fromPrometheus).toEqual([
          { pods: { matchLabels: addon.pods }, ports: [{ protocol: 'TCP', port: addon.port }] },
        ]);
        // No other source reaches the metrics port.
        for (const p of policies(addon.namespace)) {
          for (const rule of (p.spec.ingress ?? []) as Json[]) {
            if (JSON.stringify(rule.from) === JSON.stringify([PROMETHEUS])) continue;
            expect(rule.ports.map((port: Json) => port.port)).not.toContain(addon.port);
          }
        }
      },
    );

    it('Velero reaches only the Pod Identity agent, and over HTTPS the API server, the AWS APIs and S3', () => {
      const egress = policies('velero').flatMap((p) => (p.spec.egress ?? []) as Json[]);
      const https = egress.filter((rule) => rule.ports.some((port: Json) => port.port === 443));
      const cidrs = sorted(https.flatMap((rule) => rule.to.map((peer: Json) => JSON.stringify(peer.ipBlock))));
      expect(cidrs).toEqual(sorted([...new Set(expectedHttpsPeers(environment))]));
      for (const rule of egress) {
        for (const port of rule.ports) expect([53, 80, 443]).toContain(port.port);
        if (rule.ports.some((port: Json) => port.port === 80)) {
          expect(rule.to).toEqual([{ ipBlock: { cidr: '169.254.170.23/32' } }]);
        }
      }
    });

    it('the trace collector has a PodDisruptionBudget that keeps one of its replicas', () => {
      const values = findObject(rendered, name, 'Application', 'opentelemetry-collector').spec.source.helm
        .valuesObject as Json;
      expect(values.mode).toBe('deployment');
      expect(values.replicaCount).toBeGreaterThanOrEqual(2);
      expect(values.podDisruptionBudget.enabled).toBe(true);
      // One replica at a time: a drain never takes the last one receiving.
      expect(values.podDisruptionBudget.maxUnavailable).toBe(1);
    });
  });
});

/**
 * S3 answers outside the VPC (the gateway endpoint routes to its public addresses); the API server at its Service
 * address (in the block EKS assigns when a cluster names none, 10.100.0.0/16 or 172.20.0.0/16: EKS API reference,
 * KubernetesNetworkConfigRequest) and in the private subnets; the other AWS APIs at the interface endpoints (private
 * subnets) or, without them, outside the VPC.
 */
function expectedHttpsPeers(environment: Environment): string[] {
  const outside = JSON.stringify({ cidr: '0.0.0.0/0', except: [environment.network.vpcCidr] });
  const serviceBlocks = ['10.100.0.0/16', '172.20.0.0/16'].map((cidr) => JSON.stringify({ cidr }));
  const privateSubnets = subnetCidrs(environment, 'private').map((cidr) => JSON.stringify({ cidr }));
  return [outside, ...serviceBlocks, ...privateSubnets];
}
