/**
 * What must hold of the Kubernetes half's output for any valid model. Each check computes what it expects from
 * the model alone (the contract's names are spelled out here, not taken from the code under test) and returns
 * the problems it finds as sentences; an empty list means the invariant holds.
 */
import { portableYaml, renderManifestObjects } from '@platform/k8s-platform';
import { type Environment, type PlatformModel, type Service, subnetCidrs } from '@platform/model';
import { parseAllDocuments } from 'yaml';
import { buildClusterApp } from '../../../apps/cluster/src/cluster-app';
import { addressIn } from '../../k8s/support/ip';
import {
  type Endpoint,
  mayConnect,
  type NetworkPolicy,
  type PodEndpoint,
} from '../../k8s/support/network-reachability';
import type { Manifest, RenderedObject } from '../../k8s/support/rendered';
import { labelProblems, objectNameProblems } from './kubernetes-names';

/** The files of dist/ as the cluster app renders them, and the object each holds. */
export interface RenderedDist {
  /** Each file's YAML text as `renderDist` (so `pnpm synth`) writes it, by path below dist/. */
  readonly files: ReadonlyMap<string, string>;
  readonly objects: readonly RenderedObject[];
}

/**
 * Renders a model's dist/ once: the objects, and each one's file text written from it as `renderDist` writes it
 * (portableYaml of the object). The objects are not read back from the text: the text reads back as them
 * (portableYaml's contract; {@link portabilityProblems} checks the text itself).
 */
export function renderedDist(model: PlatformModel): RenderedDist {
  const objects = renderManifestObjects(buildClusterApp(model));
  let files: Map<string, string> | undefined;
  return {
    // Written on first use: most checks read the objects only.
    get files() {
      files ??= new Map([...objects].map(([path, object]) => [path, portableYaml(object)]));
      return files;
    },
    objects: [...objects].map(([path, object]) => ({
      path,
      environment: path.split('/')[0],
      object: object as Manifest,
    })),
  };
}

/** JSON with the keys of every object sorted, so two values compare by content alone. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, node) =>
    node !== null && typeof node === 'object' && !Array.isArray(node)
      ? Object.fromEntries(Object.entries(node).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : node,
  );
}

const inEnvironment = (dist: RenderedDist, environment: string, kind?: string) =>
  dist.objects.filter((file) => file.environment === environment && (kind === undefined || file.object.kind === kind));

/** Every object's name and namespace, label and annotation key and label value is one the API server accepts. */
export function nameAndLabelProblems(dist: RenderedDist): string[] {
  return dist.objects.flatMap(({ path, object }) =>
    [...objectNameProblems(object), ...labelProblems(object)].map((problem) => `${path}: ${problem}`),
  );
}

/** No two objects of an environment share kind, namespace and name (the API server would keep one). */
export function duplicateObjectProblems(dist: RenderedDist): string[] {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const { path, environment, object } of dist.objects) {
    const key = `${environment} ${object.apiVersion.split('/')[0]} ${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name}`;
    const earlier = seen.get(key);
    if (earlier) problems.push(`${path} and ${earlier} are the same object`);
    seen.set(key, path);
  }
  return problems;
}

/** Every file reads as the same data to a YAML 1.1 reader (Go's decoders) and a YAML 1.2 reader, without errors. */
export function portabilityProblems(dist: RenderedDist): string[] {
  return [...dist.files].flatMap(([path, text]) => {
    const read = (version: '1.1' | '1.2') => parseAllDocuments(text, { version });
    const [yaml11, yaml12] = [read('1.1'), read('1.2')];
    const errors = [...yaml11, ...yaml12].flatMap((document) => document.errors.map((error) => error.message));
    if (errors.length > 0) return [`${path}: ${errors.join('; ')}`];
    const same =
      JSON.stringify(yaml11.map((document) => document.toJS())) ===
      JSON.stringify(yaml12.map((document) => document.toJS()));
    return same ? [] : [`${path} reads differently in YAML 1.1 and 1.2`];
  });
}

/** Each folder of an environment that holds files is the source of exactly one Application of that environment. */
export function applicationFolderProblems(model: PlatformModel, dist: RenderedDist): string[] {
  return model.environments.flatMap((environment) => {
    const files = dist.objects.filter((file) => file.environment === environment.name);
    const folders = new Set(
      files.map((file) => file.path.split('/').slice(1, -1).join('/')).filter((folder) => folder !== ''),
    );
    const sources = inEnvironment(dist, environment.name, 'Application')
      .map((file) => file.object.spec.source?.path as string | undefined)
      .filter((path): path is string => path?.startsWith(`${environment.gitops.path}/`) === true)
      .map((path) => path.slice(environment.gitops.path.length + 1));
    const problems: string[] = [];
    for (const folder of folders) {
      const count = sources.filter((source) => source === folder).length;
      if (count !== 1) problems.push(`${environment.name}/${folder} is the source of ${count} Applications`);
    }
    for (const source of sources) {
      if (!folders.has(source))
        problems.push(`${environment.name}: an Application syncs '${source}', which has no files`);
    }
    return problems;
  });
}

