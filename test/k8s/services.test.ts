import { loadModel, platformModelInput } from '@platform/model';
import { findObject, objectsOf, renderModel } from './support/rendered';

const rendered = renderModel();
const deployment = (name: string, environment = 'prod') => findObject(rendered, environment, 'Deployment', name);
const container = (name: string, environment = 'prod') =>
  deployment(name, environment).spec.template.spec.containers[0];
const SERVICES = ['order-service', 'user-service', 'notification-service'];

describe('service Deployments', () => {
  it('run the ECR image of the contract at the immutable tag of the model', () => {
    expect(container('order-service').image).toBe(
      '444444444444.dkr.ecr.us-east-1.amazonaws.com/acme/order-service:1.4.2',
    );
    expect(container('user-service', 'dev').image).toBe(
      '444444444444.dkr.ecr.us-east-1.amazonaws.com/acme/user-service:2.1.0',
    );
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
    expect(container('order-service').resources).toEqual({
      requests: { cpu: '250m', memory: '256Mi' },
      limits: { memory: '512Mi' },
    });
    expect(container('notification-service').resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { memory: '256Mi' },
    });
  });

  it('probe startup, readiness and liveness on the model paths through the http port', () => {
    const { startupProbe, readinessProbe, livenessProbe } = container('user-service');
    expect(startupProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container('user-service').ports).toEqual([
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
    ]);
  });

  it.each(SERVICES)('%s meets Pod Security restricted', (name) => {
    const pod = deployment(name).spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
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
    expect(pod.volumes ?? []).toEqual([]);
  });

  it('roll out one new pod at a time without going below the current capacity', () => {
    expect(deployment('order-service').spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
    });
  });

  it('spread pods across zones (hard) and hosts (soft)', () => {
    const constraints = deployment('order-service').spec.template.spec.topologySpreadConstraints;
    expect(constraints.map((c: Record<string, unknown>) => [c.topologyKey, c.whenUnsatisfiable, c.maxSkew])).toEqual([
      ['topology.kubernetes.io/zone', 'DoNotSchedule', 1],
      ['kubernetes.io/hostname', 'ScheduleAnyway', 1],
    ]);
    expect(constraints[0].labelSelector.matchLabels).toEqual(deployment('order-service').spec.selector.matchLabels);
  });

  it('pause in preStop with the kubelet’s sleep action, needing no sleep binary in the image, within the grace period', () => {
    for (const file of rendered.filter((f) => f.object.kind === 'Deployment')) {
      const pod = file.object.spec.template.spec;
      expect(pod.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: 10 } } });
      expect(pod.terminationGracePeriodSeconds).toBe(40);
    }
  });

  it('fall back to an exec sleep in an environment whose Kubernetes has no sleep action yet (1.28)', () => {
    const input = structuredClone(platformModelInput);
    input.environments[0].cluster.kubernetesVersion = '1.28';
    const older = renderModel(loadModel(input));
    const pod = (environment: string) =>
      findObject(older, environment, 'Deployment', 'user-service').spec.template.spec;
    expect(pod('dev').containers[0].lifecycle).toEqual({ preStop: { exec: { command: ['sleep', '10'] } } });
    expect(pod('prod').containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: 10 } } });
  });

  it('mount no service account token, since no service uses the Kubernetes API', () => {
    for (const name of SERVICES) {
      expect(deployment(name).spec.template.spec.automountServiceAccountToken).toBe(false);
      expect(deployment(name).spec.template.spec.serviceAccountName).toBe(name);
    }
  });

  it('carry the recommended labels plus team and environment on the Deployment and its pods', () => {
    const expected = {
      'app.kubernetes.io/name': 'notification-service',
      'app.kubernetes.io/instance': 'notification-service',
      'app.kubernetes.io/version': '0.9.7',
      'app.kubernetes.io/component': 'internal-api',
      'app.kubernetes.io/part-of': 'acme',
      'app.kubernetes.io/managed-by': 'cdk8s',
      'platform.io/team': 'commerce',
      'platform.io/environment': 'staging',
    };
    const object = deployment('notification-service', 'staging');
    expect(object.metadata.labels).toEqual(expected);
    expect(object.spec.template.metadata.labels).toEqual(expected);
    expect(object.metadata.namespace).toBe('commerce');
  });

  it('get the region and the queue URLs of the contract as settings, and data store secrets through envFrom', () => {
    expect(container('order-service').env).toEqual([
      { name: 'AWS_REGION', value: 'us-east-1' },
      { name: 'ORDERS_QUEUE_URL', value: 'https://sqs.us-east-1.amazonaws.com/333333333333/acme-prod-orders' },
    ]);
    expect(container('order-service').envFrom).toEqual([{ secretRef: { name: 'order-service-postgres' } }]);
    expect(container('notification-service', 'dev').env[1].value).toBe(
      'https://sqs.us-east-1.amazonaws.com/111111111111/acme-dev-orders',
    );
    expect(container('notification-service').envFrom).toEqual([{ secretRef: { name: 'notification-service-redis' } }]);
    expect(container('user-service').env).toEqual([{ name: 'AWS_REGION', value: 'us-east-1' }]);
  });

  it('mount a writable /tmp only for a service that asks for it', () => {
    const input = structuredClone(platformModelInput);
    input.services[1] = { ...input.services[1], writableTmp: true };
    const withTmp = renderModel(loadModel(input));
    const pod = findObject(withTmp, 'dev', 'Deployment', 'user-service').spec.template.spec;
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }]);
    expect(pod.containers[0].volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(pod.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    expect(findObject(withTmp, 'dev', 'Deployment', 'order-service').spec.template.spec.volumes).toBeUndefined();
  });

  it('pin an image by digest when the model gives one, with a valid version label', () => {
    const digest = `sha256:${'ab12'.repeat(16)}`;
    const input = structuredClone(platformModelInput);
    input.services[1] = { ...input.services[1], image: { tag: digest } };
    const object = findObject(renderModel(loadModel(input)), 'prod', 'Deployment', 'user-service');
    expect(object.spec.template.spec.containers[0].image).toBe(
      `444444444444.dkr.ecr.us-east-1.amazonaws.com/acme/user-service@${digest}`,
    );
    expect(object.metadata.labels['app.kubernetes.io/version']).toBe('sha256-ab12ab12ab12');
  });

  it('mount the token when a service uses the Kubernetes API', () => {
    const input = structuredClone(platformModelInput);
    input.services[2] = { ...input.services[2], usesKubernetesApi: true };
    const withApi = renderModel(loadModel(input));
    expect(
      findObject(withApi, 'dev', 'Deployment', 'notification-service').spec.template.spec.automountServiceAccountToken,
    ).toBe(true);
    expect(findObject(withApi, 'dev', 'ServiceAccount', 'notification-service').automountServiceAccountToken).toBe(
      true,
    );
  });
});

