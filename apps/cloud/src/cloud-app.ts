import {
  CiStack,
  ClusterStack,
  DataStack,
  MessagingStack,
  NetworkStack,
  SharedServicesStack,
} from '@platform/aws-platform';
import {
  type DeploymentContext,
  deploymentContextIssues,
  EnvironmentNaming,
  environmentStackId,
  githubOidcProviderStacks,
  loadModel,
  ModelValidationError,
  type PlatformModel,
  SHARED_SERVICES_STACK,
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
  readonly data: DataStack;
  readonly messaging: MessagingStack;
}

export interface CloudApp {
  readonly sharedServices: SharedServicesStack;
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
 * Every stack of the platform: the shared registry and CI identities, and per environment its
 * CI deploy role, network, cluster, data stores and messaging. Stack IDs are what `cdk deploy` selects: keep them.
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
    description: 'Image registry and CI identity shared by every environment',
    env: organization.sharedServices,
    model,
  });
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
    const cluster = new ClusterStack(app, id('cluster'), {
      ...common,
      stackName: `${naming.prefix}-cluster`,
      description: `EKS cluster, workload identities and GitOps bootstrap of ${naming.prefix}`,
      services: model.services,
      teams: model.teams,
      vpc: network.network.vpc,
      today,
    });
    const data = new DataStack(app, id('data'), {
      ...common,
      stackName: `${naming.prefix}-data`,
      description: `Service databases and caches of ${naming.prefix}`,
      services: model.services,
      vpc: network.network.vpc,
      clientSecurityGroup: cluster.platformCluster.nodeSecurityGroup,
    });
    const messaging = new MessagingStack(app, id('messaging'), {
      ...common,
      stackName: `${naming.prefix}-messaging`,
      description: `Queues and alarms of ${naming.prefix}`,
      queues: model.queues,
    });
    environments.set(environment.name, { ci, network, cluster, data, messaging });
  }
  return { sharedServices, environments };
}
