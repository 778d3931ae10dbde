import { loadPlatformModel, subnetCidrs } from '@platform/model';
import { addressIn } from './support/ip';
import { type Connection, type Endpoint, mayConnect, type NetworkPolicy } from './support/network-reachability';
import { findObject, objectsOf, renderModel } from './support/rendered';

const model = loadPlatformModel();
const rendered = renderModel(model);

/** Pods and addresses of one environment; the service pods carry the labels of their rendered Deployments. */
function world(environmentName: string) {
  const environment = model.environments.find((e) => e.name === environmentName);
  if (!environment) throw new Error(environmentName);
  const [privateA, privateB, privateC] = subnetCidrs(environment, 'private');
  const [isolatedA, isolatedB] = subnetCidrs(environment, 'isolated');
  const servicePod = (name: string, namespace: string, ip: string): Endpoint => ({
    kind: 'pod',
    name,
    namespace,
    ip,
    labels: findObject(rendered, environmentName, 'Deployment', name).spec.template.metadata.labels,
  });
  const pod = (name: string, namespace: string, labels: Record<string, string>, ip: string): Endpoint => ({
    kind: 'pod',
    name,
    namespace,
    labels,
    ip,
  });
  const external = (name: string, ip: string): Endpoint => ({ kind: 'external', name, ip });
  const endpoints = {
    order: servicePod('order-service', 'commerce', addressIn(privateA, 100)),
    user: servicePod('user-service', 'identity', addressIn(privateB, 100)),
    notification: servicePod('notification-service', 'commerce', addressIn(privateC, 100)),
    dns: pod('coredns', 'kube-system', { 'k8s-app': 'kube-dns' }, addressIn(privateA, 200)),
    prometheus: pod('prometheus', 'monitoring', { 'app.kubernetes.io/name': 'prometheus' }, addressIn(privateB, 200)),
    grafana: pod('grafana', 'monitoring', { 'app.kubernetes.io/name': 'grafana' }, addressIn(privateB, 201)),
    unrelated: pod('curl', 'sandbox', { app: 'curl' }, addressIn(privateC, 200)),
    // Another team's pod that copies order-service's labels: labels alone must not grant order-service's edges.
    impostor: pod(
      'impostor',
      'sandbox',
      { 'app.kubernetes.io/name': 'order-service', 'app.kubernetes.io/instance': 'order-service' },
      addressIn(privateC, 201),
    ),
    // A pod of the commerce team that no service policy names: only the namespace's default deny applies.
    debug: pod('debug', 'commerce', { app: 'debug' }, addressIn(privateA, 201)),
    postgres: external('postgres', addressIn(isolatedA, 10)),
    redis: external('redis', addressIn(isolatedB, 10)),
    awsApi: external('vpc-endpoint', addressIn(privateC, 50)),
    podIdentity: external('pod-identity-agent', '169.254.170.23'),
    internet: external('internet', '198.51.100.7'),
    alb: external('alb', addressIn(subnetCidrs(environment, 'public')[0], 20)),
  };
  const policies = objectsOf(rendered, environmentName, 'NetworkPolicy') as unknown as NetworkPolicy[];
  return { endpoints, policies };
}

type Names = keyof ReturnType<typeof world>['endpoints'];

/** The destinations of the matrix: an endpoint and the port a client would use. */
const TARGETS: [string, Names, Connection][] = [
  ['order:http', 'order', { port: 8080 }],
  ['order:metrics', 'order', { port: 9090 }],
  ['user:http', 'user', { port: 8080 }],
  ['user:metrics', 'user', { port: 9090 }],
  ['notification:http', 'notification', { port: 8080 }],
  ['notification:metrics', 'notification', { port: 9090 }],
  ['dns:udp', 'dns', { port: 53, protocol: 'UDP' }],
  ['dns:tcp', 'dns', { port: 53, protocol: 'TCP' }],
  ['postgres', 'postgres', { port: 5432 }],
  ['redis', 'redis', { port: 6379 }],
  ['aws-api', 'awsApi', { port: 443 }],
  ['pod-identity', 'podIdentity', { port: 80 }],
  ['internet', 'internet', { port: 443 }],
  ['unrelated', 'unrelated', { port: 8080 }],
];

/**
 * The expected matrix of prod ('+' may connect, '-' may not), one column per entry of TARGETS.
 * Prometheus, the unrelated pod and the ALB sit outside the platform's team namespaces, so their own
 * egress is not restricted here; what they reach in the team namespaces is.
 */
