import { type Environment, EnvironmentNaming, type Organization, PLATFORM_NAMESPACES } from '@platform/model';
import { ApiObject, type App } from 'cdk8s';
import { GitOpsChart, SyncWave } from '../gitops-chart';
import type { ApplicationSpecSource } from '../imports/argocd-application-argoproj.io';
import { AppProject } from '../imports/argocd-appproject-argoproj.io';
import { platformLabels } from '../labels';
import { type Addon, platformAddons } from './addon-catalog';
import { ArgoCdApplication, IN_CLUSTER } from './argocd-application';

export interface AppOfAppsChartProps {
  readonly organization: Organization;
  readonly environment: Environment;
}

/** The environment's AppProjects: the platform's own components, and the teams' services. */
export const APP_PROJECTS = { platform: 'platform', services: 'services' } as const;

/**
 * The environment's root folder (`dist/<env>/`), which the root Application of the cloud stack syncs:
 * the AppProjects, one Application per folder of every other GitOpsChart of the environment in the app,
 * and one Helm Application per platform add-on. Build it after every other chart of the environment.
 */
export class AppOfAppsChart extends GitOpsChart {
  public constructor(app: App, id: string, props: AppOfAppsChartProps) {
    super(app, id, { environment: props.environment.name, folder: '', syncWave: SyncWave.NAMESPACES });
    const { organization, environment } = props;
    const labels = platformLabels(organization, environment, 'gitops');
    const naming = new EnvironmentNaming(organization, environment);
    const charts = folderCharts(app, environment.name);
    const serviceCharts = charts.filter(isServiceChart);
    const addons = platformAddons({ environment, naming });
    this.node.addValidation({
      validate: () => [
        // A chart created after this one would have no Application, so Argo CD would never sync its folder.
        ...folderCharts(app, environment.name)
          .filter((chart) => !charts.includes(chart))
          .map((chart) => `folder '${chart.folder}' has no Application: build the app-of-apps after its chart`),
        // An Application synced with or before its AppProject is refused, and the root waits for it forever.
        ...charts
          .filter((chart) => chart.syncWave <= SyncWave.PROJECTS)
          .map(
            (chart) =>
              `folder '${chart.folder}' has sync wave ${chart.syncWave}: it must be after the AppProjects' wave ${SyncWave.PROJECTS}`,
          ),
      ],
    });

    // What each project's Applications deploy to: their destination namespaces and their objects' namespaces.
    const reach: Record<string, ProjectReach[]> = { [APP_PROJECTS.platform]: [], [APP_PROJECTS.services]: [] };
    for (const chart of charts) {
      const project = isServiceChart(chart) ? APP_PROJECTS.services : APP_PROJECTS.platform;
      const destinationNamespace = singleNamespace(chart);
      new ArgoCdApplication(this, `Folder-${chart.folder}`, {
        name: applicationName(chart.folder),
        project,
        source: {
          repoUrl: environment.gitops.repoUrl,
          targetRevision: environment.gitops.targetRevision,
          path: `${environment.gitops.path}/${chart.folder}`,
          directory: { recurse: false },
        },
        destinationNamespace,
        syncWave: chart.syncWave,
        labels,
      });
      reach[project].push({ destinationNamespace, namespaces: namespacesOf(chart) });
    }
    for (const addon of addons) {
      new ArgoCdApplication(this, `Addon-${addon.name}`, {
        name: addon.name,
        project: APP_PROJECTS.platform,
        source: helmSource(addon),
        destinationNamespace: addon.namespace,
        syncWave: SyncWave.CRDS_AND_OPERATORS,
        syncOptions: addon.syncOptions,
        ignoreDifferences: addon.ignoreDifferences,
        labels,
      });
      reach[APP_PROJECTS.platform].push({
        destinationNamespace: addon.namespace,
        namespaces: addon.otherNamespaces ?? [],
      });
    }
    const projectMetadata = (name: string) => ({
      name,
      namespace: PLATFORM_NAMESPACES.argocd,
      labels,
      annotations: { 'argocd.argoproj.io/sync-wave': String(SyncWave.PROJECTS) },
    });
    new AppProject(this, 'PlatformProject', {
      metadata: projectMetadata(APP_PROJECTS.platform),
      spec: {
        description: `The platform components of ${naming.clusterName}: add-ons, namespaces, policies, nodes`,
        sourceRepos: [...new Set([environment.gitops.repoUrl, ...addons.map((addon) => addon.repoUrl)])].sort(),
        destinations: destinations(reach[APP_PROJECTS.platform]),
        // The add-on charts install CRDs, cluster roles and webhooks; the folders cluster-wide stores and node pools.
        clusterResourceWhitelist: [{ group: '*', kind: '*' }],
      },
    });
    new AppProject(this, 'ServicesProject', {
      metadata: projectMetadata(APP_PROJECTS.services),
      spec: {
        description: `The teams' services on ${naming.clusterName}: namespaced objects in the team namespaces only`,
        sourceRepos: [environment.gitops.repoUrl],
        destinations: destinations(reach[APP_PROJECTS.services]),
        clusterResourceWhitelist: [],
        // Only the kinds the services' folders hold: no Role, RoleBinding or Secret slipped into a folder.
        namespaceResourceWhitelist: kindsOf(serviceCharts),
        // Quotas, limits and policy exceptions are the platform's guard rails of a namespace, not the services'.
        // Kyverno 1.19.0 does not enforce its exception namespace on every served PolicyException version.
        namespaceResourceBlacklist: [
          { group: '', kind: 'ResourceQuota' },
          { group: '', kind: 'LimitRange' },
          { group: 'policies.kyverno.io', kind: 'PolicyException' },
          { group: 'kyverno.io', kind: 'PolicyException' },
        ],
      },
    });
  }
}

