import { type Environment, loadPlatformModel, type Service, subnetCidrs } from '@platform/model';
import { environmentNames, freeName, usesQueues } from '../support/model-facts';
import { addressIn } from './support/ip';
import { type Connection, type Endpoint, mayConnect, type NetworkPolicy } from './support/network-reachability';
import { findObject, objectsOf, renderModel } from './support/rendered';

const model = loadPlatformModel();
const rendered = renderModel(model);

/** A namespace of no team: where the unrelated pods run. */
const SANDBOX = freeName('sandbox', model.teams);

/** The n-th usable address of a subnet, wrapping around in a small one. */
const hostIn = (cidr: string, n: number) => addressIn(cidr, 1 + (n % (2 ** (32 - Number(cidr.split('/')[1])) - 2)));

/** A source or destination of the matrix and what it is, so the expected verdict can be worked out. */
type Role =
  | { kind: 'service'; service: Service }
  | { kind: 'prometheus' | 'grafana' | 'unrelated' | 'impostor' | 'debug' | 'alb' | 'dns' }
  | { kind: 'postgres' | 'redis' | 'aws-api' | 'pod-identity' | 'internet' };

interface Party {
  readonly label: string;
  readonly role: Role;
  readonly endpoint: Endpoint;
}

/** Pods and addresses of one environment; the service pods carry the labels of their rendered Deployments. */
function world(environment: Environment) {
  const privateSubnets = subnetCidrs(environment, 'private');
  const [isolatedA, isolatedB] = subnetCidrs(environment, 'isolated');
  const labelsOf = (service: Service) =>
    findObject(rendered, environment.name, 'Deployment', service.name).spec.template.metadata.labels;
  const pod = (name: string, namespace: string, labels: Record<string, string>, ip: string): Endpoint => ({
    kind: 'pod',
    name,
    namespace,
    labels,
    ip,
  });
  const external = (name: string, ip: string): Endpoint => ({ kind: 'external', name, ip });
  const services: Party[] = model.services.map((service, index) => ({
    label: service.name,
    role: { kind: 'service', service },
    endpoint: pod(service.name, service.team, labelsOf(service), hostIn(privateSubnets[index % 3], 100 + index)),
  }));
  const others: Party[] = [
    {
      label: 'prometheus',
      role: { kind: 'prometheus' },
      endpoint: pod(
        'prometheus',
        'monitoring',
        { 'app.kubernetes.io/name': 'prometheus' },
        hostIn(privateSubnets[1], 20),
      ),
    },
    {
      label: 'grafana',
      role: { kind: 'grafana' },
      endpoint: pod('grafana', 'monitoring', { 'app.kubernetes.io/name': 'grafana' }, hostIn(privateSubnets[1], 21)),
    },
    {
      label: 'unrelated',
      role: { kind: 'unrelated' },
      endpoint: pod('curl', SANDBOX, { app: 'curl' }, hostIn(privateSubnets[2], 20)),
    },
    // Another team's pod that copies a service's labels: labels alone must not grant the service's edges.
    ...model.services.map((service, index) => ({
      label: `impostor of ${service.name}`,
      role: { kind: 'impostor' } as const,
      endpoint: pod(`impostor-${index}`, SANDBOX, labelsOf(service), hostIn(privateSubnets[2], 30 + index)),
    })),
    // A pod of each team that no service policy names: only the namespace's default deny applies.
    ...model.teams.map((team, index) => ({
      label: `debug in ${team.name}`,
      role: { kind: 'debug' } as const,
      endpoint: pod('debug', team.name, { app: 'debug' }, hostIn(privateSubnets[0], 30 + index)),
    })),
    {
      label: 'alb',
      role: { kind: 'alb' },
      endpoint: external('alb', hostIn(subnetCidrs(environment, 'public')[0], 20)),
    },
  ];
  const destinations: [string, Party, Connection][] = [
    ...services.flatMap((party): [string, Party, Connection][] => {
      const { service } = party.role as { service: Service };
      return [
        [`${service.name}:http`, party, { port: service.port }],
        [`${service.name}:metrics`, party, { port: service.metricsPort }],
      ];
    }),
    ...(
      [
        [
          'dns:udp',
          'dns',
          pod('coredns', 'kube-system', { 'k8s-app': 'kube-dns' }, hostIn(privateSubnets[0], 20)),
          53,
          'UDP',
        ],
        [
          'dns:tcp',
          'dns',
          pod('coredns', 'kube-system', { 'k8s-app': 'kube-dns' }, hostIn(privateSubnets[0], 20)),
          53,
          'TCP',
        ],
        ['postgres', 'postgres', external('postgres', hostIn(isolatedA, 10)), 5432, 'TCP'],
        ['redis', 'redis', external('redis', hostIn(isolatedB, 10)), 6379, 'TCP'],
        ['aws-api', 'aws-api', external('vpc-endpoint', hostIn(privateSubnets[2], 50)), 443, 'TCP'],
        ['pod-identity', 'pod-identity', external('pod-identity-agent', '169.254.170.23'), 80, 'TCP'],
        ['internet', 'internet', external('internet', '198.51.100.7'), 443, 'TCP'],
        ['unrelated', 'unrelated', pod('curl', SANDBOX, { app: 'curl' }, hostIn(privateSubnets[2], 20)), 8080, 'TCP'],
      ] as const
    ).map(([label, kind, endpoint, port, protocol]): [string, Party, Connection] => [
      label,
      { label, role: { kind } as Role, endpoint },
      { port, protocol },
    ]),
  ];
  const policies = objectsOf(rendered, environment.name, 'NetworkPolicy') as unknown as NetworkPolicy[];
  return { sources: [...services, ...others], destinations, policies };
}