const EXPECTED_PROD: Record<string, string> = {
  //              o:h o:m u:h u:m n:h n:m dnsU dnsT pg redis aws pid inet unrel
  order: '  -   -   +   -   -   -   +    +    +   -    +   +   -    -',
  user: '  -   -   -   -   -   -   +    +    +   -    -   -   -    -',
  notification: '  -   -   -   -   -   -   +    +    -   +    +   +   -    -',
  prometheus: '  -   +   -   +   -   +   +    +    +   +    +   +   +    +',
  grafana: '  -   -   -   -   -   -   +    +    +   +    +   +   +    +',
  unrelated: '  -   -   -   -   -   -   +    +    +   +    +   +   +    +',
  impostor: '  -   -   -   -   -   -   +    +    +   +    +   +   +    +',
  debug: '  -   -   -   -   -   -   +    +    -   -    -   -   -    -',
  alb: '  +   -   -   -   -   -   +    +    +   +    +   +   +    +',
};

function actualRow(environment: string, source: Names): string {
  const { endpoints, policies } = world(environment);
  return TARGETS.map(([, target, connection]) =>
    mayConnect(policies, endpoints[source], endpoints[target], connection) ? '+' : '-',
  ).join(' ');
}

const expectedRow = (row: string) => row.trim().split(/\s+/).join(' ');

describe('reachability computed from the rendered NetworkPolicies (prod)', () => {
  it.each(Object.keys(EXPECTED_PROD))('%s reaches exactly its row of the matrix', (source) => {
    expect(actualRow('prod', source as Names)).toBe(expectedRow(EXPECTED_PROD[source]));
  });

  it('allows order-service → user-service only on the HTTP port, and never the reverse', () => {
    const { endpoints, policies } = world('prod');
    expect(mayConnect(policies, endpoints.order, endpoints.user, { port: 8080 })).toBe(true);
    expect(mayConnect(policies, endpoints.order, endpoints.user, { port: 8081 })).toBe(false);
    expect(mayConnect(policies, endpoints.user, endpoints.order, { port: 8080 })).toBe(false);
  });

  it('lets notification-service reach nothing but Redis, SQS (AWS APIs), its credentials and DNS', () => {
    const { endpoints, policies } = world('prod');
    const reachable = TARGETS.filter(([, target, connection]) =>
      mayConnect(policies, endpoints.notification, endpoints[target], connection),
    ).map(([label]) => label);
    expect(reachable).toEqual(['dns:udp', 'dns:tcp', 'redis', 'aws-api', 'pod-identity']);
  });
});

describe('AWS API egress follows the VPC endpoints of the environment', () => {
  it('goes to the interface endpoints in the private subnets where they exist (staging)', () => {
    const { endpoints, policies } = world('staging');
    expect(mayConnect(policies, endpoints.notification, endpoints.awsApi, { port: 443 })).toBe(true);
    expect(mayConnect(policies, endpoints.notification, endpoints.internet, { port: 443 })).toBe(false);
  });

  it('goes to the public AWS endpoints outside the VPC where there are none (dev), never into the VPC', () => {
    const { endpoints, policies } = world('dev');
    expect(mayConnect(policies, endpoints.notification, endpoints.internet, { port: 443 })).toBe(true);
    expect(mayConnect(policies, endpoints.notification, endpoints.awsApi, { port: 443 })).toBe(false);
    expect(mayConnect(policies, endpoints.user, endpoints.internet, { port: 443 })).toBe(false);
  });
});

describe('the evaluator', () => {
  const policy = (from: unknown[]): NetworkPolicy =>
    ({
      metadata: { name: 'p', namespace: 'a' },
      spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from }] },
    }) as NetworkPolicy;
  const target: Endpoint = { kind: 'pod', name: 't', namespace: 'a', labels: {}, ip: '10.0.0.1' };
  const sameLabelsOtherNamespace: Endpoint = {
    kind: 'pod',
    name: 's',
    namespace: 'b',
    labels: { app: 'x' },
    ip: '10.0.0.2',
  };
  const podSelector = { matchLabels: { app: 'x' } };
  const namespaceSelector = { matchLabels: { 'kubernetes.io/metadata.name': 'c' } };

  it('reads namespaceSelector and podSelector in one peer as AND', () => {
    expect(
      mayConnect([policy([{ namespaceSelector, podSelector }])], sameLabelsOtherNamespace, target, { port: 1 }),
    ).toBe(false);
  });

  it('reads them as two peers as OR', () => {
    expect(
      mayConnect([policy([{ namespaceSelector }, { podSelector }])], sameLabelsOtherNamespace, target, { port: 1 }),
    ).toBe(false);
    const inC: Endpoint = { ...sameLabelsOtherNamespace, namespace: 'c', labels: {} };
    expect(mayConnect([policy([{ namespaceSelector }, { podSelector }])], inC, target, { port: 1 })).toBe(true);
  });

  it('reads a podSelector without namespaceSelector as the policy namespace only', () => {
    const inA: Endpoint = { ...sameLabelsOtherNamespace, namespace: 'a' };
    expect(mayConnect([policy([{ podSelector }])], inA, target, { port: 1 })).toBe(true);
    expect(mayConnect([policy([{ podSelector }])], sameLabelsOtherNamespace, target, { port: 1 })).toBe(false);
  });
});
