import {
  type Environment,
  type EnvironmentNaming,
  GITOPS_ROOT_APPLICATION,
  GITOPS_ROOT_PROJECT,
  GITOPS_SYNC_RETRY,
  PLATFORM_NAMESPACES,
} from '@platform/model';
import { CustomResource, Duration, Fn, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, type IDependable } from 'constructs';
import { acknowledgeCdkProvider } from './acknowledge';
import { NODE_ROLE_LABEL } from './platform-node-groups';
import { secretArn } from './resource-arns';

/**
 * The Argo CD Helm chart, pinned; bump deliberately and read its upgrade notes. Chart 10.3.3 ships
 * Argo CD 3.5.1, the release whose Application and AppProject CRDs the manifests in dist/ are
 * validated against.
 */
export const ARGO_CD_CHART = {
  chart: 'argo-cd',
  repository: 'https://argoproj.github.io/argo-helm',
  version: '10.3.3',
  release: 'argo-cd',
} as const;

export const REPOSITORY_SECRET_NAME = 'gitops-repository';

/** Lua health check of an Application: the health its own status reports, Progressing until it has one. */
export const APPLICATION_HEALTH_CHECK = [
  'local health = { status = "Progressing", message = "" }',
  'if obj.status ~= nil and obj.status.health ~= nil then',
  '  health.status = obj.status.health.status',
  '  health.message = obj.status.health.message or ""',
  'end',
  'return health',
].join('\n');

/**
 * How long Helm waits for Argo CD's pods before the release fails: 14 minutes. Helm's own default of
 * 5 minutes is shorter than new nodes pulling Argo CD's images; Helm runs inside the kubectl handler,
 * a Lambda function stopped after 15 minutes, so a Helm timeout of 15 would let Lambda kill Helm before
 * it reports, and CloudFormation would wait for a response that never comes. The minute left over is
 * for the handler to fetch the chart and report.
 */
export const ARGO_CD_INSTALL_TIMEOUT = Duration.minutes(14);

/** Construct ID aws-cdk-lib gives the one function behind every AwsCustomResource of a stack. */
const AWS_CUSTOM_RESOURCE_SINGLETON = 'AWS679f53fac002430cb0da5b7982bd2287';

export interface GitOpsBootstrapProps {
  readonly cluster: eks.Cluster;
  readonly environment: Environment;
  readonly naming: EnvironmentNaming;
  /**
   * What Argo CD's pods need to run: the node groups and cluster DNS (PlatformCluster.podCapacity).
   * The Helm release waits for its pods, so CloudFormation must create it after these.
   */
  readonly podCapacity: IDependable;
  /**
   * The EKS add-ons whose CRDs the synced objects use (PlatformCluster.clusterApis): Argo CD would fail to apply an
   * object of such a kind (the VolumeSnapshotClass, sync wave -1) until the add-on has created its CRD.
   * @default none
   */
  readonly clusterApis?: IDependable;
  /**
   * The Pod Identity associations, with their roles' policies, of every add-on Argo CD installs. EKS gives a pod the
   * credentials of its service account only when the association exists as the pod is created; a pod created before
   * runs without AWS credentials until it is restarted. The root Application syncs the add-ons within minutes, so
   * Argo CD is installed after these.
   * @default none
   */
  readonly podIdentities?: IDependable;
}

/** The cluster Argo CD runs in, as Applications and AppProjects name it. */
const IN_CLUSTER = 'https://kubernetes.default.svc';

/**
 * The only Kubernetes objects CDK applies: Argo CD itself, the credentials it reads the GitOps
 * repository with, the root Application of the environment's folder and its restricted AppProject.
 * Everything else in the cluster comes from Git through Argo CD.
 */
export class GitOpsBootstrap extends Construct {
  public readonly argoCd: eks.HelmChart;
  public readonly rootProject: eks.KubernetesManifest;
  public readonly rootApplication: eks.KubernetesManifest;

  public constructor(scope: Construct, id: string, props: GitOpsBootstrapProps) {
    super(scope, id);
    const { cluster, environment, naming } = props;
    const namespace = PLATFORM_NAMESPACES.argocd;

    this.argoCd = cluster.addHelmChart('ArgoCd', {
      ...ARGO_CD_CHART,
      namespace,
      createNamespace: true,
      wait: true,
      timeout: ARGO_CD_INSTALL_TIMEOUT,
      values: {
        global: {
          nodeSelector: { [NODE_ROLE_LABEL]: 'system' },
          tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists', effect: 'NoSchedule' }],
        },
        crds: { keep: true },
        dex: { enabled: false },
        // Sync waves between child Applications hold only when Argo CD judges an Application's health.
        configs: { cm: { 'resource.customizations.health.argoproj.io_Application': APPLICATION_HEALTH_CHECK } },
      },
    });

    this.argoCd.node.addDependency(props.podCapacity);
    if (props.clusterApis) this.argoCd.node.addDependency(props.clusterApis);
    if (props.podIdentities) this.argoCd.node.addDependency(props.podIdentities);

    const repositorySecret = this.addRepositorySecret(cluster, environment, naming);
    repositorySecret.node.addDependency(this.argoCd);

    // The AppProject CRD comes with the chart; an Application whose project does not exist is refused.
    this.rootProject = cluster.addManifest('RootProject', rootProjectManifest(environment));
    this.rootProject.node.addDependency(this.argoCd);
    this.rootApplication = cluster.addManifest('RootApplication', rootApplicationManifest(environment));
    this.rootApplication.node.addDependency(repositorySecret, this.rootProject);

    acknowledgeCdkProvider(
      Stack.of(this).node.findChild(AWS_CUSTOM_RESOURCE_SINGLETON),
      'The AwsCustomResource function that reads the repository credentials',
    );
  }

