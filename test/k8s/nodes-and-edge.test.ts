import { EDGE_INGRESS_GROUP } from '@platform/k8s-platform';
import {
  isUserError,
  loadModel,
  loadPlatformModel,
  PROMETHEUS_RETENTION_DAYS,
  platformModelInput,
} from '@platform/model';
import { addEdgeService, draftModel } from '../model/support/drafts';
import { edgeRouteOf, environmentNamed, environmentNames, sorted } from '../support/model-facts';
import { findObject, objectsOf, renderModel } from './support/rendered';

const model = loadPlatformModel();
const rendered = renderModel(model);
const ENVIRONMENTS = environmentNames(model);
/** `<organization>-<environment>`: the cluster's name in the naming contract. */
const clusterName = (environment: string) => `${model.organization.name}-${environment}`;

describe('Karpenter nodes', () => {
  it('launch from one EC2NodeClass with the contract node role and discovery tag, IMDSv2 and hop limit 1', () => {
    for (const environment of ENVIRONMENTS) {
      const nodeClass = findObject(rendered, environment, 'EC2NodeClass', 'default');
      const discovery = [{ tags: { 'karpenter.sh/discovery': clusterName(environment) } }];
      expect(nodeClass.apiVersion).toBe('karpenter.k8s.aws/v1');
      expect(nodeClass.spec.role).toBe(`${clusterName(environment)}-karpenter-node`);
      expect(nodeClass.spec.subnetSelectorTerms).toEqual(discovery);
      expect(nodeClass.spec.securityGroupSelectorTerms).toEqual(discovery);
      expect(nodeClass.spec.metadataOptions).toEqual({ httpTokens: 'required', httpPutResponseHopLimit: 1 });
      // The AL2023 root volume, encrypted, gone with its node.
      expect(nodeClass.spec.blockDeviceMappings).toEqual([
        {
          deviceName: '/dev/xvda',
          ebs: { volumeSize: '50Gi', volumeType: 'gp3', encrypted: true, deleteOnTermination: true },
        },
      ]);
      expect(nodeClass.spec.tags).toEqual({
        Name: `${clusterName(environment)}-karpenter`,
        'karpenter.sh/discovery': clusterName(environment),
      });
    }
  });

  it('run the AMI release the model pins per environment, never one that moves by itself', () => {
    const amiTerms = (files: typeof rendered, environment: string) =>
      findObject(files, environment, 'EC2NodeClass', 'default').spec.amiSelectorTerms;
    for (const environment of ENVIRONMENTS) {
      expect(amiTerms(rendered, environment)).toEqual([
        { alias: `al2023@${environmentNamed(model, environment).cluster.karpenterAmiRelease}` },
      ]);
    }
    const input = structuredClone(platformModelInput);
    const [promoted] = input.environments;
    promoted.cluster.karpenterAmiRelease = 'v20991231';
    const files = renderModel(loadModel(input));
    for (const environment of ENVIRONMENTS) {
      expect(amiTerms(files, environment)).toEqual(
        environment === promoted.name ? [{ alias: 'al2023@v20991231' }] : amiTerms(rendered, environment),
      );
    }
  });

  it('refuses a moving AMI release in the model, naming the field', () => {
    const input = structuredClone(platformModelInput);
    const environment = input.environments[input.environments.length - 1];
    environment.cluster.karpenterAmiRelease = 'latest';
    let error: unknown;
    try {
      loadModel(input);
    } catch (caught) {
      error = caught;
    }
    expect(isUserError(error)).toBe(true);
    expect(String((error as Error).message)).toContain(`environments.${environment.name}.cluster.karpenterAmiRelease`);
    expect(String((error as Error).message)).toMatch(/karpenterAmiRelease.*'v\d{8}'/s);
  });

  it('come from a spot and an on-demand NodePool of instance categories c, m and r', () => {
    for (const environment of ENVIRONMENTS) {
      const pools = objectsOf(rendered, environment, 'NodePool');
      expect(sorted(pools.map((p) => p.metadata.name))).toEqual(['on-demand', 'spot']);
      for (const pool of pools) {
        expect(pool.apiVersion).toBe('karpenter.sh/v1');
        const requirements = Object.fromEntries(
          pool.spec.template.spec.requirements.map((r: { key: string; values: string[] }) => [r.key, r.values]),
        );
        expect(requirements['karpenter.sh/capacity-type']).toEqual([pool.metadata.name]);
        expect(requirements['karpenter.k8s.aws/instance-category']).toEqual(['c', 'm', 'r']);
        // Graviton Linux nodes of generation 6 or later, like the managed node groups.
        expect(requirements['kubernetes.io/arch']).toEqual(['arm64']);
        expect(requirements['kubernetes.io/os']).toEqual(['linux']);
        expect(
          pool.spec.template.spec.requirements.find(
            (r: { key: string }) => r.key === 'karpenter.k8s.aws/instance-generation',
          ),
        ).toEqual({ key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['5'] });
        expect(pool.spec.template.spec.nodeClassRef).toEqual({
          group: 'karpenter.k8s.aws',
          kind: 'EC2NodeClass',
          name: 'default',
        });
      }
    }
  });

  it('prefer spot capacity to on-demand', () => {
    for (const environment of ENVIRONMENTS) {
      const weight = (name: string) => findObject(rendered, environment, 'NodePool', name).spec.weight;
      expect(weight('spot')).toBeGreaterThan(weight('on-demand'));
    }
  });

  it('consolidate when empty or underutilized, within disruption budgets: never for underutilization in office hours', () => {
    for (const environment of ENVIRONMENTS) {
      for (const pool of objectsOf(rendered, environment, 'NodePool')) {
        expect(pool.spec.disruption).toEqual({
          consolidationPolicy: 'WhenEmptyOrUnderutilized',
          consolidateAfter: '5m',
          budgets: [
            { nodes: '10%' },
            { nodes: '0', reasons: ['Underutilized'], schedule: '0 8 * * mon-fri', duration: '10h' },
          ],
        });
      }
    }
  });

  it('replace every node within 30 days, and drain an expired or drifted node within a day even if a budget blocks', () => {
    for (const environment of ENVIRONMENTS) {
      for (const pool of objectsOf(rendered, environment, 'NodePool')) {
        expect(pool.spec.template.spec.expireAfter).toBe('720h');
        expect(pool.spec.template.spec.terminationGracePeriod).toBe('24h');
      }
    }
  });

  it('split the environment limits of the model between the two pools, rounding up', () => {
    for (const environment of ENVIRONMENTS) {
      const { cpu, memoryGiB } = environmentNamed(model, environment).cluster.karpenterLimits;
      const half = { cpu: Math.ceil(cpu / 2), memory: `${Math.ceil(memoryGiB / 2)}Gi` };
      expect(objectsOf(rendered, environment, 'NodePool').map((p) => p.spec.limits)).toEqual([half, half]);
    }
  });
});