/**
 * Whether the model lets `source` reach `destination` on `connection` in `environment`: the declared graph.
 * A service reaches the HTTP port of each service it calls, its own data stores, DNS, and (when it uses a queue)
 * its credentials at the Pod Identity agent and the AWS APIs: the interface endpoints in the VPC where the
 * environment has them, else the public endpoints outside it. Prometheus scrapes every metrics port; the ALB
 * reaches the HTTP port of every edge service. Pods outside the team namespaces are not restricted on their way
 * out; a team's other pods reach DNS only.
 */
function declared(environment: Environment, source: Role, destination: Role, label: string): boolean {
  const port = label.split(':')[1];
  if (destination.kind === 'service') {
    const callee = destination.service;
    if (source.kind === 'service') return port === 'http' && source.service.dependencies.calls.includes(callee.name);
    if (source.kind === 'prometheus') return port === 'metrics';
    if (source.kind === 'alb') return port === 'http' && callee.exposure === 'edge';
    return false;
  }
  if (destination.kind === 'dns') return true;
  if (source.kind === 'debug') return false;
  if (source.kind !== 'service') return true;
  const { service } = source;
  switch (destination.kind) {
    case 'postgres':
      return service.dependencies.database;
    case 'redis':
      return service.dependencies.cache;
    case 'pod-identity':
      return usesQueues(service);
    case 'aws-api':
      return usesQueues(service) && environment.network.interfaceEndpoints;
    case 'internet':
      return usesQueues(service) && !environment.network.interfaceEndpoints;
    default:
      return false;
  }
}

describe.each(model.environments.map((environment) => [environment.name, environment] as const))(
  'reachability computed from the rendered NetworkPolicies of %s',
  (_name, environment) => {
    const { sources, destinations, policies } = world(environment);

    it.each(sources.map((source) => [source.label, source] as const))(
      '%s reaches exactly what the model declares',
      (_label, source) => {
        const row = (verdict: (label: string, destination: Party, connection: Connection) => boolean) =>
          destinations.map(
            ([label, destination, connection]) => `${label} ${verdict(label, destination, connection) ? '+' : '-'}`,
          );
        expect(
          row((_l, destination, connection) => mayConnect(policies, source.endpoint, destination.endpoint, connection)),
        ).toEqual(row((label, destination) => declared(environment, source.role, destination.role, label)));
      },
    );

    it('allows each call only on the callee’s HTTP port, and never the reverse unless it is declared too', () => {
      const endpoint = (name: string) => sources.find((party) => party.label === name)?.endpoint as Endpoint;
      for (const caller of model.services) {
        for (const callee of caller.dependencies.calls.map(
          (name) => model.services.find((s) => s.name === name) as Service,
        )) {
          expect(mayConnect(policies, endpoint(caller.name), endpoint(callee.name), { port: callee.port })).toBe(true);
          const otherPort = Math.max(callee.port, callee.metricsPort) + 1;
          expect(mayConnect(policies, endpoint(caller.name), endpoint(callee.name), { port: otherPort })).toBe(false);
          expect(mayConnect(policies, endpoint(callee.name), endpoint(caller.name), { port: caller.port })).toBe(
            callee.dependencies.calls.includes(caller.name),
          );
        }
      }
    });
  },
);

it('covers every environment, every service and every team of the model', () => {
  expect(environmentNames(model).length).toBeGreaterThan(0);
  for (const environment of model.environments) {
    const { sources } = world(environment);
    for (const service of model.services) expect(sources.map((s) => s.label)).toContain(service.name);
    for (const team of model.teams) expect(sources.map((s) => s.label)).toContain(`debug in ${team.name}`);
  }
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
