import { loadModel, loadPlatformModel, type PlatformModel, partitionOf, platformModelInput } from '@platform/model';
import {
  dataStoresOf,
  environmentNamed,
  environmentNames,
  expectedImage,
  serviceIn,
  sorted,
} from '../support/model-facts';
import { findObject, type Manifest, objectsOf, type RenderedObject, renderModel } from './support/rendered';

const model = loadPlatformModel();
const rendered = renderModel(model);
const ENVIRONMENTS = environmentNames(model);
const SERVICES = model.services.map((service) => service.name);

/** Every service in every environment: the pairs the per-service requirements hold for. */
const pairs = ENVIRONMENTS.flatMap((environment) => SERVICES.map((name) => ({ environment, name })));
const deployment = (environment: string, name: string, files: readonly RenderedObject[] = rendered) =>
  findObject(files, environment, 'Deployment', name);
const container = (environment: string, name: string) => deployment(environment, name).spec.template.spec.containers[0];

/** The sleep action of a preStop hook is served GA from Kubernetes 1.34 (KEP-3960); older clusters need exec. */
const servesSleepAction = (kubernetesVersion: string) => Number(kubernetesVersion.split('.')[1]) >= 34;

/**
 * The OpenTelemetry SDK settings of a service's container: OTLP over HTTP to the trace collector's Service in the
 * tracing namespace, the service's name, its team, version (tag without digest), environment and namespace as resource
 * attributes, the environment's sampling ratio (0.1 unless the model says otherwise), and no metrics or logs export.
 */
