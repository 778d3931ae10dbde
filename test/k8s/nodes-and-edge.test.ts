import { EDGE_INGRESS_GROUP } from '@platform/k8s-platform';
import {
  edgeRoute,
  isUserError,
  loadModel,
  loadPlatformModel,
  PROMETHEUS_RETENTION_DAYS,
  platformModelInput,
} from '@platform/model';
import { addEdgeService, draftModel } from '../model/support/drafts';
import { findObject, objectsOf, renderModel } from './support/rendered';

const rendered = renderModel();

describe('Karpenter nodes', () => {
  it('launch from one EC2NodeClass with the contract node role and discovery tag, IMDSv2 and hop limit 1', () => {
    const nodeClass = findObject(rendered, 'prod', 'EC2NodeClass', 'default');
    expect(nodeClass.apiVersion).toBe('karpenter.k8s.aws/v1');
    expect(nodeClass.spec.role).toBe('acme-prod-karpenter-node');
    expect(nodeClass.spec.subnetSelectorTerms).toEqual([{ tags: { 'karpenter.sh/discovery': 'acme-prod' } }]);
    expect(nodeClass.spec.securityGroupSelectorTerms).toEqual([{ tags: { 'karpenter.sh/discovery': 'acme-prod' } }]);
    expect(nodeClass.spec.metadataOptions).toEqual({ httpTokens: 'required', httpPutResponseHopLimit: 1 });
    expect(nodeClass.spec.blockDeviceMappings[0].ebs.encrypted).toBe(true);
  });

  it('run the AMI release the model pins per environment, never one that moves by itself', () => {
    for (const environment of ['dev', 'staging', 'prod']) {
      expect(findObject(rendered, environment, 'EC2NodeClass', 'default').spec.amiSelectorTerms).toEqual([
        { alias: 'al2023@v20260903' },
      ]);
    }
    const input = structuredClone(platformModelInput);
    input.environments[0].cluster.karpenterAmiRelease = 'v20261101';
    const promoted = renderModel(loadModel(input));
    expect(findObject(promoted, 'dev', 'EC2NodeClass', 'default').spec.amiSelectorTerms).toEqual([
      { alias: 'al2023@v20261101' },
    ]);
    expect(findObject(promoted, 'prod', 'EC2NodeClass', 'default').spec.amiSelectorTerms).toEqual([
      { alias: 'al2023@v20260903' },
    ]);
  });

  it('refuses a moving AMI release in the model, naming the field', () => {
    const input = structuredClone(platformModelInput);
    input.environments[2].cluster.karpenterAmiRelease = 'latest';
    let error: unknown;
    try {
      loadModel(input);
    } catch (caught) {
      error = caught;
    }
    expect(isUserError(error)).toBe(true);
    expect(String((error as Error).message)).toMatch(/karpenterAmiRelease.*'v20260903'/s);
  });

  it('come from a spot and an on-demand NodePool of instance categories c, m and r', () => {
    const pools = objectsOf(rendered, 'prod', 'NodePool');
    expect(pools.map((p) => p.metadata.name).sort()).toEqual(['on-demand', 'spot']);
    for (const pool of pools) {
      expect(pool.apiVersion).toBe('karpenter.sh/v1');
      const requirements = Object.fromEntries(
        pool.spec.template.spec.requirements.map((r: { key: string; values: string[] }) => [r.key, r.values]),
      );
      expect(requirements['karpenter.sh/capacity-type']).toEqual([pool.metadata.name]);
      expect(requirements['karpenter.k8s.aws/instance-category']).toEqual(['c', 'm', 'r']);
      expect(pool.spec.template.spec.nodeClassRef).toEqual({
        group: 'karpenter.k8s.aws',
        kind: 'EC2NodeClass',
        name: 'default',
      });
    }
  });

  it('consolidate when empty or underutilized, within disruption budgets', () => {
    const spot = findObject(rendered, 'dev', 'NodePool', 'spot');
    expect(spot.spec.disruption.consolidationPolicy).toBe('WhenEmptyOrUnderutilized');
    expect(spot.spec.disruption.budgets[0]).toEqual({ nodes: '10%' });
    expect(spot.spec.disruption.budgets[1]).toMatchObject({ nodes: '0', reasons: ['Underutilized'] });
  });

  it('replace every node within 30 days, and drain an expired or drifted node within a day even if a budget blocks', () => {
    for (const pool of objectsOf(rendered, 'prod', 'NodePool')) {
      expect(pool.spec.template.spec.expireAfter).toBe('720h');
      expect(pool.spec.template.spec.terminationGracePeriod).toBe('24h');
    }
  });

  it('split the environment limits of the model between the two pools', () => {
    const limits = objectsOf(rendered, 'prod', 'NodePool').map((p) => p.spec.limits);
    expect(limits).toEqual([
      { cpu: 256, memory: '1024Gi' },
      { cpu: 256, memory: '1024Gi' },
    ]);
    expect(findObject(rendered, 'dev', 'NodePool', 'spot').spec.limits).toEqual({ cpu: 32, memory: '128Gi' });
  });
});