/** The objects a service's folder must hold, as `Kind/name`, computed from its catalog entry. */
export function expectedServiceObjects(service: Service): string[] {
  const { name, dependencies } = service;
  const egress =
    dependencies.calls.length > 0 ||
    dependencies.database ||
    dependencies.cache ||
    dependencies.publishes.length + dependencies.consumes.length > 0;
  return [
    `Deployment/${name}`,
    `Service/${name}`,
    `ServiceAccount/${name}`,
    `HorizontalPodAutoscaler/${name}`,
    `PodDisruptionBudget/${name}`,
    `VerticalPodAutoscaler/${name}`,
    `ServiceMonitor/${name}`,
    `NetworkPolicy/${name}-ingress`,
    ...(egress ? [`NetworkPolicy/${name}-egress`] : []),
    ...(dependencies.database ? [`ExternalSecret/${name}-postgres`] : []),
    ...(dependencies.cache ? [`ExternalSecret/${name}-redis`] : []),
    ...(service.exposure === 'edge' ? [`Ingress/${name}`] : []),
  ].sort();
}

/**
 * A service as an environment runs it: each field its release in `releases.<env>.<service>` gives (image, replicas,
 * resources) replaces the catalog's whole field (schema.ts ServiceReleaseSchema).
 */
export function asRunIn(model: PlatformModel, environment: string, service: Service): Service {
  const release = model.releases?.[environment]?.[service.name];
  return {
    ...service,
    image: release?.image ?? service.image,
    replicas: release?.replicas ?? service.replicas,
    resources: release?.resources ?? service.resources,
  };
}

/** The image of a service: its repository `<org>/<service>` in the shared registry, at its tag or digest. */
function expectedImage(model: PlatformModel, service: Service): string {
  const { account, region } = model.organization.sharedServices;
  const separator = service.image.tag.startsWith('sha256:') ? '@' : ':';
  return `${account}.dkr.ecr.${region}.amazonaws.com/${model.organization.name}/${service.name}${separator}${service.image.tag}`;
}

/**
 * Every service has its objects in every environment, in its team's namespace, and they say what the model says
 * (with the environment's release applied): image, ports, probes, resources, replica bounds, queue URLs; every team
 * has its namespace and quota.
 */
export function serviceObjectProblems(model: PlatformModel, dist: RenderedDist): string[] {
  const problems: string[] = [];
  for (const environment of model.environments) {
    const objects = inEnvironment(dist, environment.name);
    const find = (kind: string, name: string) =>
      objects.find((f) => f.object.kind === kind && f.object.metadata.name === name)?.object;
    for (const catalogEntry of model.services) {
      const service = asRunIn(model, environment.name, catalogEntry);
      const at = `${environment.name}/${service.name}`;
      const folder = `${environment.name}/services/${service.name}/`;
      const found = objects
        .filter((file) => file.path.startsWith(folder))
        .map((file) => `${file.object.kind}/${file.object.metadata.name}`)
        .sort();
      const expected = expectedServiceObjects(service);
      if (JSON.stringify(found) !== JSON.stringify(expected)) {
        problems.push(`${at}: the folder holds [${found.join(', ')}], the model asks for [${expected.join(', ')}]`);
        continue;
      }
      const inFolder = objects.filter((file) => file.path.startsWith(folder)).map((file) => file.object);
      for (const object of inFolder) {
        if (object.metadata.namespace !== service.team) {
          problems.push(
            `${at}: ${object.kind} ${object.metadata.name} is in '${object.metadata.namespace}', not in team namespace '${service.team}'`,
          );
        }
      }
      problems.push(
        ...deploymentProblems(model, environment, service, find('Deployment', service.name) as Manifest, at),
      );
      const hpa = find('HorizontalPodAutoscaler', service.name) as Manifest;
      if (hpa.spec.minReplicas !== service.replicas.min || hpa.spec.maxReplicas !== service.replicas.max) {
        problems.push(
          `${at}: the HPA scales ${hpa.spec.minReplicas}–${hpa.spec.maxReplicas}, the model says ${service.replicas.min}–${service.replicas.max}`,
        );
      }
      const podLabels = (find('Deployment', service.name) as Manifest).spec.template.metadata.labels as Record<
        string,
        string
      >;
      for (const kind of ['Service', 'PodDisruptionBudget']) {
        const object = find(kind, service.name) as Manifest;
        const selector = (kind === 'Service' ? object.spec.selector : object.spec.selector.matchLabels) as Record<
          string,
          string
        >;
        if (!Object.entries(selector).every(([key, value]) => podLabels[key] === value)) {
          problems.push(`${at}: the ${kind} selects ${JSON.stringify(selector)}, which the pods' labels do not match`);
        }
      }
      const ports = ((find('Service', service.name) as Manifest).spec.ports as { name: string; port: number }[]).map(
        (p) => `${p.name}:${p.port}`,
      );
      if (JSON.stringify(ports) !== JSON.stringify([`http:${service.port}`, `metrics:${service.metricsPort}`])) {
        problems.push(`${at}: the Service serves ${ports.join(', ')}`);
      }
      if (
        !objects.some((f) => f.object.kind === 'PrometheusRule' && f.object.metadata.name === `slo-${service.name}`)
      ) {
        problems.push(`${at}: no PrometheusRule slo-${service.name}`);
      }
    }
    for (const team of model.teams) {
      const namespace = find('Namespace', team.name);
      if (!namespace) problems.push(`${environment.name}: no Namespace for team ${team.name}`);
      const quota = objects.find(
        (f) => f.path === `${environment.name}/teams/${team.name}/resourcequota-team-quota.yaml`,
      )?.object;
      const hard = quota?.spec.hard ?? {};
      const expected = {
        'requests.cpu': team.quota.cpu,
        'requests.memory': team.quota.memory,
        'limits.memory': team.quota.memory,
        pods: team.quota.pods,
      };
      if (canonical(hard) !== canonical(expected)) {
        problems.push(
          `${environment.name}/${team.name}: quota ${JSON.stringify(hard)}, the model says ${JSON.stringify(expected)}`,
        );
      }
    }
  }
  return problems;
}