describe('the other objects of a service', () => {
  it('expose it through a ClusterIP Service with the http and metrics ports', () => {
    const service = findObject(rendered, 'prod', 'Service', 'user-service');
    expect(service.metadata.namespace).toBe('identity');
    expect(service.spec).toEqual({
      type: 'ClusterIP',
      selector: { 'app.kubernetes.io/name': 'user-service', 'app.kubernetes.io/instance': 'user-service' },
      ports: [
        { name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' },
        { name: 'metrics', port: 9090, targetPort: 'metrics', protocol: 'TCP' },
      ],
    });
  });

  it('give it the ServiceAccount of the contract without an IRSA annotation (the AWS half uses Pod Identity)', () => {
    const account = findObject(rendered, 'prod', 'ServiceAccount', 'order-service', 'commerce');
    expect(account.metadata.annotations).toBeUndefined();
    expect(account.automountServiceAccountToken).toBe(false);
  });

  it('scale it horizontally on CPU and memory between the model bounds, slowly down', () => {
    const hpa = findObject(rendered, 'prod', 'HorizontalPodAutoscaler', 'order-service');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'order-service' });
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([3, 10]);
    expect(hpa.spec.metrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } } },
    ]);
    expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(300);
  });

  it('protect it with a PodDisruptionBudget that lets at most one pod go at a time', () => {
    const pdb = findObject(rendered, 'prod', 'PodDisruptionBudget', 'user-service');
    expect(pdb.apiVersion).toBe('policy/v1');
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'user-service',
      'app.kubernetes.io/instance': 'user-service',
    });
  });

  it('size it with a VerticalPodAutoscaler that only recommends', () => {
    const vpa = findObject(rendered, 'prod', 'VerticalPodAutoscaler', 'user-service');
    expect(vpa.spec.updatePolicy).toEqual({ updateMode: 'Off' });
    expect(vpa.spec.targetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'user-service' });
  });

  it('scrape its metrics port through a ServiceMonitor', () => {
    const monitor = findObject(rendered, 'prod', 'ServiceMonitor', 'notification-service');
    expect(monitor.metadata.namespace).toBe('commerce');
    expect(monitor.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
    expect(monitor.spec.selector.matchLabels).toEqual(
      findObject(rendered, 'prod', 'Service', 'notification-service').spec.selector,
    );
  });
});