describe('storage', () => {
  it('makes encrypted gp3 EBS volumes the default, created in the zone of their first pod, before the add-ons sync', () => {
    const classes = objectsOf(rendered, 'prod', 'StorageClass');
    expect(classes.map((c) => c.metadata.name)).toEqual(['gp3']);
    expect(classes[0]).toMatchObject({
      metadata: { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'ebs.csi.aws.com',
      parameters: { type: 'gp3', encrypted: 'true' },
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
    });
    const wave = (name: string) =>
      Number(findObject(rendered, 'prod', 'Application', name).metadata.annotations['argocd.argoproj.io/sync-wave']);
    expect(wave('platform-storage')).toBeLessThan(wave('kube-prometheus-stack'));
  });

  it('keeps the Prometheus history on a volume of that class, capped below its size', () => {
    const spec = findObject(rendered, 'prod', 'Application', 'kube-prometheus-stack').spec.source.helm.valuesObject
      .prometheus.prometheusSpec;
    expect(spec.storageSpec.volumeClaimTemplate.spec).toEqual({
      storageClassName: 'gp3',
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '100Gi' } },
    });
    expect(spec.retentionSize).toBe('90GB');
    // The model's figure, which the SLO rule holds every window to.
    expect(spec.retention).toBe(`${PROMETHEUS_RETENTION_DAYS}d`);
  });
});

describe('edge', () => {
  it('exposes the edge service, and only it, through an ALB Ingress', () => {
    const ingresses = objectsOf(rendered, 'prod', 'Ingress');
    expect(ingresses.map((i) => `${i.metadata.namespace}/${i.metadata.name}`)).toEqual(['commerce/order-service']);
  });

  it('terminates TLS 1.2/1.3 with the model certificate, redirects HTTP, drops invalid headers, targets pod IPs and checks readiness', () => {
    const ingress = findObject(rendered, 'staging', 'Ingress', 'order-service');
    expect(ingress.spec.ingressClassName).toBe('alb');
    expect(ingress.metadata.annotations).toMatchObject({
      'alb.ingress.kubernetes.io/scheme': 'internet-facing',
      'alb.ingress.kubernetes.io/target-type': 'ip',
      'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP": 80}, {"HTTPS": 443}]',
      'alb.ingress.kubernetes.io/ssl-redirect': '443',
      'alb.ingress.kubernetes.io/certificate-arn':
        'arn:aws:acm:us-east-1:222222222222:certificate/00000000-0000-0000-0000-000000000002',
      'alb.ingress.kubernetes.io/healthcheck-path': '/readyz',
      'alb.ingress.kubernetes.io/ssl-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      'alb.ingress.kubernetes.io/load-balancer-attributes': 'routing.http.drop_invalid_header_fields.enabled=true',
    });
    const model = loadPlatformModel();
    const staging = model.environments.find((environment) => environment.name === 'staging');
    const service = model.services.find((candidate) => candidate.name === 'order-service');
    if (!staging || !service) throw new Error('the shipped model has no staging or no order-service');
    const route = edgeRoute(staging, service);
    expect(ingress.spec.rules).toEqual([
      {
        host: route.host,
        http: {
          paths: [
            {
              path: route.path,
              pathType: 'Prefix',
              backend: { service: { name: 'order-service', port: { name: 'http' } } },
            },
          ],
        },
      },
    ]);
  });

  it('serves every edge service of an environment from one ALB, each on its route, longer paths tried first', () => {
    const input = draftModel();
    input.services[0] = { ...input.services[0], exposure: 'edge', edge: { path: '/' } };
    addEdgeService(input, 'catalog', { path: '/catalog/items' });
    addEdgeService(input, 'search');
    const model = loadModel(input);
    const environment = model.environments[0];
    const ingresses = objectsOf(renderModel(model), environment.name, 'Ingress');

    const edgeServices = model.services.filter((service) => service.exposure === 'edge');
    expect(ingresses.map((ingress) => ingress.metadata.annotations['alb.ingress.kubernetes.io/group.name'])).toEqual(
      edgeServices.map(() => EDGE_INGRESS_GROUP),
    );
    const rules = ingresses.map((ingress) => ({
      host: ingress.spec.rules[0].host,
      path: ingress.spec.rules[0].http.paths[0].path,
      order: Number(ingress.metadata.annotations['alb.ingress.kubernetes.io/group.order']),
    }));
    expect(rules.map(({ host, path }) => ({ host, path })).sort((a, b) => a.path.localeCompare(b.path))).toEqual(
      edgeServices.map((service) => edgeRoute(environment, service)).sort((a, b) => a.path.localeCompare(b.path)),
    );
    // The controller tries a group's rules by group.order, smallest first: on a shared host the longer path first.
    for (const a of rules) {
      for (const b of rules) {
        if (a.host === b.host && a.path.length > b.path.length) expect(a.order).toBeLessThan(b.order);
      }
      expect(a.order).toBeGreaterThanOrEqual(-1000);
      expect(a.order).toBeLessThanOrEqual(1000);
    }
  });

  it('lets the ALB gate the readiness of pods in the namespace of the edge service only', () => {
    const label = 'elbv2.k8s.aws/pod-readiness-gate-inject';
    expect(findObject(rendered, 'prod', 'Namespace', 'commerce').metadata.labels[label]).toBe('enabled');
    expect(findObject(rendered, 'prod', 'Namespace', 'identity').metadata.labels).not.toHaveProperty(label);
  });

  it('uses no retired ingress-nginx anywhere', () => {
    expect(JSON.stringify(rendered)).not.toMatch(/ingress-nginx|kubernetes\.io\/ingress\.class.*nginx/);
  });
});
