import { TraceCollectorNetworkPolicies } from '@platform/k8s-platform';
import { type Cidr, cidrsOverlap, loadPlatformModel, parseCidr, subnetCidrs } from '@platform/model';
import { Chart } from 'cdk8s';
import { testCdk8sApp } from '../support/cdk8s-app';
import { environmentNames, sorted } from '../support/model-facts';
import { findObject, type Manifest, objectsOf, renderModel } from './support/rendered';

/**
 * The trace and log collectors' edges, for every environment of the model: every service may reach the trace
 * collector's pods on the OTLP ports and on nothing else there; the trace collector admits the service namespaces on
 * those ports only; both collectors' namespaces deny everything else, and their egress reaches AWS only.
 */
const model = loadPlatformModel();
const rendered = renderModel(model);
const ENVIRONMENTS = environmentNames(model);
const OTLP = [4317, 4318];
const COLLECTOR_PODS = {
  'app.kubernetes.io/name': 'opentelemetry-collector',
  'app.kubernetes.io/instance': 'opentelemetry-collector',
  component: 'standalone-collector',
};
// biome-ignore lint/suspicious/noExplicitAny: NetworkPolicy rules are walked as plain JSON
type Rule = Record<string, any>;
const portsOf = (rule: Rule) => sorted((rule.ports ?? []).map((p: { port: number }) => p.port));
// The API server's in-cluster address, `kubernetes.default.svc`, is the first of the Service block EKS assigns when
// a cluster names none: 10.100.0.0/16 or 172.20.0.0/16 (EKS API reference, KubernetesNetworkConfigRequest).
const API_SERVER_SERVICE_ADDRESSES = ['10.100.0.1/32', '172.20.0.1/32'];
const namespaceOf = (peer: Rule) => peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'];

describe.each(ENVIRONMENTS)('collector NetworkPolicies of %s', (environment) => {
  const policies = () => objectsOf(rendered, environment, 'NetworkPolicy');
  const inNamespace = (namespace: string) => policies().filter((p) => p.metadata.namespace === namespace);

  it('let every service reach the trace collector’s pods on the OTLP ports, and no other pod of its namespace', () => {
    for (const service of model.services) {
      const egress = findObject(rendered, environment, 'NetworkPolicy', `${service.name}-egress`) as Manifest;
      const toTracing = (egress.spec.egress as Rule[]).filter((rule) =>
        (rule.to ?? []).some((peer: Rule) => namespaceOf(peer) === 'tracing'),
      );
      expect(toTracing).toHaveLength(1);
      expect(toTracing[0].to).toEqual([
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'tracing' } },
          podSelector: { matchLabels: COLLECTOR_PODS },
        },
      ]);
      expect(portsOf(toTracing[0])).toEqual(OTLP);
    }
  });

  it('admit into the trace collector the pods of the service namespaces, on the OTLP ports only', () => {
    const ingress = inNamespace('tracing').filter((p) => (p.spec.policyTypes as string[]).includes('Ingress'));
    // The other rule is Prometheus's, on the metrics port (addon-scrape.test.ts).
    const rules = ingress
      .flatMap((p) => (p.spec.ingress ?? []) as Rule[])
      .filter((rule) => rule.from.every((peer: Rule) => namespaceOf(peer) !== 'monitoring'));
    expect(rules).toHaveLength(1);
    expect(portsOf(rules[0])).toEqual(OTLP);
    expect(sorted(rules[0].from.map(namespaceOf))).toEqual(sorted([...new Set(model.services.map((s) => s.team))]));
    // Every peer names its namespace: none admits every namespace or an IP range.
    for (const peer of rules[0].from) expect(Object.keys(peer).sort()).toEqual(['namespaceSelector', 'podSelector']);
  });

  it.each(['logging', 'tracing'])('deny everything else in %s, and let its collector reach only AWS and DNS', (ns) => {
    expect(
      inNamespace(ns).some(
        (p) =>
          JSON.stringify(p.spec.podSelector) === '{}' &&
          sorted(p.spec.policyTypes).join() === 'Egress,Ingress' &&
          !p.spec.ingress &&
          !p.spec.egress,
      ),
    ).toBe(true);
    const egress = inNamespace(ns).flatMap((p) => (p.spec.egress ?? []) as Rule[]);
    const env = model.environments.find((e) => e.name === environment);
    const allowed = new Set([
      '169.254.170.23/32',
      ...(env?.network.interfaceEndpoints ? [] : ['0.0.0.0/0']),
      ...subnetCidrs(env as NonNullable<typeof env>, 'private'),
      ...(ns === 'logging' ? ['10.100.0.0/16', '172.20.0.0/16'] : []),
    ]);
    for (const rule of egress) {
      // A rule without peers or ports would open every destination or every port.
      expect(rule.to?.length ?? 0).toBeGreaterThan(0);
      expect(rule.ports?.length ?? 0).toBeGreaterThan(0);
      for (const peer of rule.to) {
        if (peer.ipBlock) expect(allowed.has(peer.ipBlock.cidr)).toBe(true);
        else expect(namespaceOf(peer)).toBe('kube-system');
      }
      for (const port of portsOf(rule)) expect([53, 80, 443]).toContain(port);
    }
  });

  it('let Fluent Bit reach the API server’s Service address on 443, which the network policy agent judges before translating it', () => {
    const egress = inNamespace('logging').flatMap((p) => (p.spec.egress ?? []) as Rule[]);
    const https = egress.filter((rule) => portsOf(rule).includes(443));
    for (const address of API_SERVER_SERVICE_ADDRESSES) {
      const target = parseCidr(address) as Cidr;
      const covered = https.some((rule) =>
        (rule.to as Rule[]).some((peer) => {
          const block = peer.ipBlock && parseCidr(peer.ipBlock.cidr);
          return typeof block === 'object' && cidrsOverlap(block, target);
        }),
      );
      expect({ address, covered }).toEqual({ address, covered: true });
    }
  });

  it('repeat no 443 destination in a collector’s egress', () => {
    for (const ns of ['logging', 'tracing']) {
      const peers = inNamespace(ns)
        .flatMap((p) => (p.spec.egress ?? []) as Rule[])
        .filter((rule) => portsOf(rule).includes(443))
        .flatMap((rule) => (rule.to as Rule[]).map((peer) => JSON.stringify(peer)));
      expect(peers).toEqual([...new Set(peers)]);
    }
  });
});

test('without services the trace collector admits no one but Prometheus (an ingress rule without peers would admit everyone)', () => {
  const chart = new Chart(testCdk8sApp(), 'test');
  new TraceCollectorNetworkPolicies(chart, 'Traces', {
    environment: model.environments[0],
    serviceNamespaces: [],
    labels: {},
  });
  const ingress = chart.toJson().find((o) => o.metadata.name === 'opentelemetry-collector-ingress');
  // Only Prometheus's rule, on the metrics port: no OTLP source at all.
  expect(ingress?.spec.ingress).toHaveLength(1);
  expect(ingress?.spec.ingress[0].from).toEqual([
    {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
    },
  ]);
  expect(ingress?.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 8888 }]);
});