describe('secrets wiring', () => {
  it('reads the database credentials from Secrets Manager and the connection facts from SSM, by contract names', () => {
    const secret = findObject(rendered, 'staging', 'ExternalSecret', 'user-service-postgres', 'identity');
    expect(secret.apiVersion).toBe('external-secrets.io/v1');
    expect(secret.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'aws-secrets-manager' });
    expect(secret.spec.target).toEqual({ name: 'user-service-postgres', creationPolicy: 'Owner' });
    // Synced before the Deployment of its folder, which reads the Secret through envFrom.
    expect(secret.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '-1' });
    const deploymentAnnotations = findObject(rendered, 'staging', 'Deployment', 'user-service').metadata.annotations;
    expect(deploymentAnnotations?.['argocd.argoproj.io/sync-wave']).toBeUndefined();
    expect(secret.spec.data).toEqual([
      {
        secretKey: 'POSTGRES_USERNAME',
        remoteRef: { key: 'acme/staging/user-service/postgres', property: 'username' },
      },
      {
        secretKey: 'POSTGRES_PASSWORD',
        remoteRef: { key: 'acme/staging/user-service/postgres', property: 'password' },
      },
      ...['host', 'port', 'database'].map((key) => ({
        secretKey: `POSTGRES_${key.toUpperCase()}`,
        remoteRef: { key: `/acme/staging/user-service/postgres/${key}` },
        sourceRef: { storeRef: { kind: 'ClusterSecretStore', name: 'aws-parameter-store' } },
      })),
    ]);
  });

  it('gives a service only the stores it declares', () => {
    const names = objectsOf(rendered, 'prod', 'ExternalSecret')
      .filter((s) => ['commerce', 'identity'].includes(s.metadata.namespace ?? ''))
      .map((s) => `${s.metadata.namespace}/${s.metadata.name}`);
    expect(names.sort()).toEqual([
      'commerce/notification-service-redis',
      'commerce/order-service-postgres',
      'identity/user-service-postgres',
    ]);
    const redis = findObject(rendered, 'prod', 'ExternalSecret', 'notification-service-redis');
    expect(redis.spec.data.map((d: { secretKey: string }) => d.secretKey)).toEqual([
      'REDIS_USERNAME',
      'REDIS_PASSWORD',
      'REDIS_HOST',
      'REDIS_PORT',
    ]);
  });

  it('has one ClusterSecretStore per AWS service, in the region, for the team namespaces only, with no credentials', () => {
    const stores = objectsOf(rendered, 'dev', 'ClusterSecretStore');
    expect(stores.map((s) => [s.metadata.name, s.spec.provider])).toEqual([
      ['aws-parameter-store', { aws: { service: 'ParameterStore', region: 'us-east-1' } }],
      ['aws-secrets-manager', { aws: { service: 'SecretsManager', region: 'us-east-1' } }],
    ]);
    for (const store of stores) {
      expect(store.spec.conditions).toEqual([{ namespaces: ['commerce', 'identity', 'monitoring'] }]);
    }
  });

  it('admits every ExternalSecret of dist/ to the store it names, and every store it names exists', () => {
    for (const environment of ['dev', 'staging', 'prod']) {
      const stores = new Map(objectsOf(rendered, environment, 'ClusterSecretStore').map((s) => [s.metadata.name, s]));
      for (const secret of objectsOf(rendered, environment, 'ExternalSecret')) {
        const names = [
          secret.spec.secretStoreRef.name,
          ...secret.spec.data.flatMap(
            (d: { sourceRef?: { storeRef: { name: string } } }) => d.sourceRef?.storeRef.name ?? [],
          ),
        ];
        for (const name of names) {
          const store = stores.get(name);
          expect(store).toBeDefined();
          expect(store?.spec.conditions[0].namespaces).toContain(secret.metadata.namespace);
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