/** A folder of the services wave that holds only namespaced objects belongs to the services project. */
function isServiceChart(chart: GitOpsChart): boolean {
  return chart.syncWave === SyncWave.SERVICES && apiObjectsOf(chart).every((object) => object.metadata.namespace);
}

/** The API groups and kinds of the charts' objects, each once, sorted. */
function kindsOf(charts: readonly GitOpsChart[]): { group: string; kind: string }[] {
  const kinds = charts.flatMap(apiObjectsOf).map((object) => {
    const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
    return `${group}/${object.kind}`;
  });
  return [...new Set(kinds)].sort().map((key) => {
    const [group, kind] = key.split('/');
    return { group, kind };
  });
}

/** The namespaces an Application of a project deploys to. */
interface ProjectReach {
  /** Its destination namespace; none for a folder of cluster-scoped objects or of several namespaces. */
  readonly destinationNamespace?: string;
  /** The namespaces its objects name. */
  readonly namespaces: readonly string[];
}

/**
 * The project's destinations: every namespace its Applications deploy to, each once, sorted. Argo CD 3.5.1
 * (AppProject.IsDestinationPermitted, pkg/apis/application/v1alpha1/app_project_types.go) matches the
 * Application's destination namespace too, also when all its objects are cluster-scoped: an Application
 * without one needs the destination `''`, which admits no namespaced object (Argo CD refuses a namespaced
 * object that names no namespace where the destination has none).
 */
function destinations(reach: readonly ProjectReach[]): { server: string; namespace: string }[] {
  const namespaces = reach.flatMap((app) => [app.destinationNamespace ?? '', ...app.namespaces]);
  return [...new Set(namespaces)].sort().map((namespace) => ({ server: IN_CLUSTER, namespace }));
}

/** Name of the Application that owns a folder: the folder's path with '-' for '/'. */
export function applicationName(folder: string): string {
  return folder.replace(/\//g, '-');
}

function folderCharts(app: App, environment: string): GitOpsChart[] {
  return app.node
    .findAll()
    .filter(GitOpsChart.isGitOpsChart)
    .filter((chart) => chart.environment === environment && chart.folder !== '')
    .sort((a, b) => (a.folder < b.folder ? -1 : a.folder > b.folder ? 1 : 0));
}

function apiObjectsOf(chart: GitOpsChart): ApiObject[] {
  return chart.node.findAll().filter((node): node is ApiObject => node instanceof ApiObject);
}

function namespacesOf(chart: GitOpsChart): string[] {
  return [...new Set(apiObjectsOf(chart).flatMap((object) => object.metadata.namespace ?? []))];
}

/** The folder's one namespace, when all its namespaced objects share it. */
function singleNamespace(chart: GitOpsChart): string | undefined {
  const namespaces = namespacesOf(chart);
  return namespaces.length === 1 ? namespaces[0] : undefined;
}

function helmSource(addon: Addon): ApplicationSpecSource {
  const helm = {
    releaseName: addon.name,
    ...(addon.skipCrds ? { skipCrds: true } : {}),
    ...(Object.keys(addon.values).length > 0 ? { valuesObject: addon.values } : {}),
  };
  // An OCI chart is the artifact itself: Argo CD renders it from its root.
  const location = addon.repoUrl.startsWith('oci://') ? { path: '.' } : { chart: addon.chart };
  return { repoUrl: addon.repoUrl, ...location, targetRevision: addon.version, helm };
}