function otelEnv(environment: string, service: { name: string; team: string; image: { tag: string } }) {
  const ratio = environmentNamed(model, environment).observability?.traces?.samplingRatio ?? 0.1;
  return [
    { name: 'OTEL_SERVICE_NAME', value: service.name },
    { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://opentelemetry-collector.tracing.svc.cluster.local:4318' },
    { name: 'OTEL_EXPORTER_OTLP_PROTOCOL', value: 'http/protobuf' },
    {
      name: 'OTEL_RESOURCE_ATTRIBUTES',
      value: `service.namespace=${service.team},service.version=${versionLabel(service.image.tag)},deployment.environment.name=${environment},k8s.namespace.name=${service.team}`,
    },
    { name: 'OTEL_TRACES_SAMPLER', value: 'parentbased_traceidratio' },
    { name: 'OTEL_TRACES_SAMPLER_ARG', value: String(ratio) },
    { name: 'OTEL_METRICS_EXPORTER', value: 'none' },
    { name: 'OTEL_LOGS_EXPORTER', value: 'none' },
  ];
}

/** `app.kubernetes.io/version` of an image: its tag, without the digest it may pin. */
const versionLabel = (tag: string) => tag.split('@')[0];

type WrittenModel = {
  services: Record<string, unknown>[];
  releases?: Record<string, Record<string, { image?: unknown }>>;
};

/**
 * The written model with one catalog entry changed; the first service of the catalog is the subject. With
 * `catalogImageEverywhere`, no environment's release overrides its image, so every environment runs the catalog's.
 */
function variant(
  change: (service: Record<string, unknown>) => Record<string, unknown>,
  catalogImageEverywhere = false,
): PlatformModel {
  const input = structuredClone(platformModelInput) as unknown as WrittenModel;
  input.services[0] = change(input.services[0]);
  if (catalogImageEverywhere) {
    for (const releases of Object.values(input.releases ?? {})) delete releases[String(input.services[0].name)]?.image;
  }
  return loadModel(input);
}

describe('service Deployments', () => {
  it('run the ECR image of the contract at the immutable tag each environment runs', () => {
    for (const { environment, name } of pairs) {
      expect([environment, container(environment, name).image]).toEqual([
        environment,
        expectedImage(model, environment, name),
      ]);
    }
    for (const file of rendered.filter((f) => f.object.kind === 'Deployment')) {
      expect(file.object.spec.template.spec.containers[0].image).not.toMatch(/:latest$/);
    }
  });

  it('have no replicas field, because the HorizontalPodAutoscaler owns it', () => {
    for (const file of rendered.filter((f) => f.object.kind === 'Deployment')) {
      expect(file.object.spec).not.toHaveProperty('replicas');
    }
  });

  it('request CPU and memory and limit memory as the model says', () => {
    for (const { environment, name } of pairs) {
      expect([environment, name, container(environment, name).resources]).toEqual([
        environment,
        name,
        serviceIn(model, environment, name).resources,
      ]);
    }
  });

  it('probe startup, readiness and liveness on the model paths through the http port', () => {
    for (const { environment, name } of pairs) {
      const { health, port, metricsPort } = serviceIn(model, environment, name);
      const { startupProbe, readinessProbe, livenessProbe, ports } = container(environment, name);
      expect(startupProbe.httpGet).toEqual({ path: health.startup, port: 'http' });
      expect(readinessProbe.httpGet).toEqual({ path: health.readiness, port: 'http' });
      expect(livenessProbe.httpGet).toEqual({ path: health.liveness, port: 'http' });
      expect(ports).toEqual([
        { name: 'http', containerPort: port, protocol: 'TCP' },
        { name: 'metrics', containerPort: metricsPort, protocol: 'TCP' },
      ]);
    }
  });

  it('meet Pod Security restricted, with a writable /tmp only where the model asks for one', () => {
    for (const { environment, name } of pairs) {
      const pod = deployment(environment, name).spec.template.spec;
      // A fixed non-root user and group, which also owns the pod's volumes.
      expect(pod.securityContext).toEqual({
        runAsNonRoot: true,
        runAsUser: 10001,
        runAsGroup: 10001,
        fsGroup: 10001,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.containers[0].securityContext).toEqual({
        runAsNonRoot: true,
        runAsUser: 10001,
        runAsGroup: 10001,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.hostNetwork ?? false).toBe(false);
      const tmp = serviceIn(model, environment, name).writableTmp
        ? [{ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }]
        : [];
      expect(pod.volumes ?? []).toEqual(tmp);
    }
  });

  it('keep five old ReplicaSets to roll back to, name the container after the service and pull its immutable image only when missing', () => {
    for (const { environment, name } of pairs) {
      expect(deployment(environment, name).spec.revisionHistoryLimit).toBe(5);
      expect(container(environment, name).name).toBe(name);
      expect(container(environment, name).imagePullPolicy).toBe('IfNotPresent');
    }
  });

  it('give a slow start 150 s (30 × 5 s) before liveness counts, and probe readiness every 5 s, liveness every 10 s', () => {
    for (const { environment, name } of pairs) {
      const { startupProbe, readinessProbe, livenessProbe } = container(environment, name);
      expect([startupProbe.periodSeconds, startupProbe.failureThreshold]).toEqual([5, 30]);
      expect([readinessProbe.periodSeconds, readinessProbe.failureThreshold]).toEqual([5, 3]);
      expect([livenessProbe.periodSeconds, livenessProbe.failureThreshold]).toEqual([10, 3]);
    }
  });

  it('roll out one new pod at a time without going below the current capacity', () => {
    for (const { environment, name } of pairs) {
      expect(deployment(environment, name).spec.strategy).toEqual({
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
      });
    }
  });

  it('spread pods across zones (hard) and hosts (soft)', () => {
    for (const { environment, name } of pairs) {
      const object = deployment(environment, name);
      const constraints = object.spec.template.spec.topologySpreadConstraints;
      expect(constraints.map((c: Manifest) => [c.topologyKey, c.whenUnsatisfiable, c.maxSkew])).toEqual([
        ['topology.kubernetes.io/zone', 'DoNotSchedule', 1],
        ['kubernetes.io/hostname', 'ScheduleAnyway', 1],
      ]);
      for (const constraint of constraints) {
        expect(constraint.labelSelector.matchLabels).toEqual(object.spec.selector.matchLabels);
        // Spread the pods of each ReplicaSet on their own, so a rollout does not count the old pods.
        expect(constraint.matchLabelKeys).toEqual(['pod-template-hash']);
      }
    }
  });

  it('pause in preStop within the grace period: the kubelet’s sleep action where the cluster serves it, else exec sleep', () => {
    for (const { environment, name } of pairs) {
      const pod = deployment(environment, name).spec.template.spec;
      const version = environmentNamed(model, environment).cluster.kubernetesVersion;
      expect([environment, pod.containers[0].lifecycle]).toEqual([
        environment,
        servesSleepAction(version)
          ? { preStop: { sleep: { seconds: 10 } } }
          : { preStop: { exec: { command: ['sleep', '10'] } } },
      ]);
      expect(pod.terminationGracePeriodSeconds).toBe(40);
    }
  });

  it('fall back to an exec sleep in an environment whose Kubernetes has no sleep action yet (1.28), and only there', () => {
    const input = structuredClone(platformModelInput);
    const [older] = input.environments;
    older.cluster.kubernetesVersion = '1.28';
    const files = renderModel(loadModel(input));
    for (const { environment, name } of pairs) {
      const lifecycle = deployment(environment, name, files).spec.template.spec.containers[0].lifecycle;
      if (environment === older.name) expect(lifecycle).toEqual({ preStop: { exec: { command: ['sleep', '10'] } } });
      else expect(lifecycle).toEqual(container(environment, name).lifecycle);
    }
  });

  it('mount a service account token only where the service uses the Kubernetes API', () => {
    for (const { environment, name } of pairs) {
      const pod = deployment(environment, name).spec.template.spec;
      expect(pod.automountServiceAccountToken).toBe(serviceIn(model, environment, name).usesKubernetesApi);
      expect(pod.serviceAccountName).toBe(name);
    }
  });

  it('carry the recommended labels plus team and environment on the Deployment and its pods, in the team namespace', () => {
    for (const { environment, name } of pairs) {
      const service = serviceIn(model, environment, name);
      const expected = {
        'app.kubernetes.io/name': name,
        'app.kubernetes.io/instance': name,
        'app.kubernetes.io/version': versionLabel(service.image.tag),
        'app.kubernetes.io/component': service.exposure === 'edge' ? 'edge-api' : 'internal-api',
        'app.kubernetes.io/part-of': model.organization.name,
        'app.kubernetes.io/managed-by': 'cdk8s',
        'platform.io/team': service.team,
        'platform.io/environment': environment,
      };
      const object = deployment(environment, name);
      expect(object.metadata.labels).toEqual(expected);
      expect(object.spec.template.metadata.labels).toEqual(expected);
      expect(object.metadata.namespace).toBe(service.team);
    }
  });

  it('get the region, the URL of each queue, how to authenticate to their stores over TLS as settings, and their data store secrets through envFrom', () => {
    for (const { environment, name } of pairs) {
      const service = serviceIn(model, environment, name);
      const { account, region } = environmentNamed(model, environment);
      const queues = sorted(new Set([...service.dependencies.publishes, ...service.dependencies.consumes]));
      expect(container(environment, name).env).toEqual([
        { name: 'AWS_REGION', value: region },
        ...queues.map((queue) => ({
          name: `${queue.toUpperCase().replaceAll('-', '_')}_QUEUE_URL`,
          value: `https://sqs.${region}.amazonaws.com/${account}/${model.organization.name}-${environment}-${queue}`,
        })),
        // The user the data stack creates and grants rds-db:connect on (database-user.test.ts, db-access contract).
        ...(service.dependencies.database
          ? [
              { name: 'POSTGRES_USERNAME', value: `${name.replaceAll('-', '_')}_${environment.replaceAll('-', '_')}` },
              { name: 'POSTGRES_AUTHENTICATION', value: 'iam' },
              { name: 'PGSSLMODE', value: 'require' },
            ]
          : []),
        ...(service.dependencies.cache ? [{ name: 'REDIS_TLS', value: 'true' }] : []),
        ...otelEnv(environment, service),
      ]);
      const secrets = dataStoresOf(service).map((store) => ({ secretRef: { name: `${name}-${store}` } }));
      expect(container(environment, name).envFrom).toEqual(secrets.length > 0 ? secrets : undefined);
    }
  });

  it('send their traces to the trace collector, named and sampled as the model says', () => {
    const ratios = { [ENVIRONMENTS[0]]: 0.25, [ENVIRONMENTS[ENVIRONMENTS.length - 1]]: 1 };
    const input = structuredClone(platformModelInput) as unknown as {
      environments: { name: string; observability?: unknown }[];
    };
    for (const environment of input.environments) {
      const ratio = ratios[environment.name];
      if (ratio !== undefined) environment.observability = { traces: { samplingRatio: ratio } };
    }
    const sampled = loadModel(input);
    const files = renderModel(sampled);
    for (const { environment, name } of pairs) {
      const env = deployment(environment, name, files).spec.template.spec.containers[0].env as {
        name: string;
        value: string;
      }[];
      const value = (variable: string) => env.find((entry) => entry.name === variable)?.value;
      // The model's ratio where it gives one, 0.1 where it does not.
      expect({ environment, ratio: value('OTEL_TRACES_SAMPLER_ARG') }).toEqual({
        environment,
        ratio: String(ratios[environment] ?? 0.1),
      });
      expect(value('OTEL_SERVICE_NAME')).toBe(name);
      expect(value('OTEL_RESOURCE_ATTRIBUTES')).toContain(`deployment.environment.name=${environment}`);
    }
  });

  it('mount a writable /tmp only for a service that asks for it', () => {
    const subject = String(platformModelInput.services[0]?.name);
    const withTmp = variant((service) => ({ ...service, writableTmp: true }));
    const files = renderModel(withTmp);
    for (const environment of ENVIRONMENTS) {
      const pod = deployment(environment, subject, files).spec.template.spec;
      expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }]);
      expect(pod.containers[0].volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
      expect(pod.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
      for (const other of withTmp.services.filter((service) => service.name !== subject && !service.writableTmp)) {
        expect(deployment(environment, other.name, files).spec.template.spec.volumes).toBeUndefined();
      }
    }
  });

  it('pin an image by tag and digest when the model gives both, with the tag as version label', () => {
    const digest = `sha256:${'ab12'.repeat(16)}`;
    const subject = String(platformModelInput.services[0]?.name);
    const pinned = variant((service) => ({ ...service, image: { tag: `4.5.6@${digest}` } }), true);
    const files = renderModel(pinned);
    for (const environment of ENVIRONMENTS) {
      const object = deployment(environment, subject, files);
      expect(object.spec.template.spec.containers[0].image).toBe(expectedImage(pinned, environment, subject));
      // `<repository>:<tag>@<digest>`: the API server accepts it, the container runtime pulls by the digest.
      expect(object.spec.template.spec.containers[0].image).toMatch(new RegExp(`/${subject}:4\\.5\\.6@${digest}$`));
      expect(object.metadata.labels['app.kubernetes.io/version']).toBe('4.5.6');
    }
  });

  it('mount the token when a service uses the Kubernetes API', () => {
    const subject = String(platformModelInput.services[0]?.name);
    const files = renderModel(variant((service) => ({ ...service, usesKubernetesApi: true })));
    for (const environment of ENVIRONMENTS) {
      expect(deployment(environment, subject, files).spec.template.spec.automountServiceAccountToken).toBe(true);
      expect(findObject(files, environment, 'ServiceAccount', subject).automountServiceAccountToken).toBe(true);
    }
  });
});

describe('the other objects of a service', () => {
  const selector = (name: string) => ({ 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name });

  it('expose it through a ClusterIP Service with the http and metrics ports', () => {
    for (const { environment, name } of pairs) {
      const { team, port, metricsPort } = serviceIn(model, environment, name);
      const service = findObject(rendered, environment, 'Service', name);
      expect(service.metadata.namespace).toBe(team);
      expect(service.spec).toEqual({
        type: 'ClusterIP',
        selector: selector(name),
        ports: [
          { name: 'http', port, targetPort: 'http', protocol: 'TCP' },
          { name: 'metrics', port: metricsPort, targetPort: 'metrics', protocol: 'TCP' },
        ],
      });
    }
  });

  it('give it the ServiceAccount of the contract without an IRSA annotation (the AWS half uses Pod Identity)', () => {
    for (const { environment, name } of pairs) {
      const { team, usesKubernetesApi } = serviceIn(model, environment, name);
      const account = findObject(rendered, environment, 'ServiceAccount', name, team);
      expect(account.metadata.annotations).toBeUndefined();
      expect(account.automountServiceAccountToken).toBe(usesKubernetesApi);
    }
  });

  it('scale it horizontally on CPU and memory between the bounds its environment gives, slowly down', () => {
    for (const { environment, name } of pairs) {
      const { replicas, autoscaling } = serviceIn(model, environment, name);
      const hpa = findObject(rendered, environment, 'HorizontalPodAutoscaler', name);
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
      expect([environment, name, hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([
        environment,
        name,
        replicas.min,
        replicas.max,
      ]);
      expect(hpa.spec.metrics).toEqual([
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: autoscaling.cpuUtilization } },
        },
        {
          type: 'Resource',
          resource: {
            name: 'memory',
            target: { type: 'Utilization', averageUtilization: autoscaling.memoryUtilization },
          },
        },
      ]);
      // Down by at most half of the pods a minute, after five quiet minutes.
      expect(hpa.spec.behavior.scaleDown).toEqual({
        stabilizationWindowSeconds: 300,
        selectPolicy: 'Min',
        policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }],
      });
    }
  });

  it('protect it with a PodDisruptionBudget that lets at most one pod go at a time', () => {
    for (const { environment, name } of pairs) {
      const pdb = findObject(rendered, environment, 'PodDisruptionBudget', name);
      expect(pdb.apiVersion).toBe('policy/v1');
      expect(pdb.spec.maxUnavailable).toBe(1);
      expect(pdb.spec.selector.matchLabels).toEqual(selector(name));
      // A pod that is not ready anyway never blocks a node drain.
      expect(pdb.spec.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
    }
  });

  it('size it with a VerticalPodAutoscaler that only recommends', () => {
    for (const { environment, name } of pairs) {
      const vpa = findObject(rendered, environment, 'VerticalPodAutoscaler', name);
      expect(vpa.spec.updatePolicy).toEqual({ updateMode: 'Off' });
      expect(vpa.spec.targetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
      expect(vpa.spec.resourcePolicy.containerPolicies).toEqual([
        { containerName: name, controlledResources: ['cpu', 'memory'], controlledValues: 'RequestsOnly' },
      ]);
    }
  });

  it('scrape its metrics port through a ServiceMonitor', () => {
    for (const { environment, name } of pairs) {
      const monitor = findObject(rendered, environment, 'ServiceMonitor', name);
      expect(monitor.metadata.namespace).toBe(serviceIn(model, environment, name).team);
      expect(monitor.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
      expect(monitor.spec.selector.matchLabels).toEqual(
        findObject(rendered, environment, 'Service', name).spec.selector,
      );
    }
  });
});

describe('every object of a service', () => {
  it('carries the recommended labels, its team and its environment, in its team namespace', () => {
    for (const { environment, name } of pairs) {
      const service = serviceIn(model, environment, name);
      const objects = rendered.filter((file) => file.path.startsWith(`${environment}/services/${name}/`));
      expect(objects.length).toBeGreaterThan(0);
      for (const { path, object } of objects) {
        expect([path, object.metadata.namespace]).toEqual([path, service.team]);
        expect([path, object.metadata.labels]).toEqual([
          path,
          expect.objectContaining({
            'app.kubernetes.io/name': name,
            'app.kubernetes.io/instance': name,
            'app.kubernetes.io/component': service.exposure === 'edge' ? 'edge-api' : 'internal-api',
            'app.kubernetes.io/part-of': model.organization.name,
            'app.kubernetes.io/managed-by': 'cdk8s',
            'platform.io/team': service.team,
            'platform.io/environment': environment,
          }),
        ]);
      }
    }
  });
});

describe('secrets wiring', () => {
  /** Settings of a data store's connection the AWS half publishes in SSM, as `<STORE>_<KEY>`. */
  const CONNECTION_KEYS = { postgres: ['host', 'port', 'database'], redis: ['host', 'port'] } as const;

  it('reads the cache’s auth token from Secrets Manager and each store’s connection facts from SSM, by contract names; no database password', () => {
    for (const { environment, name } of pairs) {
      const service = serviceIn(model, environment, name);
      const prefix = `${model.organization.name}/${environment}/${name}`;
      for (const store of dataStoresOf(service)) {
        const secret = findObject(rendered, environment, 'ExternalSecret', `${name}-${store}`, service.team);
        expect(secret.apiVersion).toBe('external-secrets.io/v1');
        // The service's own stores, whose role reads this service's secrets only.
        expect(secret.spec.secretStoreRef).toEqual({ kind: 'SecretStore', name: `${name}-aws-secrets-manager` });
        expect(secret.spec.target).toEqual({ name: `${name}-${store}`, creationPolicy: 'Owner' });
        // A rotated credential reaches the pods' Secret within an hour.
        expect(secret.spec.refreshInterval).toBe('1h');
        // Synced before the Deployment of its folder, which reads the Secret through envFrom.
        expect(secret.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '-1' });
        const variable = store.toUpperCase();
        // PostgreSQL: the service's own user with IAM tokens; its master credentials are for break-glass only.
        const credentials =
          store === 'redis'
            ? [
                { secretKey: 'REDIS_USERNAME', remoteRef: { key: `${prefix}/redis`, property: 'username' } },
                { secretKey: 'REDIS_PASSWORD', remoteRef: { key: `${prefix}/redis`, property: 'password' } },
              ]
            : [];
        expect(secret.spec.data).toEqual([
          ...credentials,
          ...CONNECTION_KEYS[store].map((key) => ({
            secretKey: `${variable}_${key.toUpperCase()}`,
            remoteRef: { key: `/${prefix}/${store}/${key}` },
            sourceRef: { storeRef: { kind: 'SecretStore', name: `${name}-aws-parameter-store` } },
          })),
        ]);
      }
      const annotations = deployment(environment, name).metadata.annotations;
      expect(annotations?.['argocd.argoproj.io/sync-wave']).toBeUndefined();
    }
  });

  it('gives a service only the stores it declares', () => {
    const teams = model.teams.map((team) => team.name);
    for (const environment of ENVIRONMENTS) {
      const names = objectsOf(rendered, environment, 'ExternalSecret')
        .filter((secret) => teams.includes(secret.metadata.namespace ?? ''))
        .map((secret) => `${secret.metadata.namespace}/${secret.metadata.name}`);
      expect(sorted(names)).toEqual(
        sorted(
          model.services.flatMap((service) =>
            dataStoresOf(service).map((store) => `${service.team}/${service.name}-${store}`),
          ),
        ),
      );
    }
  });

  it('has no ClusterSecretStore, and per service with a data store two SecretStores in its namespace that only assume its reader role', () => {
    for (const environment of ENVIRONMENTS) {
      const { region } = environmentNamed(model, environment);
      const prefix = `${model.organization.name}-${environment}`;
      expect(objectsOf(rendered, environment, 'ClusterSecretStore')).toEqual([]);
      const teamStores = objectsOf(rendered, environment, 'SecretStore').filter(
        (store) => store.metadata.namespace !== 'monitoring',
      );
      const expected = pairs
        .filter((pair) => pair.environment === environment)
        .map(({ name }) => serviceIn(model, environment, name))
        .filter((service) => dataStoresOf(service).length > 0)
        .flatMap((service) =>
          (['aws-secrets-manager', 'aws-parameter-store'] as const).map((suffix) => ({
            name: `${service.team}/${service.name}-${suffix}`,
            aws: {
              service: suffix === 'aws-parameter-store' ? 'ParameterStore' : 'SecretsManager',
              region,
              role: `arn:${partitionOf(region)}:iam::${environmentNamed(model, environment).account}:role/${prefix}/secret-readers/${prefix}-sr-${service.name}`,
            },
          })),
        );
      const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
      expect(
        teamStores
          .map((store) => ({
            name: `${store.metadata.namespace}/${store.metadata.name}`,
            aws: store.spec.provider.aws,
          }))
          .sort(byName),
      ).toEqual(expected.sort(byName));
    }
  });

  it('admits every ExternalSecret of dist/ to a store of its own namespace, and every store it names exists', () => {
    for (const environment of ENVIRONMENTS) {
      const stores = objectsOf(rendered, environment, 'SecretStore');
      for (const secret of objectsOf(rendered, environment, 'ExternalSecret')) {
        const names = [
          secret.spec.secretStoreRef.name,
          ...secret.spec.data.flatMap(
            (d: { sourceRef?: { storeRef: { name: string } } }) => d.sourceRef?.storeRef.name ?? [],
          ),
        ];
        for (const name of names) {
          const store = stores.find(
            (s) => s.metadata.name === name && s.metadata.namespace === secret.metadata.namespace,
          );
          expect(store).toBeDefined();
        }
      }
    }
  });

  it('puts no Secret and no secret value into dist/: credential-like fields only name or reference one', () => {
    expect(rendered.filter((f) => f.object.kind === 'Secret')).toEqual([]);
    const credentialLike = /pass(word)?|token|secret|api_?key|routing_key|service_key|credential|stringData/i;
    // Each of these names a secret, reads it from a file or a store, or is a switch; none holds a value.
    const references = [
      'automountServiceAccountToken',
      // The Velero chart's `credentials`, which holds only the switch `useSecret: false` (Pod Identity, no secret):
      // test/k8s/backups.test.ts holds it to exactly that.
      'credentials',
      'useSecret',
      'httpTokens',
      'routing_key_file',
      'secret',
      'secretKey',
      'secretName',
      'secretRef',
      'secretStoreRef',
    ];
    const keys = new Set<string>();
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (value && typeof value === 'object') {
        for (const [key, child] of Object.entries(value)) {
          if (credentialLike.test(key)) keys.add(key);
          collect(child);
        }
      }
    };
    for (const file of rendered) collect(file.object);
    expect([...keys].filter((key) => !references.includes(key))).toEqual([]);
    expect([...keys]).toContain('secretKey');
  });
});