describe('storage', () => {
  it('makes encrypted gp3 EBS volumes the default, created in the zone of their first pod, before the add-ons sync', () => {
    for (const environment of ENVIRONMENTS) {
      const classes = objectsOf(rendered, environment, 'StorageClass');
      expect(classes.map((c) => c.metadata.name)).toEqual(['gp3']);
      expect(classes[0]).toMatchObject({
        metadata: { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
        provisioner: 'ebs.csi.aws.com',
        parameters: { type: 'gp3', encrypted: 'true', 'csi.storage.k8s.io/fstype': 'ext4' },
        reclaimPolicy: 'Delete',
        volumeBindingMode: 'WaitForFirstConsumer',
        allowVolumeExpansion: true,
      });
      const wave = (name: string) =>
        Number(
          findObject(rendered, environment, 'Application', name).metadata.annotations['argocd.argoproj.io/sync-wave'],
        );
      expect(wave('platform-storage')).toBeLessThan(wave('kube-prometheus-stack'));
    }
  });

  it('keeps the Prometheus history on a volume of that class, capped below its size', () => {
    for (const environment of ENVIRONMENTS) {
      const spec = findObject(rendered, environment, 'Application', 'kube-prometheus-stack').spec.source.helm
        .valuesObject.prometheus.prometheusSpec;
      expect(spec.storageSpec.volumeClaimTemplate.spec).toEqual({
        storageClassName: 'gp3',
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: '100Gi' } },
      });
      expect(spec.retentionSize).toBe('90GB');
      // The model's figure, which the SLO rule holds every window to.
      expect(spec.retention).toBe(`${PROMETHEUS_RETENTION_DAYS}d`);
    }
  });
});

