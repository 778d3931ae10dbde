import {
  BackupStack,
  CiStack,
  ClusterStack,
  ImageRepositoryStack,
  MessagingStack,
  NetworkStack,
  QueueStack,
  ServiceStack,
  SharedServicesStack,
} from '@platform/aws-platform';
import {
  createsTelemetryEnrichment,
  type DeploymentContext,
  deploymentContextIssues,
  EnvironmentNaming,
  environmentStackId,
  githubOidcProviderStacks,
  imageRepositoryStackId,
  imageTagOf,
  loadModel,
  ModelValidationError,
  type PlatformModel,
  queueStackId,
  referencedImages,
  SHARED_SERVICES_STACK,
  serviceStackId,
  TODAY_CONTEXT_KEY,
  todayOfContext,
} from '@platform/model';
import type { App } from 'aws-cdk-lib';

export { TODAY_CONTEXT_KEY };

/** The stacks of one environment. */
export interface EnvironmentStacks {
  readonly ci: CiStack;
  readonly network: NetworkStack;
  readonly cluster: ClusterStack;
  readonly messaging: MessagingStack;
  readonly backup: BackupStack;
  /** The stack of each service (`serviceStackId`), by service name. */
  readonly services: ReadonlyMap<string, ServiceStack>;
  /** The stack of each catalog queue (`queueStackId`), by queue name. */
  readonly queues: ReadonlyMap<string, QueueStack>;
}

export interface CloudApp {
  readonly sharedServices: SharedServicesStack;
  /** The stack of each service's image repository (`imageRepositoryStackId`), by service name. */
  readonly imageRepositories: ReadonlyMap<string, ImageRepositoryStack>;
  readonly environments: ReadonlyMap<string, EnvironmentStacks>;
}

/**
 * The CDK app's entry: the model as written, checked by the one validator with the app's context (every problem of
 * the model and the context at once, as `pnpm validate` lists them), then every stack.
 * @throws ModelValidationError listing every problem
 */
export function buildCloudAppFromInput(app: App, modelInput: unknown): CloudApp {
  return buildCloudApp(app, loadModel(modelInput, app.node.getAllContext()));
}

/**
 * Every stack of the platform: the shared registry and CI identities, and per environment its CI deploy role,
 * network, alarm topic, backup bucket and cluster, one stack per service (identity, data stores) and one per queue. Stack IDs
 * (delivery.ts) are what `cdk deploy` selects: keep them. Every other stack of an environment depends on its `ci`
 * stack, so the deploy role is updated first however many stacks `cdk deploy --concurrency` runs at once.
 */
