import { readFileSync } from 'node:fs';
import {
  ARGO_CD_CHART,
  rootApplicationManifest,
  rootProjectManifest,
  SNAPSHOT_CONTROLLER_ADDON,
} from '@platform/aws-platform';
import { AppOfAppsChart, GitOpsChart, renderManifestFiles, SyncWave, UPSTREAM_CRDS } from '@platform/k8s-platform';
import {
  type Environment,
  EnvironmentNaming,
  GITOPS_ROOT_PROJECT,
  loadModel,
  loadPlatformModel,
  PLATFORM_NAMESPACES,
  type PlatformModel,
  platformModelInput,
} from '@platform/model';
import { ApiObject, App } from 'cdk8s';
import { parse, parseAllDocuments } from 'yaml';
import { environmentNamed, environmentNames, freeName, sorted } from '../support/model-facts';
import {
  annotationOptions,
  argoCdSyncProblems,
  type CrdFact,
  DEFAULT_PROJECT,
  type GitOpsRoot,
  isDestinationPermitted,
  isGroupKindPermitted,
  isSourcePermitted,
} from './support/argocd-sync';
import { upstreamCrdFiles } from './support/crd-schemas';
import { groupOf } from './support/kubernetes-scopes';
import { findObject, type Manifest, objectsOf, type RenderedObject, renderModel } from './support/rendered';

const model = loadPlatformModel();
const rendered = renderModel(model);
const applications = (environment: string) => objectsOf(rendered, environment, 'Application');
const environments = environmentNames(model);
const IN_CLUSTER = 'https://kubernetes.default.svc';

