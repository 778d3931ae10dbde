import {
  ADDON_NAMESPACES,
  AppOfAppsChart,
  addonNamespaceSecurity,
  EbsSnapshotClass,
  EbsStorageClass,
  ExternalDnsNetworkPolicies,
  GitOpsChart,
  GUARDRAILS_LABEL,
  type GuardrailScope,
  KarpenterNodes,
  LogCollectorNetworkPolicies,
  ManagedNamespace,
  NamespaceBaselinePolicies,
  NamespaceSecretStores,
  PlatformService,
  POD_READINESS_GATE_LABELS,
  platformLabels,
  SyncWave,
  TEAM_LABEL,
  TeamResourceLimits,
  TraceCollectorNetworkPolicies,
  VeleroNetworkPolicies,
  VeleroSchedules,
} from '@platform/k8s-platform';
import {
  backupSchedules,
  type Environment,
  EnvironmentNaming,
  modelIn,
  PLATFORM_NAMESPACES,
  type PlatformModel,
  type SecretReader,
  type Service,
  secretReaders,
  serviceNamespace,
} from '@platform/model';
import { App } from 'cdk8s';
import { addDashboardCharts } from './dashboard-charts';
import { addGuardrailCharts } from './guardrail-charts';

/**
 * Every Kubernetes object of every environment, as charts that know their folder in dist/. Chart IDs
 * and folders are a public contract: a new folder is a new Argo CD Application.
 */
export function buildClusterApp(model: PlatformModel): App {
  const app = new App();
  for (const environment of model.environments) {
    // The services as this environment runs them (its releases applied): nothing of another environment leaks in.
    const view = modelIn(model, environment.name);
    addNamespaces(app, view, environment);
    addStorage(app, view, environment);
    addTeamGuardrails(app, view, environment);
    addSecretStores(app, view, environment);
    addNodes(app, view, environment);
    addBackups(app, view, environment);
    addExternalDnsNetwork(app, view, environment);
    for (const service of view.services) addService(app, view, environment, service);
    addCollectorNetworkPolicies(app, view, environment);
    addGuardrailCharts(app, view, environment);
    addDashboardCharts(app, view, environment);
    // Last: it lists the folders of every chart above.
    new AppOfAppsChart(app, `${environment.name}-app-of-apps`, { organization: model.organization, environment });
  }
  return app;
}

function chart(app: App, environment: Environment, folder: string, syncWave: number): GitOpsChart {
  return new GitOpsChart(app, `${environment.name}-${folder.replace(/\//g, '-')}`, {
    environment: environment.name,
    folder,
    syncWave,
  });
}

function addNamespaces(app: App, model: PlatformModel, environment: Environment): void {
  const scope = chart(app, environment, 'namespaces', SyncWave.NAMESPACES);
  const labels = platformLabels(model.organization, environment, 'namespaces');
  for (const team of model.teams) {
    const servesEdge = model.services.some((service) => service.team === team.name && service.exposure === 'edge');
    new ManagedNamespace(scope, team.name, {
      name: team.name,
      labels: {
        ...labels,
        [TEAM_LABEL]: team.name,
        [GUARDRAILS_LABEL]: 'enforce' satisfies GuardrailScope,
        ...(servesEdge ? POD_READINESS_GATE_LABELS : {}),
      },
    });
  }
  // kube-system and argocd exist before Argo CD syncs (EKS and the cloud stack create them): Argo CD adopts
  // them for their labels, which the guard rails and Pod Security read.
  for (const namespace of ADDON_NAMESPACES) {
    new ManagedNamespace(scope, namespace.name, {
      name: namespace.name,
      podSecurity: addonNamespaceSecurity(namespace),
      labels: { ...labels, [GUARDRAILS_LABEL]: 'audit' satisfies GuardrailScope },
    });
  }
}

/** Before the add-ons, whose volumes (Prometheus) name it. */
function addStorage(app: App, model: PlatformModel, environment: Environment): void {
  const scope = chart(app, environment, 'platform/storage', SyncWave.NAMESPACES);
  new EbsStorageClass(scope, 'DefaultStorageClass', {
    labels: platformLabels(model.organization, environment, 'storage'),
  });
  // Velero snapshots EBS volumes through it; its CRD comes with the cloud half's snapshot-controller add-on.
  new EbsSnapshotClass(scope, 'EbsSnapshotClass', {
    labels: platformLabels(model.organization, environment, 'storage'),
  });
}