export function buildCloudApp(app: App, model: PlatformModel): CloudApp {
  const context: DeploymentContext = app.node.getAllContext();
  // Synthesis looks nothing up: what it reads from the context is checked first, by the validator's function.
  const contextIssues = deploymentContextIssues(model, context);
  if (contextIssues.length > 0) throw new ModelValidationError(contextIssues);
  const today = todayOfContext(context);
  const { organization } = model;
  const sharedServices = new SharedServicesStack(app, SHARED_SERVICES_STACK, {
    stackName: `${organization.name}-shared-services`,
    description: 'CI identities shared by every environment: image push, deploy of the shared-services account',
    env: organization.sharedServices,
    model,
  });
  const imageRepositories = new Map<string, ImageRepositoryStack>();
  const pullAccounts = [...new Set(model.environments.map((environment) => environment.account))].sort();
  const references = referencedImages(model);
  for (const service of model.services) {
    const stack = new ImageRepositoryStack(app, imageRepositoryStackId(service.name), {
      stackName: `${organization.name}-shared-services-image-${service.name}`,
      description: `Image repository of ${service.name}`,
      env: organization.sharedServices,
      organization,
      service,
      pullAccounts,
      references: references.get(service.name) ?? [imageTagOf(service.image.tag)],
    });
    // Deployed with the shared-services stack's deploy role, which is updated first.
    stack.addStackDependency(sharedServices);
    imageRepositories.set(service.name, stack);
  }
  const environments = new Map<string, EnvironmentStacks>();
  const oidcProviderStacks = githubOidcProviderStacks(model);
  for (const environment of model.environments) {
    const naming = new EnvironmentNaming(organization, environment);
    const env = { account: environment.account, region: environment.region };
    const common = { env, organization, environment };
    const id = (stack: Parameters<typeof environmentStackId>[1]) => environmentStackId(environment.name, stack);
    const ci = new CiStack(app, id('ci'), {
      env,
      model,
      environment,
      stackName: `${naming.prefix}-ci`,
      description: `GitHub Actions deploy role of ${naming.prefix}`,
    });
    const ownerId = oidcProviderStacks.get(environment.account);
    if (!ci.ownsOidcProvider && ownerId !== undefined) {
      // The account's GitHub OIDC provider comes from that stack, which must be deployed first (none when the account
      // held one already: organization.ci.existingOidcProviderAccounts).
      ci.addStackDependency(app.node.findChild(ownerId) as CiStack | SharedServicesStack);
    }
    const network = new NetworkStack(app, id('network'), {
      ...common,
      stackName: `${naming.prefix}-network`,
      description: `VPC of ${naming.prefix}`,
    });
    const messaging = new MessagingStack(app, id('messaging'), {
      ...common,
      stackName: `${naming.prefix}-messaging`,
      description: `Alarm topic and alert receiver secrets of ${naming.prefix}`,
    });
    // Velero's bucket and role need no cluster.
    const backup = new BackupStack(app, id('backup'), {
      ...common,
      stackName: `${naming.prefix}-backup`,
      description: `Velero's backup bucket and role in ${naming.prefix}`,
    });
    const cluster = new ClusterStack(app, id('cluster'), {
      ...common,
      stackName: `${naming.prefix}-cluster`,
      description: `EKS cluster, add-on identities, secret readers and GitOps bootstrap of ${naming.prefix}`,
      teams: model.teams,
      vpc: network.network.vpc,
      today,
      createsTelemetryEnrichment: createsTelemetryEnrichment(model, environment),
    });
    // The edge load balancer's alarms notify the alarm topic, by name.
    cluster.addStackDependency(messaging);
    // The cluster stack binds Velero's role, by name, to its service account before Argo CD installs Velero.
    cluster.addStackDependency(backup);
    const services = new Map<string, ServiceStack>();
    for (const service of model.services) {
      const stack = new ServiceStack(app, serviceStackId(environment.name, service.name), {
        ...common,
        stackName: `${naming.prefix}-service-${service.name}`,
        description: `Workload identity, data stores and secret reader of ${service.name} in ${naming.prefix}`,
        service,
        vpc: network.network.vpc,
        clientSecurityGroup: cluster.platformCluster.nodeSecurityGroup,
      });
      // The Pod Identity association names the cluster, and the secret reader's trust the External Secrets
      // controller role, which must exist first; the data stores' alarms notify the alarm topic, by name.
      stack.addStackDependency(cluster);
      stack.addStackDependency(messaging);
      services.set(service.name, stack);
    }
    const queues = new Map<string, QueueStack>();
    for (const queue of model.queues) {
      const stack = new QueueStack(app, queueStackId(environment.name, queue.name), {
        ...common,
        stackName: `${naming.prefix}-queue-${queue.name}`,
        description: `Queue ${queue.name}, its dead-letter queue and alarms in ${naming.prefix}`,
        queue,
      });
      // The alarms notify the environment's alarm topic, by name.
      stack.addStackDependency(messaging);
      queues.set(queue.name, stack);
    }
    for (const stack of [network, messaging, backup, cluster, ...services.values(), ...queues.values()]) {
      stack.addStackDependency(ci);
    }
    environments.set(environment.name, { ci, network, cluster, messaging, backup, services, queues });
  }
  return { sharedServices, imageRepositories, environments };
}