describe('edge', () => {
  const edgeServices = model.services.filter((service) => service.exposure === 'edge');

  it('exposes the edge services, and only them, through ALB Ingresses', () => {
    for (const environment of ENVIRONMENTS) {
      const ingresses = objectsOf(rendered, environment, 'Ingress');
      expect(sorted(ingresses.map((i) => `${i.metadata.namespace}/${i.metadata.name}`))).toEqual(
        sorted(edgeServices.map((service) => `${service.team}/${service.name}`)),
      );
    }
  });

  it('terminates TLS 1.2/1.3 with the certificate of the environment, redirects HTTP, drops invalid headers, targets pod IPs and checks readiness', () => {
    for (const environment of ENVIRONMENTS) {
      const { edge } = environmentNamed(model, environment);
      for (const service of edgeServices) {
        const ingress = findObject(rendered, environment, 'Ingress', service.name, service.team);
        expect(ingress.spec.ingressClassName).toBe('alb');
        expect(ingress.metadata.annotations).toMatchObject({
          'alb.ingress.kubernetes.io/scheme': 'internet-facing',
          'alb.ingress.kubernetes.io/target-type': 'ip',
          'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP": 80}, {"HTTPS": 443}]',
          'alb.ingress.kubernetes.io/ssl-redirect': '443',
          'alb.ingress.kubernetes.io/certificate-arn': edge.certificateArn,
          'alb.ingress.kubernetes.io/healthcheck-path': service.health.readiness,
          'alb.ingress.kubernetes.io/healthcheck-port': 'traffic-port',
          'alb.ingress.kubernetes.io/ssl-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
          'alb.ingress.kubernetes.io/load-balancer-attributes': 'routing.http.drop_invalid_header_fields.enabled=true',
        });
        // One rule: the service's route, to its http port.
        const route = edgeRouteOf(environmentNamed(model, environment), service);
        expect(ingress.spec.rules).toEqual([
          {
            host: route.host,
            http: {
              paths: [
                {
                  path: route.path,
                  pathType: 'Prefix',
                  backend: { service: { name: service.name, port: { name: 'http' } } },
                },
              ],
            },
          },
        ]);
      }
    }
  });

  it('routes no host and path of an environment to two services', () => {
    for (const environment of ENVIRONMENTS) {
      const routes = objectsOf(rendered, environment, 'Ingress').flatMap((ingress) =>
        ingress.spec.rules.flatMap((rule: { host: string; http: { paths: { path: string }[] } }) =>
          rule.http.paths.map((path) => `${rule.host}${path.path}`),
        ),
      );
      expect(new Set(routes).size).toBe(routes.length);
    }
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
      edgeServices.map((service) => edgeRouteOf(environment, service)).sort((a, b) => a.path.localeCompare(b.path)),
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

  it('lets the ALB gate the readiness of pods in the namespaces of edge services only', () => {
    const label = 'elbv2.k8s.aws/pod-readiness-gate-inject';
    for (const environment of ENVIRONMENTS) {
      for (const team of model.teams) {
        const labels = findObject(rendered, environment, 'Namespace', team.name).metadata.labels;
        if (edgeServices.some((service) => service.team === team.name)) expect(labels[label]).toBe('enabled');
        else expect(labels).not.toHaveProperty(label);
      }
    }
  });

  it('uses no retired ingress-nginx anywhere', () => {
    expect(JSON.stringify(rendered)).not.toMatch(/ingress-nginx|kubernetes\.io\/ingress\.class.*nginx/);
  });
});