function deploymentProblems(
  model: PlatformModel,
  environment: Environment,
  service: Service,
  deployment: Manifest,
  at: string,
): string[] {
  const problems: string[] = [];
  const pod = deployment.spec.template.spec;
  const [container] = pod.containers;
  const check = (what: string, actual: unknown, expected: unknown) => {
    if (canonical(actual) !== canonical(expected)) {
      problems.push(`${at}: ${what} is ${JSON.stringify(actual)}, the model says ${JSON.stringify(expected)}`);
    }
  };
  check('the image', container.image, expectedImage(model, service));
  check(
    'the container ports',
    container.ports.map((p: { name: string; containerPort: number }) => [p.name, p.containerPort]),
    [
      ['http', service.port],
      ['metrics', service.metricsPort],
    ],
  );
  check(
    'the probe paths',
    [container.livenessProbe.httpGet.path, container.readinessProbe.httpGet.path, container.startupProbe.httpGet.path],
    [service.health.liveness, service.health.readiness, service.health.startup],
  );
  check('the resources', container.resources, service.resources);
  check('the service account', pod.serviceAccountName, service.name);
  check('replicas (the HPA owns them)', deployment.spec.replicas, undefined);
  const queues = [...new Set([...service.dependencies.publishes, ...service.dependencies.consumes])].sort();
  const prefix = `${model.organization.name}-${environment.name}`;
  check(
    'the queue URLs',
    (container.env as { name: string; value: string }[]).filter((e) => e.name.endsWith('_QUEUE_URL')),
    queues.map((queue) => ({
      name: `${queue.toUpperCase().replace(/-/g, '_')}_QUEUE_URL`,
      value: `https://sqs.${environment.region}.amazonaws.com/${environment.account}/${prefix}-${queue}`,
    })),
  );
  return problems;
}

/**
 * The NetworkPolicies of each environment, evaluated with networking.k8s.io/v1 semantics, allow exactly what the
 * model declares: a service reaches another's HTTP port if and only if it calls it, never its metrics port;
 * Prometheus scrapes every metrics port and nothing else; the ALB reaches edge services only; a service reaches
 * PostgreSQL, Valkey and AWS APIs only when it has a database, a cache or queues; a pod elsewhere that copies a
 * service's labels reaches nothing.
 */
export function reachabilityProblems(model: PlatformModel, dist: RenderedDist): string[] {
  return model.environments.flatMap((environment) => environmentReachability(model, environment, dist));
}