/** Velero's Schedules, after the Velero add-on (CRDS_AND_OPERATORS) that brings their CRD, and its namespace's network. */
function addBackups(app: App, model: PlatformModel, environment: Environment): void {
  const scope = chart(app, environment, 'platform/backups', SyncWave.CLUSTER_CONFIGURATION);
  const labels = platformLabels(model.organization, environment, 'backups');
  new VeleroSchedules(scope, 'Schedules', { schedules: backupSchedules(environment, model.teams), labels });
  new VeleroNetworkPolicies(scope, 'NetworkPolicies', { environment, labels });
}

function addTeamGuardrails(app: App, model: PlatformModel, environment: Environment): void {
  for (const team of model.teams) {
    const scope = chart(app, environment, `teams/${team.name}`, SyncWave.CLUSTER_CONFIGURATION);
    const labels = { ...platformLabels(model.organization, environment, 'team-guardrails'), [TEAM_LABEL]: team.name };
    const services = model.services.filter((service) => service.team === team.name);
    new TeamResourceLimits(scope, 'ResourceLimits', { team, services, labels });
    new NamespaceBaselinePolicies(scope, 'NetworkPolicies', { namespace: team.name, labels });
  }
}

/**
 * A folder (and Application) per namespace that reads secrets, each synced to that namespace only: in a team's
 * namespace the stores of each of its services with a data store, in monitoring the stores of the receivers' secrets.
 */
function addSecretStores(app: App, model: PlatformModel, environment: Environment): void {
  const naming = new EnvironmentNaming(model.organization, environment);
  const labels = platformLabels(model.organization, environment, 'secret-stores');
  const byNamespace = new Map<string, SecretReader[]>();
  for (const reader of secretReaders(naming, model.teams, model.services)) {
    byNamespace.set(reader.namespace, [...(byNamespace.get(reader.namespace) ?? []), reader]);
  }
  for (const [namespace, readers] of byNamespace) {
    const scope = chart(app, environment, `platform/secret-stores/${namespace}`, SyncWave.CLUSTER_CONFIGURATION);
    for (const reader of readers) {
      new NamespaceSecretStores(scope, reader.service ?? 'Stores', { environment, reader, labels });
    }
  }
}

function addNodes(app: App, model: PlatformModel, environment: Environment): void {
  const scope = chart(app, environment, 'platform/karpenter-nodes', SyncWave.CLUSTER_CONFIGURATION);
  new KarpenterNodes(scope, 'Nodes', {
    environment,
    naming: new EnvironmentNaming(model.organization, environment),
    labels: platformLabels(model.organization, environment, 'karpenter-nodes'),
  });
}

/** The NetworkPolicies of external-dns's namespace (which exists in every environment, with or without a zone). */
function addExternalDnsNetwork(app: App, model: PlatformModel, environment: Environment): void {
  const scope = chart(app, environment, 'platform/external-dns', SyncWave.CLUSTER_CONFIGURATION);
  new ExternalDnsNetworkPolicies(scope, 'NetworkPolicies', {
    namespace: PLATFORM_NAMESPACES.externalDns,
    labels: platformLabels(model.organization, environment, 'external-dns'),
  });
}

function addService(app: App, model: PlatformModel, environment: Environment, service: Service): void {
  const scope = chart(app, environment, `services/${service.name}`, SyncWave.SERVICES);
  new PlatformService(scope, 'Service', {
    organization: model.organization,
    environment,
    service,
    callers: model.services.filter((other) => other.dependencies.calls.includes(service.name)),
    callees: model.services.filter((other) => service.dependencies.calls.includes(other.name)),
  });
}

/** The log and trace collectors' NetworkPolicies, a folder per add-on namespace. */
function addCollectorNetworkPolicies(app: App, model: PlatformModel, environment: Environment): void {
  const labels = platformLabels(model.organization, environment, 'collectors');
  new LogCollectorNetworkPolicies(chart(app, environment, 'platform/logging', SyncWave.CLUSTER_CONFIGURATION), 'Logs', {
    environment,
    labels,
  });
  new TraceCollectorNetworkPolicies(
    chart(app, environment, 'platform/tracing', SyncWave.CLUSTER_CONFIGURATION),
    'Traces',
    { environment, serviceNamespaces: [...new Set(model.services.map(serviceNamespace))], labels },
  );
}