describe.each(environments)('the app-of-apps of %s', (environment) => {
  const { gitops, edge } = environmentNamed(model, environment);

  it('labels every object of its namespaces, teams, platform and services folders and of its root as the platform’s, of this environment', () => {
    const folders = /^[^/]+\/((namespaces|teams|platform|services)\/.*|[^/]+)$/;
    const objects = rendered.filter((f) => f.environment === environment && folders.test(f.path));
    expect(objects.length).toBeGreaterThan(0);
    for (const { path, object } of objects) {
      expect([path, object.metadata.labels]).toEqual([
        path,
        expect.objectContaining({
          'app.kubernetes.io/managed-by': 'cdk8s',
          'app.kubernetes.io/part-of': model.organization.name,
          'platform.io/environment': environment,
        }),
      ]);
      expect(object.metadata.labels['app.kubernetes.io/name']).toMatch(/\S/);
    }
  });

  it('holds only the child Applications and the AppProjects, in dist/<env>/', () => {
    const root = rendered.filter((f) => f.environment === environment && f.path.split('/').length === 2);
    expect(sorted(new Set(root.map((f) => f.object.kind)))).toEqual(['AppProject', 'Application']);
  });

  it('has one Application per folder, each pointing at its folder without recursion', () => {
    const folders = sorted(
      new Set(
        rendered
          .filter((f) => f.environment === environment)
          .map((f) => f.path.split('/').slice(1, -1).join('/'))
          .filter((folder) => folder !== ''),
      ),
    );
    const directoryApps = applications(environment).filter((a) => a.spec.source.directory !== undefined);
    expect(sorted(directoryApps.map((a) => a.spec.source.path.replace(`${gitops.path}/`, '')))).toEqual(folders);
    for (const app of directoryApps) {
      expect(app.spec.source).toMatchObject({
        repoURL: gitops.repoUrl,
        targetRevision: gitops.targetRevision,
        directory: { recurse: false },
      });
    }
    expect(folders).toEqual(
      expect.arrayContaining([
        'namespaces',
        'platform/karpenter-nodes',
        // Alertmanager's receivers, and each team whose services keep credentials, read secrets.
        'platform/secret-stores/monitoring',
        ...model.teams
          .filter((team) =>
            model.services.some((s) => s.team === team.name && (s.dependencies.database || s.dependencies.cache)),
          )
          .map((team) => `platform/secret-stores/${team.name}`),
        ...model.services.map((service) => `services/${service.name}`),
        ...model.teams.map((team) => `teams/${team.name}`),
      ]),
    );
  });

  it('syncs automatically with prune and self-heal, never creates namespaces, and keeps the resources finalizer', () => {
    for (const app of applications(environment)) {
      expect(app.metadata.namespace).toBe('argocd');
      expect(app.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io/foreground']);
      expect(app.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
      // Retried for ever, at most every 3 minutes (see 'retries every Application … without end' below).
      expect(app.spec.syncPolicy.retry).toEqual({
        limit: -1,
        backoff: { duration: '10s', factor: 2, maxDuration: '3m' },
      });
      expect(app.spec.syncPolicy.syncOptions).toContain('CreateNamespace=false');
      expect(app.spec.project).toBe(app.metadata.name.startsWith('services-') ? 'services' : 'platform');
      expect(app.spec.destination.server).toBe(IN_CLUSTER);
    }
  });

  it('orders the waves: namespaces, CRDs and operators, cluster configuration, services', () => {
    const wave = (name: string) =>
      Number(
        findObject(rendered, environment, 'Application', name).metadata.annotations['argocd.argoproj.io/sync-wave'],
      );
    expect(wave('namespaces')).toBeLessThan(wave('karpenter-crd'));
    expect(wave('karpenter-crd')).toBe(wave('kube-prometheus-stack'));
    expect(wave('kube-prometheus-stack')).toBeLessThan(wave('platform-karpenter-nodes'));
    expect(wave('platform-karpenter-nodes')).toBe(wave('platform-secret-stores-monitoring'));
    for (const team of model.teams) expect(wave(`teams-${team.name}`)).toBe(wave('platform-secret-stores-monitoring'));
    for (const service of model.services) {
      expect(wave(`services-${service.name}`)).toBeGreaterThan(wave('platform-secret-stores-monitoring'));
    }
  });

  it('keeps the services in their own AppProject: the GitOps repository, the team namespaces, no cluster objects or guard-rail objects', () => {
    const project = findObject(rendered, environment, 'AppProject', 'services');
    expect(project.spec.sourceRepos).toEqual([gitops.repoUrl]);
    expect(project.spec.destinations).toEqual(
      sorted(new Set(model.services.map((service) => service.team))).map((namespace) => ({
        server: IN_CLUSTER,
        namespace,
      })),
    );
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
    const project = findObject(rendered, environment, 'AppProject', 'platform');
    expect(project.spec.sourceRepos).toEqual(
      sorted([
        'https://aws.github.io/eks-charts',
        'https://charts.external-secrets.io',
        'https://charts.fairwinds.com/stable',
        'https://fluent.github.io/helm-charts',
        gitops.repoUrl,
        'https://kubernetes-sigs.github.io/metrics-server',
        'https://kyverno.github.io/kyverno',
        'https://open-telemetry.github.io/opentelemetry-helm-charts',
        'https://prometheus-community.github.io/helm-charts',
        'https://vmware-tanzu.github.io/helm-charts',
        'oci://public.ecr.aws/karpenter/karpenter',
        'oci://public.ecr.aws/karpenter/karpenter-crd',
        // external-dns only where the model names the edge's hosted zone.
        ...(edge.hostedZone ? ['https://kubernetes-sigs.github.io/external-dns'] : []),
      ]),
    );
    // '' for the Applications of cluster-scoped objects only; not argocd, which only the root project deploys to.
    expect(project.spec.destinations.map((d: { namespace: string }) => d.namespace)).toEqual(
      sorted([
        '',
        ...model.teams.map((team) => team.name),
        'external-dns',
        'external-secrets',
        'karpenter',
        'kube-system',
        'kyverno',
        'logging',
        'monitoring',
        'velero',
        'tracing',
      ]),
    );
  });
});

/** Namespaces every EKS cluster has before anything syncs. */
const KUBERNETES_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/**
 * What exists before the root Application of an environment syncs: the root Application and its project as the
 * cloud stack applies them (test/aws/cluster.test.ts checks it applies exactly these, the project first, and that
 * its Argo CD chart creates its namespace), and the `default` project Argo CD creates itself.
 */
function gitopsRoot(environment: Environment): GitOpsRoot {
  return {
    application: rootApplicationManifest(environment),
    projects: [rootProjectManifest(environment), DEFAULT_PROJECT],
    namespaces: [...KUBERNETES_NAMESPACES, PLATFORM_NAMESPACES.argocd],
    // Argo CD's chart and the EKS add-on that brings the VolumeSnapshot CRDs (platform-cluster.ts).
    releases: [ARGO_CD_CHART.release, SNAPSHOT_CONTROLLER_ADDON],
  };
}

/** Every CRD of UPSTREAM_CRDS, with the scope its file declares and the release that installs it. */
function upstreamCrdFacts(): CrdFact[] {
  const files = upstreamCrdFiles();
  return UPSTREAM_CRDS.flatMap((row, index) =>
    parseAllDocuments(readFileSync(files[index], 'utf8'))
      .map((document) => document.toJS())
      .filter((document) => document?.kind === 'CustomResourceDefinition')
      .map((crd) => ({
        group: crd.spec.group,
        kind: crd.spec.names.kind,
        scope: crd.spec.scope,
        installedBy: row.chart.release,
      })),
  );
}
const crds = upstreamCrdFacts();
const environmentOf = environmentNamed;

function syncProblems(of: PlatformModel, files: readonly RenderedObject[], name: string): string[] {
  const own = files.filter((file) => file.environment === name);
  return argoCdSyncProblems(name, own, gitopsRoot(environmentOf(of, name)), crds);
}

describe('what Argo CD 3.5.1 does with dist/<env>', () => {
  it.each(environments)(
    'admits every Application of %s, each finding its project, its namespaces and its CRDs in an earlier wave, every folder owned once',
    (environment) => {
      expect(syncProblems(model, rendered, environment)).toEqual([]);
    },
  );

  it('does so for a model with a team and a service the code has never seen', () => {
    const input = structuredClone(platformModelInput);
    const team = freeName('payments', input.teams);
    const name = freeName('payment-service', input.services);
    input.teams.push({ name: team, quota: { cpu: '4', memory: '8Gi', pods: 20 } });
    input.services.push({
      name,
      description: 'Takes payments for orders.',
      team,
      port: 8443,
      metricsPort: 9443,
      health: { liveness: '/live', readiness: '/ready', startup: '/started' },
      image: { tag: '3.0.1' },
      resources: { requests: { cpu: '300m', memory: '384Mi' }, limits: { memory: '768Mi', cpu: '1' } },
      replicas: { min: 2, max: 4 },
      autoscaling: { cpuUtilization: 60, memoryUtilization: 75 },
      dependencies: {
        calls: input.services.slice(0, 1).map((callee) => callee.name),
        publishes: [],
        consumes: [],
        database: false,
        cache: true,
      },
      slo: { availability: 99.95, latency: { percentile: 99, thresholdSeconds: 1 }, windowDays: 28 },
      exposure: 'internal',
      usesKubernetesApi: false,
    });
    const variant = loadModel(input);
    const variantRendered = renderModel(variant);
    for (const environment of environments) {
      expect(variantRendered.some((file) => file.path === `${environment}/application-teams-${team}.yaml`)).toBe(true);
      expect(variantRendered.some((file) => file.path === `${environment}/application-services-${name}.yaml`)).toBe(
        true,
      );
      expect(syncProblems(variant, variantRendered, environment)).toEqual([]);
    }
  });

  it.each(environments)(
    'retries every Application of %s without end, so what turns healthy after the sync starts is still deployed',
    (environment) => {
      // Argo CD 3.5.1 (controller/appcontroller.go) never auto-syncs a revision again once its retries are
      // used up; a negative limit retries for ever (with the capped backoff).
      const finite = applications(environment).filter((app) => !(app.spec.syncPolicy.retry?.limit < 0));
      expect(finite.map((app) => app.metadata.name)).toEqual([]);
      expect(
        (rootApplicationManifest(environmentOf(model, environment)) as Manifest).spec.syncPolicy.retry.limit,
      ).toBeLessThan(0);
    },
  );

  it.each(environments)(
    'syncs the ExternalSecrets of credentials an operator supplies in %s after everything else, so nothing waits for them',
    (environment) => {
      const naming = new EnvironmentNaming(model.organization, environmentOf(model, environment));
      const operatorSupplied = new Set(naming.alertReceiverSecrets.map((secret) => secret.secretName));
      const wave = (app: Manifest) => Number(app.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);
      const { path: root } = environmentOf(model, environment).gitops;
      // The folders (below dist/<env>/) whose ExternalSecrets read a secret that only an operator fills.
      const folders = new Set(
        rendered
          .filter((file) => file.environment === environment && file.object.kind === 'ExternalSecret')
          .filter((file) =>
            (file.object.spec.data ?? []).some((entry: Manifest) => operatorSupplied.has(entry.remoteRef.key)),
          )
          .map((file) => file.path.split('/').slice(1, -1).join('/')),
      );
      const waiting = applications(environment).filter((app) =>
        folders.has(String(app.spec.source.path).slice(root.length + 1)),
      );
      expect(waiting.length).toBe(operatorSupplied.size > 0 ? 1 : 0);
      const others = applications(environment).filter((app) => !waiting.includes(app));
      for (const app of waiting) {
        for (const other of others) expect(wave(app)).toBeGreaterThan(wave(other));
      }
    },
  );

  it('keeps every Namespace through prune and Application deletion, in the option syntax Argo CD parses', () => {
    for (const environment of environments) {
      const namespaces = objectsOf(rendered, environment, 'Namespace');
      expect(namespaces.length).toBeGreaterThan(0);
      for (const namespace of namespaces) {
        const options = annotationOptions(namespace, 'argocd.argoproj.io/sync-options');
        expect([namespace.metadata.name, options.get('Prune'), options.get('Delete')]).toEqual([
          namespace.metadata.name,
          'false',
          'false',
        ]);
      }
    }
  });

  it.each(environments)(
    'lets the root Application of %s retry like its children, in a project that admits Applications and AppProjects in the Argo CD namespace only',
    (environment) => {
      const root = gitopsRoot(environmentOf(model, environment));
      const [rootProject] = root.projects;
      expect(root.application.spec.project).toBe(rootProject.metadata.name);
      expect(root.application.spec.project).not.toBe('default');
      const children = applications(environment);
      const retry = root.application.spec.syncPolicy.retry;
      expect(retry).toBeDefined();
      for (const child of children) expect(child.spec.syncPolicy.retry).toEqual(retry);
      // Children belong to the environment's own projects, never to Argo CD's default or the root's.
      const projects = objectsOf(rendered, environment, 'AppProject').map((project) => project.metadata.name);
      expect(children.filter((child) => !projects.includes(child.spec.project))).toEqual([]);

      const argocd = root.application.metadata.namespace;
      const server = root.application.spec.destination.server;
      expect(isGroupKindPermitted(rootProject, 'argoproj.io', 'Application', 'x', 'Namespaced')).toBe(true);
      expect(isGroupKindPermitted(rootProject, 'argoproj.io', 'AppProject', 'x', 'Namespaced')).toBe(true);
      expect(isDestinationPermitted(rootProject, server, argocd)).toBe(true);
      for (const object of objectsOf(rendered, environment)) {
        const group = groupOf(object.apiVersion);
        if (group === 'argoproj.io') continue;
        const scope = object.metadata.namespace ? 'Namespaced' : 'Cluster';
        expect([
          object.kind,
          isGroupKindPermitted(rootProject, group, object.kind, object.metadata.name, scope),
        ]).toEqual([object.kind, false]);
        if (object.metadata.namespace && object.metadata.namespace !== argocd) {
          expect(isDestinationPermitted(rootProject, server, object.metadata.namespace)).toBe(false);
        }
      }
      expect(isDestinationPermitted(rootProject, server, '')).toBe(false);
    },
  );
});

describe('the simulation of Argo CD finds', () => {
  // biome-ignore lint/suspicious/noExplicitAny: the copies are edited as plain JSON.
  type Files = { path: string; environment: string; object: Record<string, any> }[];
  // The cases break one environment's files: the last one's, and its first service (where a case needs one).
  const target = environments[environments.length - 1];
  const [service] = model.services;
  const targetFiles = (): Files => structuredClone(rendered.filter((file) => file.environment === target)) as Files;
  const named = (files: Files, kind: string, name: string) => {
    const found = files.find((file) => file.object.kind === kind && file.object.metadata.name === name);
    if (!found) throw new Error(`no ${kind} ${name}`);
    return found.object;
  };
  const setWave = (object: Files[number]['object'], wave: number) => {
    object.metadata.annotations = { ...object.metadata.annotations, 'argocd.argoproj.io/sync-wave': String(wave) };
  };
  const add = (files: Files, path: string, object: Record<string, unknown>) =>
    files.push({ path: `${target}/${path}`, environment: target, object });

  const cases: [string, (files: Files) => void, RegExp][] = [
    [
      'AppProjects synced with the default wave 0, after the Applications of wave -1',
      (files) => {
        for (const file of files.filter((f) => f.object.kind === 'AppProject')) delete file.object.metadata.annotations;
      },
      /Application namespaces \(wave -1\): project platform is synced in wave 0, not before/,
    ],
    [
      'a destination without a namespace where the project lists named namespaces only',
      (files) => {
        const project = named(files, 'AppProject', 'platform');
        project.spec.destinations = project.spec.destinations.filter((d: { namespace: string }) => d.namespace !== '');
      },
      /Application platform-storage \(wave -1\): destination https:\/\/kubernetes.default.svc namespace '' is not permitted in project platform/,
    ],
    [
      'an add-on synced with the namespace it installs into',
      (files) => setWave(named(files, 'Application', 'namespaces'), 0),
      /Application kyverno \(wave 0\): destination namespace kyverno does not exist yet/,
    ],
    [
      'an object in a namespace nothing creates',
      (files) => {
        named(files, 'LimitRange', 'container-defaults').metadata.namespace = 'nowhere';
      },
      /LimitRange nowhere\/container-defaults: namespace nowhere does not exist yet \(nothing creates it\)/,
    ],
    [
      'a custom resource synced with the add-on that installs its CRD',
      (files) => setWave(named(files, 'Application', 'kyverno'), 1),
      /ValidatingPolicy \S+: its CRD comes with kyverno in wave 1, not before/,
    ],
    [
      'a custom resource whose CRD no add-on installs',
      (files) =>
        add(files, 'policies/widget-w.yaml', {
          apiVersion: 'example.com/v1',
          kind: 'Widget',
          metadata: { name: 'w', namespace: 'kyverno' },
        }),
      /Widget kyverno\/w: nothing known installs the CRD of example.com\/Widget/,
    ],
    [
      'a folder no Application owns',
      (files) =>
        files.splice(
          files.findIndex((f) => f.path === `${target}/application-alerting.yaml`),
          1,
        ),
      new RegExp(`folder dist/${target}/alerting is owned by 0 Applications`),
    ],
    [
      'a folder two Applications own',
      (files) => {
        const copy = structuredClone(named(files, 'Application', 'alerting'));
        copy.metadata.name = 'alerting-again';
        add(files, 'application-alerting-again.yaml', copy);
      },
      new RegExp(`folder dist/${target}/alerting is owned by 2 Applications \\(alerting, alerting-again\\)`),
    ],
    ...(service ? serviceCases(service) : []),
    [
      'a namespaced object without a namespace where the destination has none',
      (files) =>
        add(files, 'platform/storage/configmap-x.yaml', {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'x' },
        }),
      /ConfigMap x: names no namespace, and the destination has none/,
    ],
    [
      'an AppProject that would replace the root project',
      (files) => {
        const copy = structuredClone(named(files, 'AppProject', 'platform'));
        copy.metadata.name = GITOPS_ROOT_PROJECT;
        add(files, 'appproject-root.yaml', copy);
      },
      new RegExp(`AppProject platform-root of dist/${target} would replace the project of that name`),
    ],
  ];

  /** Cases that break the folder of a service. */
  function serviceCases({ name, team }: { name: string; team: string }): typeof cases {
    return [
      [
        'a namespaced kind outside a present but empty whitelist',
        (files) => {
          named(files, 'AppProject', 'services').spec.namespaceResourceWhitelist = [];
        },
        new RegExp(`Deployment ${team}/${name}: kind apps/Deployment is not permitted in project services`),
      ],
      [
        'a cluster-scoped kind where the cluster whitelist is empty',
        (files) =>
          add(files, `services/${name}/storageclass-x.yaml`, {
            apiVersion: 'storage.k8s.io/v1',
            kind: 'StorageClass',
            metadata: { name: 'x' },
          }),
        /StorageClass x: cluster-scoped kind storage.k8s.io\/StorageClass is not permitted in project services/,
      ],
      [
        'a blacklisted kind',
        (files) =>
          add(files, `services/${name}/resourcequota-x.yaml`, {
            apiVersion: 'v1',
            kind: 'ResourceQuota',
            metadata: { name: 'x', namespace: team },
          }),
        new RegExp(`ResourceQuota ${team}/x: kind /ResourceQuota is not permitted in project services`),
      ],
    ];
  }

  it.each(cases)('%s', (_, change, problem) => {
    const files = targetFiles();
    change(files);
    expect(syncProblems(model, files as RenderedObject[], target)).toEqual(
      expect.arrayContaining([expect.stringMatching(problem)]),
    );
  });

  it('destinations and kinds matched as Argo CD matches them: globs, deny patterns, absent and empty lists', () => {
    const server = 'https://kubernetes.default.svc';
    const project = (spec: Record<string, unknown>) => ({ spec });
    const kube = project({ destinations: [{ server: '*', namespace: 'kube-*' }] });
    expect(isDestinationPermitted(kube, server, 'kube-system')).toBe(true);
    expect(isDestinationPermitted(kube, server, 'default')).toBe(false);
    expect(isDestinationPermitted(kube, server, '')).toBe(false);
    const allButKubeSystem = project({
      destinations: [
        { server: '*', namespace: '*' },
        { server: '*', namespace: '!kube-system' },
      ],
    });
    expect(isDestinationPermitted(allButKubeSystem, server, 'default')).toBe(true);
    expect(isDestinationPermitted(allButKubeSystem, server, 'kube-system')).toBe(false);
    const clusterOnly = project({ destinations: [{ server, namespace: '' }] });
    expect(isDestinationPermitted(clusterOnly, server, '')).toBe(true);
    expect(isDestinationPermitted(clusterOnly, server, 'default')).toBe(false);
    expect(isDestinationPermitted(clusterOnly, 'https://elsewhere', '')).toBe(false);

    expect(isGroupKindPermitted(project({}), 'apps', 'Deployment', 'x', 'Namespaced')).toBe(true);
    expect(
      isGroupKindPermitted(project({ namespaceResourceWhitelist: [] }), 'apps', 'Deployment', 'x', 'Namespaced'),
    ).toBe(false);
    expect(isGroupKindPermitted(project({}), '', 'Namespace', 'x', 'Cluster')).toBe(false);
    expect(isGroupKindPermitted(project({ clusterResourceWhitelist: [] }), '', 'Namespace', 'x', 'Cluster')).toBe(
      false,
    );
    const teamNamespaces = project({ clusterResourceWhitelist: [{ group: '', kind: 'Namespace', name: 'team-*' }] });
    expect(isGroupKindPermitted(teamNamespaces, '', 'Namespace', 'team-a', 'Cluster')).toBe(true);
    expect(isGroupKindPermitted(teamNamespaces, '', 'Namespace', 'kube-system', 'Cluster')).toBe(false);
    const noSecrets = project({ namespaceResourceBlacklist: [{ group: '', kind: 'Secret' }] });
    expect(isGroupKindPermitted(noSecrets, '', 'Secret', 'x', 'Namespaced')).toBe(false);
    expect(isGroupKindPermitted(noSecrets, '', 'ConfigMap', 'x', 'Namespaced')).toBe(true);

    expect(
      isSourcePermitted(project({ sourceRepos: ['https://github.com/acme/*'] }), 'https://github.com/acme/x.git'),
    ).toBe(true);
    expect(
      isSourcePermitted(project({ sourceRepos: ['https://github.com/acme/*'] }), 'https://github.com/other/x'),
    ).toBe(false);
  });
});

describe.each(environments)('platform add-ons in %s', (environment) => {
  const { region, edge } = environmentNamed(model, environment);
  const cluster = `${model.organization.name}-${environment}`;
  const helmApps = () => applications(environment).filter((a) => a.spec.source.helm !== undefined);

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
      ...(edge.hostedZone ? [['external-dns', 'external-dns', '1.22.0', 'external-dns']] : []),
      ['external-secrets', 'external-secrets', '1.3.2', 'external-secrets'],
      ['fluent-bit', 'fluent-bit', '0.58.1', 'logging'],
      ['karpenter-crd', 'oci://public.ecr.aws/karpenter/karpenter-crd', '1.14.1', 'karpenter'],
      ['karpenter', 'oci://public.ecr.aws/karpenter/karpenter', '1.14.1', 'karpenter'],
      ['kube-prometheus-stack', 'kube-prometheus-stack', '88.0.0', 'monitoring'],
      ['kyverno', 'kyverno', '3.9.0', 'kyverno'],
      ['metrics-server', 'metrics-server', '3.13.0', 'kube-system'],
      ['opentelemetry-collector', 'opentelemetry-collector', '0.170.0', 'tracing'],
      ['velero', 'velero', '12.2.0', 'velero'],
      ['vertical-pod-autoscaler', 'vpa', '4.10.0', 'kube-system'],
    ]);
    for (const app of helmApps()) expect(app.spec.source.targetRevision).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('bind the add-ons to the service accounts of the contract, whose identities the AWS half creates', () => {
    const values = (name: string) =>
      findObject(rendered, environment, 'Application', name).spec.source.helm.valuesObject;
    expect(values('aws-load-balancer-controller').serviceAccount).toEqual({
      create: true,
      name: 'aws-load-balancer-controller',
    });
    expect(values('aws-load-balancer-controller').clusterName).toBe(cluster);
    expect(values('external-secrets').serviceAccount).toEqual({ create: true, name: 'external-secrets' });
    expect(values('karpenter').serviceAccount).toEqual({ create: true, name: 'karpenter' });
    expect(values('velero').serviceAccount).toEqual({ server: { create: true, name: 'velero' } });
    expect(values('fluent-bit').serviceAccount).toEqual({ create: true, name: 'fluent-bit' });
    expect(values('opentelemetry-collector').serviceAccount).toEqual({
      create: true,
      name: 'opentelemetry-collector',
    });
    expect(values('karpenter').settings).toEqual({
      clusterName: cluster,
      interruptionQueue: `${cluster}-karpenter-interruption`,
    });
  });

  it('tell the AWS controllers their region and VPC, since pods cannot reach the instance metadata (hop limit 1)', () => {
    const values = (name: string) =>
      findObject(rendered, environment, 'Application', name).spec.source.helm.valuesObject;
    expect(values('karpenter').controller.env).toEqual([{ name: 'AWS_REGION', value: region }]);
    expect(values('aws-load-balancer-controller')).toMatchObject({
      region,
      vpcTags: { Name: `${cluster}-vpc` },
    });
  });

  it('let Karpenter leave its CRDs to the CRD chart, both pulled from the OCI registry at their root', () => {
    const karpenter = findObject(rendered, environment, 'Application', 'karpenter').spec.source;
    expect(karpenter.helm.skipCrds).toBe(true);
    expect(karpenter.path).toBe('.');
    expect(karpenter.chart).toBeUndefined();
  });

  it('apply kube-prometheus-stack server-side and select the rules and monitors of every namespace', () => {
    const app = findObject(rendered, environment, 'Application', 'kube-prometheus-stack');
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
      findObject(rendered, environment, 'Application', name).spec.syncPolicy.syncOptions as string[];
    // SecretStore and ClusterSecretStore of External Secrets are about 690 KB each.
    for (const name of ['external-secrets', 'karpenter-crd', 'kube-prometheus-stack', 'kyverno']) {
      expect(syncOptions(name)).toContain('ServerSideApply=true');
    }
  });

  it('let Kyverno honour PolicyExceptions from the kyverno namespace only, where any shipped exception lives', () => {
    const values = findObject(rendered, environment, 'Application', 'kyverno').spec.source.helm.valuesObject;
    expect(values.features.policyExceptions).toEqual({ enabled: true, namespace: 'kyverno' });
    const exceptions = objectsOf(rendered, environment, 'PolicyException');
    for (const exception of exceptions) expect(exception.metadata.namespace).toBe('kyverno');
  });

  it('run External Secrets highly available: two controllers that elect a leader, two webhook replicas', () => {
    const values = findObject(rendered, environment, 'Application', 'external-secrets').spec.source.helm.valuesObject;
    // The chart's keys (external-secrets 1.3.2 values.yaml); helm-values.test.ts checks every key is the chart's.
    expect(values).toMatchObject({ replicaCount: 2, leaderElect: true, webhook: { replicaCount: 2 } });
  });

  it('keep the webhook certificate the load balancer chart generates on every render, in the webhooks and the Secret alike', () => {
    // eks-charts aws-load-balancer-controller 3.2.2 templates/_helpers.tpl: genCA unless cert-manager or webhookTLS.
    const app = findObject(rendered, environment, 'Application', 'aws-load-balancer-controller');
    const values = app.spec.source.helm.valuesObject;
    expect(values.enableCertManager ?? false).toBe(false);
    expect(values.webhookTLS).toBeUndefined();
    const ignored = (app.spec.ignoreDifferences ?? []).map(
      (d: Manifest) => `${d.kind}/${d.name} ${[...(d.jqPathExpressions ?? []), ...(d.jsonPointers ?? [])].join(' ')}`,
    );
    expect(ignored.sort()).toEqual([
      'MutatingWebhookConfiguration/aws-load-balancer-webhook .webhooks[]?.clientConfig.caBundle',
      'Secret/aws-load-balancer-tls /data',
      'ValidatingWebhookConfiguration/aws-load-balancer-webhook .webhooks[]?.clientConfig.caBundle',
    ]);
    // Without it a sync for any other change would still apply the newly generated pair.
    expect(app.spec.syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true');
  });

  it('run the vertical pod autoscaler as recommender only', () => {
    expect(
      findObject(rendered, environment, 'Application', 'vertical-pod-autoscaler').spec.source.helm.valuesObject,
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
    const [dev] = model.environments;
    const extra = new GitOpsChart(app, 'extra', {
      environment: dev.name,
      folder: 'extras/thing',
      syncWave: SyncWave.CLUSTER_CONFIGURATION,
    });
    new ApiObject(extra, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'extras' } });
    new GitOpsChart(app, 'other-env', { environment: `not-${dev.name}`, folder: 'elsewhere' });
    new AppOfAppsChart(app, 'root', { organization: model.organization, environment: dev });
    const files = renderManifestFiles(app);
    const child = parse(files.get(`${dev.name}/application-extras-thing.yaml`) ?? '');
    expect(child.spec.source.path).toBe(`${dev.gitops.path}/extras/thing`);
    expect(child.spec.destination.namespace).toBe('extras');
    expect(child.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('1');
    expect([...files.keys()].filter((path) => path.includes('elsewhere'))).toEqual([]);
  });

  it('refuses a folder synced with or before the AppProjects, whose Application would be refused', () => {
    const app = new App();
    new GitOpsChart(app, 'early', {
      environment: model.environments[0].name,
      folder: 'early',
      syncWave: SyncWave.PROJECTS,
    });
    new AppOfAppsChart(app, 'root', { organization: model.organization, environment: model.environments[0] });
    expect(() => renderManifestFiles(app)).toThrow(/folder 'early' has sync wave -2: it must be after the AppProjects/);
  });

  it('refuses to render a chart created after the app-of-apps, which would have no Application', () => {
    const app = new App();
    new AppOfAppsChart(app, 'root', { organization: model.organization, environment: model.environments[0] });
    new GitOpsChart(app, 'late', { environment: model.environments[0].name, folder: 'late' });
    expect(() => renderManifestFiles(app)).toThrow(/folder 'late' has no Application/);
  });
});
