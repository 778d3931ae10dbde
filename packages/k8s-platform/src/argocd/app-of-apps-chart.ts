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
    const platformCharts = charts.filter((chart) => !isServiceChart(chart));
    const addons = platformAddons({ environment, naming });
    // A chart created after this one would have no Application, so Argo CD would never sync its folder.
    this.node.addValidation({
      validate: () =>
        folderCharts(app, environment.name)
          .filter((chart) => !charts.includes(chart))
          .map((chart) => `folder '${chart.folder}' has no Application: build the app-of-apps after its chart`),
    });

    for (const chart of charts) {
      new ArgoCdApplication(this, `Folder-${chart.folder}`, {
        name: applicationName(chart.folder),
        project: isServiceChart(chart) ? APP_PROJECTS.services : APP_PROJECTS.platform,
        source: {
          repoUrl: environment.gitops.repoUrl,
          targetRevision: environment.gitops.targetRevision,
          path: `${environment.gitops.path}/${chart.folder}`,
          directory: { recurse: false },
        },
        destinationNamespace: singleNamespace(chart),
        syncWave: chart.syncWave,
        labels,
      });
    }
    for (const addon of addons) {
      new ArgoCdApplication(this, `Addon-${addon.name}`, {
        name: addon.name,
        project: APP_PROJECTS.platform,
        source: helmSource(addon),
        destinationNamespace: addon.namespace,
        syncWave: SyncWave.CRDS_AND_OPERATORS,
        syncOptions: addon.syncOptions,
        labels,
      });
    }
    new AppProject(this, 'PlatformProject', {
      metadata: { name: APP_PROJECTS.platform, namespace: PLATFORM_NAMESPACES.argocd, labels },
      spec: {
        description: `The platform components of ${naming.clusterName}: add-ons, namespaces, policies, nodes`,
        sourceRepos: [...new Set([environment.gitops.repoUrl, ...addons.map((addon) => addon.repoUrl)])].sort(),
        destinations: destinations([
          PLATFORM_NAMESPACES.argocd,
          ...addons.map((addon) => addon.namespace),
          ...platformCharts.flatMap(namespacesOf),
        ]),
        // The add-on charts install CRDs, cluster roles and webhooks; the folders cluster-wide stores and node pools.
        clusterResourceWhitelist: [{ group: '*', kind: '*' }],
      },
    });
    new AppProject(this, 'ServicesProject', {
      metadata: { name: APP_PROJECTS.services, namespace: PLATFORM_NAMESPACES.argocd, labels },
      spec: {
        description: `The teams' services on ${naming.clusterName}: namespaced objects in the team namespaces only`,
        sourceRepos: [environment.gitops.repoUrl],
        destinations: destinations(serviceCharts.flatMap(namespacesOf)),
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

function destinations(namespaces: readonly string[]): { server: string; namespace: string }[] {
  return [...new Set(namespaces)].sort().map((namespace) => ({ server: IN_CLUSTER, namespace }));
}

/** Name of the Application that owns a folder: the folder's path with '-' for '/'. */
export function applicationName(folder: string): string {
  return folder.replace(/\//g, '-');
}

function folderCharts(app: App, environment: string): GitOpsChart[] {
  return app.charts
    .filter((chart): chart is GitOpsChart => chart instanceof GitOpsChart)
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
