import { ClusterStack, DataStack, MessagingStack, NetworkStack, SharedServicesStack } from '@platform/aws-platform';
import { type Environment, EnvironmentNaming, type PlatformModel, UserError } from '@platform/model';
import type { App } from 'aws-cdk-lib';
import { todayFrom } from './today';

/** Context key that fixes "today" for the Kubernetes support warnings (ISO date); defaults to the real date. */
export const TODAY_CONTEXT_KEY = 'platform:today';

/** The stacks of one environment. */
export interface EnvironmentStacks {
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
 * Every stack of the platform: the shared registry and CI identity, and per environment its
 * network, cluster, data stores and messaging. Stack IDs are what `cdk deploy` selects: keep them.
 */
export function buildCloudApp(app: App, model: PlatformModel): CloudApp {
  const today = todayFrom(app.node.tryGetContext(TODAY_CONTEXT_KEY));
  const { organization } = model;
  const sharedServices = new SharedServicesStack(app, 'shared-services', {
    stackName: `${organization.name}-shared-services`,
    description: 'Image registry and CI identity shared by every environment',
    env: organization.sharedServices,
    model,
  });
  const environments = new Map<string, EnvironmentStacks>();
  for (const environment of model.environments) {
    requireAvailabilityZoneContext(app, environment);
    const naming = new EnvironmentNaming(organization, environment);
    const env = { account: environment.account, region: environment.region };
    const common = { env, organization, environment };
    const network = new NetworkStack(app, `${environment.name}-network`, {
      ...common,
      stackName: `${naming.prefix}-network`,
      description: `VPC of ${naming.prefix}`,
    });
    const cluster = new ClusterStack(app, `${environment.name}-cluster`, {
      ...common,
      stackName: `${naming.prefix}-cluster`,
      description: `EKS cluster, workload identities and GitOps bootstrap of ${naming.prefix}`,
      services: model.services,
      vpc: network.network.vpc,
      today,
    });
    const data = new DataStack(app, `${environment.name}-data`, {
      ...common,
      stackName: `${naming.prefix}-data`,
      description: `Service databases and caches of ${naming.prefix}`,
      services: model.services,
      vpc: network.network.vpc,
      clientSecurityGroup: cluster.platformCluster.nodeSecurityGroup,
    });
    const messaging = new MessagingStack(app, `${environment.name}-messaging`, {
      ...common,
      stackName: `${naming.prefix}-messaging`,
      description: `Queues and alarms of ${naming.prefix}`,
      queues: model.queues,
    });
    environments.set(environment.name, { network, cluster, data, messaging });
  }
  return { sharedServices, environments };
}

/** Synthesis must not look anything up: the AZs of each account/region are committed in cdk.json. */
function requireAvailabilityZoneContext(app: App, environment: Environment): void {
  const key = `availability-zones:account=${environment.account}:region=${environment.region}`;
  const committed: unknown = app.node.tryGetContext(key);
  const where = `environment '${environment.name}' (account ${environment.account}, ${environment.region})`;
  if (!Array.isArray(committed)) {
    throw new UserError(
      `${where}: cdk.json has no availability-zone context. Add "${key}": ${JSON.stringify(environment.availabilityZones)} ` +
        `to its "context" (or run 'cdk context' with credentials for that account) and commit it.`,
    );
  }
  const missing = environment.availabilityZones.filter((zone) => !committed.includes(zone));
  if (missing.length > 0) {
    throw new UserError(
      `${where}: availabilityZones ${missing.join(', ')} are not in the committed context "${key}" (${committed.join(', ')})`,
    );
  }
}
