import { AppOfAppsChart, GitOpsChart, renderManifestFiles, SyncWave } from '@platform/k8s-platform';
import { loadPlatformModel } from '@platform/model';
import { ApiObject, App } from 'cdk8s';
import { parse } from 'yaml';
import { findObject, objectsOf, renderModel } from './support/rendered';

const model = loadPlatformModel();
const rendered = renderModel(model);
const applications = (environment: string) => objectsOf(rendered, environment, 'Application');

describe('the app-of-apps of an environment', () => {
  it('holds only the child Applications and the AppProject, in dist/<env>/', () => {
    const root = rendered.filter((f) => f.environment === 'prod' && f.path.split('/').length === 2);
    expect([...new Set(root.map((f) => f.object.kind))].sort()).toEqual(['AppProject', 'Application']);
  });

  it('has one Application per folder, each pointing at its folder without recursion', () => {
    const folders = [
      ...new Set(rendered.filter((f) => f.environment === 'dev').map((f) => f.path.split('/').slice(1, -1).join('/'))),
    ]
      .filter((folder) => folder !== '')
      .sort();
    const directoryApps = applications('dev').filter((a) => a.spec.source.directory !== undefined);
    expect(directoryApps.map((a) => a.spec.source.path.replace('dist/dev/', '')).sort()).toEqual(folders);
    for (const app of directoryApps) {
      expect(app.spec.source).toMatchObject({
        repoURL: 'https://github.com/acme/platform.git',
        targetRevision: 'main',
        directory: { recurse: false },
      });
    }
    expect(folders).toEqual(
      expect.arrayContaining([
        'namespaces',
        'platform/karpenter-nodes',
        'platform/secret-stores',
        'services/order-service',
        'teams/commerce',
      ]),
    );
  });

  it('syncs automatically with prune and self-heal, never creates namespaces, and keeps the resources finalizer', () => {
    for (const app of applications('prod')) {
      expect(app.metadata.namespace).toBe('argocd');
      expect(app.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
      expect(app.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
      expect(app.spec.syncPolicy.syncOptions).toContain('CreateNamespace=false');
      expect(app.spec.project).toBe(app.metadata.name.startsWith('services-') ? 'services' : 'platform');
      expect(app.spec.destination.server).toBe('https://kubernetes.default.svc');
    }
  });

  it('orders the waves: namespaces, CRDs and operators, cluster configuration, services', () => {
    const wave = (name: string) =>
      Number(findObject(rendered, 'prod', 'Application', name).metadata.annotations['argocd.argoproj.io/sync-wave']);
    expect(wave('namespaces')).toBeLessThan(wave('karpenter-crd'));
    expect(wave('karpenter-crd')).toBe(wave('kube-prometheus-stack'));
    expect(wave('kube-prometheus-stack')).toBeLessThan(wave('platform-karpenter-nodes'));
    expect(wave('platform-karpenter-nodes')).toBe(wave('platform-secret-stores'));
    expect(wave('platform-secret-stores')).toBe(wave('teams-identity'));
    expect(wave('teams-identity')).toBeLessThan(wave('services-order-service'));
  });

  it('keeps the services in their own AppProject: the GitOps repository, the team namespaces, no cluster objects or guard-rail objects', () => {
    const project = findObject(rendered, 'staging', 'AppProject', 'services');
    expect(project.spec.sourceRepos).toEqual(['https://github.com/acme/platform.git']);
    expect(project.spec.destinations).toEqual([
      { server: 'https://kubernetes.default.svc', namespace: 'commerce' },
      { server: 'https://kubernetes.default.svc', namespace: 'identity' },
    ]);
    expect(project.spec.clusterResourceWhitelist).toEqual([]);
    expect(project.spec.namespaceResourceWhitelist).toEqual([
      { group: '', kind: 'Service' },
      { group: '', kind: 'ServiceAccount' },
      { group: 'apps', kind: 'Deployment' },
      { group: 'autoscaling.k8s.io', kind: 'VerticalPodAutoscaler' },
      { group: 'autoscaling', kind: 'HorizontalPodAutoscaler' },
      { group: 'external-secrets.io', kind: 'ExternalSecret' },
      { group: 'monitoring.coreos.com', kind: 'ServiceMonitor' },
      { group: 'networking.k8s.io', kind: 'Ingress' },
      { group: 'networking.k8s.io', kind: 'NetworkPolicy' },
      { group: 'policy', kind: 'PodDisruptionBudget' },
    ]);
    expect(project.spec.namespaceResourceBlacklist).toEqual([
      { group: '', kind: 'ResourceQuota' },
      { group: '', kind: 'LimitRange' },
      { group: 'policies.kyverno.io', kind: 'PolicyException' },
      { group: 'kyverno.io', kind: 'PolicyException' },
    ]);
  });

  it('restricts the platform AppProject to the GitOps repository, the pinned chart repositories and the platform namespaces', () => {
    const project = findObject(rendered, 'staging', 'AppProject', 'platform');
    expect(project.spec.sourceRepos).toEqual([
      'https://aws.github.io/eks-charts',
      'https://charts.external-secrets.io',
      'https://charts.fairwinds.com/stable',
      'https://github.com/acme/platform.git',
      'https://kubernetes-sigs.github.io/metrics-server',
      'https://kyverno.github.io/kyverno',
      'https://prometheus-community.github.io/helm-charts',
      'oci://public.ecr.aws/karpenter/karpenter',
      'oci://public.ecr.aws/karpenter/karpenter-crd',
    ]);
    expect(project.spec.destinations.map((d: { namespace: string }) => d.namespace)).toEqual([
      'argocd',
      'commerce',
      'external-secrets',
      'identity',
      'karpenter',
      'kube-system',
      'kyverno',
      'monitoring',
    ]);
  });
});

describe('what Argo CD would admit', () => {
  it.each(['dev', 'staging', 'prod'])(
    'in %s every Application uses a repository and namespaces its project allows, and objects its project permits',
    (environment) => {
      const projects = new Map(objectsOf(rendered, environment, 'AppProject').map((p) => [p.metadata.name, p.spec]));
      for (const app of applications(environment)) {
        const project = projects.get(app.spec.project);
        expect(project).toBeDefined();
        expect(project?.sourceRepos).toContain(app.spec.source.repoURL);
        const allowed = project?.destinations.map((d: { namespace: string }) => d.namespace);
        if (app.spec.destination.namespace) expect(allowed).toContain(app.spec.destination.namespace);
        if (!app.spec.source.directory) continue;
        const folder = app.spec.source.path.replace(`dist/${environment}/`, '');
        const objects = rendered.filter((f) => f.path.startsWith(`${environment}/${folder}/`)).map((f) => f.object);
        expect(objects.length).toBeGreaterThan(0);
        for (const object of objects) {
          if (object.metadata.namespace) expect(allowed).toContain(object.metadata.namespace);
          else expect(project?.clusterResourceWhitelist).toEqual([{ group: '*', kind: '*' }]);
          const key = (r: { group: string; kind: string }) => `${r.group}/${r.kind}`;
          const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
          const objectKey = key({ group, kind: object.kind });
          expect((project?.namespaceResourceBlacklist ?? []).map(key)).not.toContain(objectKey);
          if (object.metadata.namespace && project?.namespaceResourceWhitelist) {
            expect(project.namespaceResourceWhitelist.map(key)).toContain(objectKey);
          }
        }
      }
    },
  );
});

describe('platform add-ons', () => {
  const helmApps = () => applications('prod').filter((a) => a.spec.source.helm !== undefined);

  it('are Helm Applications with pinned chart versions, each in its namespace', () => {
    expect(
      helmApps().map((a) => [
        a.metadata.name,
        a.spec.source.chart ?? a.spec.source.repoURL,
        a.spec.source.targetRevision,
        a.spec.destination.namespace,
      ]),
    ).toEqual([
      ['aws-load-balancer-controller', 'aws-load-balancer-controller', '3.2.2', 'kube-system'],
      ['external-secrets', 'external-secrets', '2.9.0', 'external-secrets'],
      ['karpenter-crd', 'oci://public.ecr.aws/karpenter/karpenter-crd', '1.14.1', 'karpenter'],
      ['karpenter', 'oci://public.ecr.aws/karpenter/karpenter', '1.14.1', 'karpenter'],
      ['kube-prometheus-stack', 'kube-prometheus-stack', '88.0.0', 'monitoring'],
      ['kyverno', 'kyverno', '3.9.0', 'kyverno'],
      ['metrics-server', 'metrics-server', '3.13.0', 'kube-system'],
      ['vertical-pod-autoscaler', 'vpa', '4.10.0', 'kube-system'],
    ]);
    for (const app of helmApps()) expect(app.spec.source.targetRevision).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('bind the add-ons to the service accounts of the contract, whose identities the AWS half creates', () => {
    const values = (name: string) => findObject(rendered, 'prod', 'Application', name).spec.source.helm.valuesObject;
    expect(values('aws-load-balancer-controller').serviceAccount).toEqual({
      create: true,
      name: 'aws-load-balancer-controller',
    });
    expect(values('aws-load-balancer-controller').clusterName).toBe('acme-prod');
    expect(values('external-secrets').serviceAccount).toEqual({ create: true, name: 'external-secrets' });
    expect(values('karpenter').serviceAccount).toEqual({ create: true, name: 'karpenter' });
    expect(values('karpenter').settings).toEqual({
      clusterName: 'acme-prod',
      interruptionQueue: 'acme-prod-karpenter-interruption',
    });
  });

  it('tell the AWS controllers their region and VPC, since pods cannot reach the instance metadata (hop limit 1)', () => {
    const values = (name: string) => findObject(rendered, 'prod', 'Application', name).spec.source.helm.valuesObject;
    expect(values('karpenter').controller.env).toEqual([{ name: 'AWS_REGION', value: 'us-east-1' }]);
    expect(values('aws-load-balancer-controller')).toMatchObject({
      region: 'us-east-1',
      vpcTags: { Name: 'acme-prod-vpc' },
    });
  });

  it('let Karpenter leave its CRDs to the CRD chart, both pulled from the OCI registry at their root', () => {
    const karpenter = findObject(rendered, 'prod', 'Application', 'karpenter').spec.source;
    expect(karpenter.helm.skipCrds).toBe(true);
    expect(karpenter.path).toBe('.');
    expect(karpenter.chart).toBeUndefined();
  });

  it('apply kube-prometheus-stack server-side and select the rules and monitors of every namespace', () => {
    const app = findObject(rendered, 'prod', 'Application', 'kube-prometheus-stack');
    expect(app.spec.syncPolicy.syncOptions).toEqual(['CreateNamespace=false', 'ServerSideApply=true']);
    expect(app.spec.source.helm.valuesObject.prometheus.prometheusSpec).toMatchObject({
      ruleSelectorNilUsesHelmValues: false,
      serviceMonitorSelectorNilUsesHelmValues: false,
      podMonitorSelectorNilUsesHelmValues: false,
    });
    expect(app.spec.source.helm.valuesObject).toHaveProperty('alertmanager');
  });

  it('apply the add-ons whose CRDs exceed the client-side annotation limit server-side', () => {
    const syncOptions = (name: string) =>
      findObject(rendered, 'prod', 'Application', name).spec.syncPolicy.syncOptions as string[];
    // SecretStore and ClusterSecretStore of External Secrets are about 690 KB each.
    for (const name of ['external-secrets', 'karpenter-crd', 'kube-prometheus-stack', 'kyverno']) {
      expect(syncOptions(name)).toContain('ServerSideApply=true');
    }
  });

  it('let Kyverno honour PolicyExceptions from the kyverno namespace only, where any shipped exception lives', () => {
    for (const environment of ['dev', 'staging', 'prod']) {
      const values = findObject(rendered, environment, 'Application', 'kyverno').spec.source.helm.valuesObject;
      expect(values.features.policyExceptions).toEqual({ enabled: true, namespace: 'kyverno' });
      const exceptions = objectsOf(rendered, environment, 'PolicyException');
      for (const exception of exceptions) expect(exception.metadata.namespace).toBe('kyverno');
    }
  });

  it('run the vertical pod autoscaler as recommender only', () => {
    expect(
      findObject(rendered, 'prod', 'Application', 'vertical-pod-autoscaler').spec.source.helm.valuesObject,
    ).toEqual({
      recommender: { enabled: true },
      updater: { enabled: false },
      admissionController: { enabled: false },
    });
  });
});

describe('AppOfAppsChart', () => {
  it('derives an Application for any GitOpsChart of its environment, including charts it does not know', () => {
    const app = new App();
    const [dev, prod] = [model.environments[0], model.environments[2]];
    const extra = new GitOpsChart(app, 'extra', {
      environment: dev.name,
      folder: 'extras/thing',
      syncWave: SyncWave.CLUSTER_CONFIGURATION,
    });
    new ApiObject(extra, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'commerce' } });
    new GitOpsChart(app, 'other-env', { environment: prod.name, folder: 'elsewhere' });
    new AppOfAppsChart(app, 'root', { organization: model.organization, environment: dev });
    const files = renderManifestFiles(app);
    const child = parse(files.get('dev/application-extras-thing.yaml') ?? '');
    expect(child.spec.source.path).toBe('dist/dev/extras/thing');
    expect(child.spec.destination.namespace).toBe('commerce');
    expect(child.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('1');
    expect([...files.keys()].filter((path) => path.includes('elsewhere'))).toEqual([]);
  });

  it('refuses to render a chart created after the app-of-apps, which would have no Application', () => {
    const app = new App();
    new AppOfAppsChart(app, 'root', { organization: model.organization, environment: model.environments[0] });
    new GitOpsChart(app, 'late', { environment: model.environments[0].name, folder: 'late' });
    expect(() => renderManifestFiles(app)).toThrow(/folder 'late' has no Application/);
  });
});