function environmentReachability(model: PlatformModel, environment: Environment, dist: RenderedDist): string[] {
  const policies = inEnvironment(dist, environment.name, 'NetworkPolicy').map(
    (f) => f.object,
  ) as unknown as NetworkPolicy[];
  const privateSubnets = subnetCidrs(environment, 'private');
  const subnetSize = 2 ** (32 - environment.network.subnetPrefixes.private);
  const deploymentLabels = (name: string) =>
    (inEnvironment(dist, environment.name, 'Deployment').find((f) => f.object.metadata.name === name)?.object.spec
      .template.metadata.labels ?? {}) as Record<string, string>;
  const pods = new Map<string, PodEndpoint>(
    model.services.map((service, index) => [
      service.name,
      {
        kind: 'pod',
        name: service.name,
        namespace: service.team,
        labels: deploymentLabels(service.name),
        // Pods take addresses in the private subnets (VPC CNI), past the 4 that AWS reserves at the start.
        ip: addressIn(privateSubnets[index % 3], 4 + (index % (subnetSize - 5))),
      },
    ]),
  );
  const external = (name: string, ip: string): Endpoint => ({ kind: 'external', name, ip });
  const prometheus: Endpoint = {
    kind: 'pod',
    name: 'prometheus',
    namespace: 'monitoring',
    labels: { 'app.kubernetes.io/name': 'prometheus' },
    ip: addressIn(privateSubnets[1], 4),
  };
  const alb = external('alb', addressIn(subnetCidrs(environment, 'public')[0], 10));
  const dataStore = external('data-store', addressIn(subnetCidrs(environment, 'isolated')[0], 10));
  const endpointOfAwsApis = environment.network.interfaceEndpoints
    ? external('vpc-endpoint', addressIn(privateSubnets[2], 5))
    : external('public-aws-api', '52.94.0.10');
  const dns: Endpoint = {
    kind: 'pod',
    name: 'coredns',
    namespace: 'kube-system',
    labels: { 'k8s-app': 'kube-dns' },
    ip: addressIn(privateSubnets[0], 5),
  };

  const problems: string[] = [];
  const expect = (
    what: string,
    source: Endpoint,
    target: Endpoint,
    port: number,
    allowed: boolean,
    protocol: 'TCP' | 'UDP' = 'TCP',
  ) => {
    if (mayConnect(policies, source, target, { port, protocol }) !== allowed) {
      problems.push(
        `${environment.name}: ${what} (${source.name} → ${target.name}:${port}/${protocol}) is ${allowed ? 'denied' : 'allowed'}`,
      );
    }
  };
  for (const service of model.services) {
    const pod = pods.get(service.name) as PodEndpoint;
    const { dependencies } = service;
    const usesQueues = dependencies.publishes.length + dependencies.consumes.length > 0;
    for (const other of model.services) {
      if (other === service) continue;
      const target = pods.get(other.name) as PodEndpoint;
      const calls = dependencies.calls.includes(other.name);
      expect(calls ? 'a declared call' : 'an undeclared call', pod, target, other.port, calls);
      if (other.metricsPort !== other.port) expect('a call to the metrics port', pod, target, other.metricsPort, false);
    }
    expect('Prometheus scraping metrics', prometheus, pod, service.metricsPort, true);
    expect('Prometheus calling the API', prometheus, pod, service.port, false);
    expect('the ALB', alb, pod, service.port, service.exposure === 'edge');
    expect('a DNS lookup', pod, dns, 53, true, 'UDP');
    expect('PostgreSQL', pod, dataStore, 5432, dependencies.database);
    expect('Valkey', pod, dataStore, 6379, dependencies.cache);
    expect('AWS APIs', pod, endpointOfAwsApis, 443, usesQueues);
    expect('the Pod Identity agent', pod, external('pod-identity-agent', '169.254.170.23'), 80, usesQueues);
    expect(
      'the internet',
      pod,
      external('internet', '198.51.100.7'),
      443,
      usesQueues && !environment.network.interfaceEndpoints,
    );
    const impostor: PodEndpoint = { ...pod, name: `impostor-of-${service.name}`, namespace: 'sandbox-impostor' };
    for (const other of model.services) {
      if (other !== service)
        expect("a stranger with a service's labels", impostor, pods.get(other.name) as PodEndpoint, other.port, false);
    }
  }
  return problems;
}

/**
 * No rule group records one series twice: two recording rules of a group with the same name and labels write the
 * same series at the same time, and Prometheus rejects the second sample of every evaluation (a rule failure).
 */
export function recordingRuleProblems(dist: RenderedDist): string[] {
  return dist.objects
    .filter((file) => file.object.kind === 'PrometheusRule')
    .flatMap(({ path, object }) =>
      ((object.spec.groups ?? []) as { name: string; rules: { record?: string; labels?: unknown }[] }[]).flatMap(
        (group) => {
          const seen = new Set<string>();
          return group.rules.flatMap((rule) => {
            if (rule.record === undefined) return [];
            const key = `${rule.record} ${canonical(rule.labels ?? {})}`;
            if (seen.has(key)) return [`${path}: group ${group.name} records ${rule.record} twice`];
            seen.add(key);
            return [];
          });
        },
      ),
    );
}