  /**
   * CloudFormation does not resolve secret dynamic references in custom resources, so the
   * credentials are read at deploy time and passed on as an attribute: the template holds names only.
   */
  private addRepositorySecret(cluster: eks.Cluster, environment: Environment, naming: EnvironmentNaming) {
    const secretName = naming.gitopsRepositorySecretName;
    const readCredentials = new cr.AwsCustomResource(this, 'ReadRepositoryCredentials', {
      onUpdate: {
        service: 'SecretsManager',
        action: 'getSecretValue',
        parameters: { SecretId: secretName },
        physicalResourceId: cr.PhysicalResourceId.of(secretName),
        outputPaths: ['SecretString'],
        logging: cr.Logging.withDataHidden(),
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [secretArn(this, secretName)],
        }),
      ]),
      installLatestAwsSdk: false,
    });
    // The secret is {"username": "...", "password": "..."}; its members join the Argo CD fields.
    const credentialMembers = Fn.select(1, Fn.split('{', readCredentials.getResponseField('SecretString')));
    const head = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: REPOSITORY_SECRET_NAME,
        namespace: PLATFORM_NAMESPACES.argocd,
        labels: { 'argocd.argoproj.io/secret-type': 'repository' },
      },
    }).slice(0, -1);
    const fields = JSON.stringify({ type: 'git', url: environment.gitops.repoUrl }).slice(0, -1);
    const manifest = Fn.join('', [`[${head},"stringData":${fields},`, credentialMembers, '}]']);
    return new CustomResource(this, 'RepositorySecret', {
      serviceToken: cluster.kubectlProvider?.serviceToken ?? missingKubectlProvider(),
      resourceType: eks.KubernetesManifest.RESOURCE_TYPE,
      properties: { Manifest: manifest, ClusterName: cluster.clusterName },
    });
  }
}

/**
 * The root Application's AppProject, in place of Argo CD's unrestricted `default`: from the environment's
 * GitOps repository only, it may deploy Applications and AppProjects into the Argo CD namespace and nothing
 * else (an empty cluster whitelist admits no cluster-scoped object; Argo CD 3.5.1,
 * AppProject.IsGroupKindNamePermitted in pkg/apis/application/v1alpha1/app_project_types.go).
 */
export function rootProjectManifest(environment: Environment): Record<string, unknown> {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: GITOPS_ROOT_PROJECT, namespace: PLATFORM_NAMESPACES.argocd },
    spec: {
      description: `The app-of-apps of ${environment.name}: Applications and AppProjects from ${environment.gitops.path}`,
      sourceRepos: [environment.gitops.repoUrl],
      destinations: [{ server: IN_CLUSTER, namespace: PLATFORM_NAMESPACES.argocd }],
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: [
        { group: 'argoproj.io', kind: 'Application' },
        { group: 'argoproj.io', kind: 'AppProject' },
      ],
    },
  };
}

/**
 * The app-of-apps: the environment's folder, not recursive; each child Application owns a sub-folder.
 * It retries a failed sync like its children (GITOPS_SYNC_RETRY).
 */
export function rootApplicationManifest(environment: Environment): Record<string, unknown> {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: GITOPS_ROOT_APPLICATION, namespace: PLATFORM_NAMESPACES.argocd },
    spec: {
      project: GITOPS_ROOT_PROJECT,
      source: {
        repoURL: environment.gitops.repoUrl,
        targetRevision: environment.gitops.targetRevision,
        path: environment.gitops.path,
        directory: { recurse: false },
      },
      destination: { server: IN_CLUSTER, namespace: PLATFORM_NAMESPACES.argocd },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        retry: { limit: GITOPS_SYNC_RETRY.limit, backoff: { ...GITOPS_SYNC_RETRY.backoff } },
      },
    },
  };
}

function missingKubectlProvider(): never {
  throw new Error('The cluster has no kubectl provider; GitOpsBootstrap needs kubectlProviderOptions');
}
