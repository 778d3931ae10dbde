import { instanceArchitecture } from './aws-facts';
import type { PlatformModel } from './schema';

/**
 * How changes reach AWS and the registry: the CDK stacks `cdk deploy` selects, the GitHub Environments the deploy
 * workflow runs in, the GitHub OIDC subjects the CI roles trust, and the CPU architectures images are built for.
 * The CDK app, the rendered workflows (.github/workflows/) and the tests read them here.
 */

/** Construct ID of the stack of the CI identities shared by every environment. */
export const SHARED_SERVICES_STACK = 'shared-services';

/**
 * Construct ID of the stack of one service's image repository in the shared-services account, e.g.
 * `shared-services-image-orders`: one stack per repository, so the registry grows without a stack nearing
 * CloudFormation's limits and a repository never moves when another service comes or goes. Keep them.
 */
export function imageRepositoryStackId(serviceName: string): string {
  return `${SHARED_SERVICES_STACK}-image-${serviceName}`;
}

/** Every stack of the shared-services account: `SHARED_SERVICES_STACK` first, then each service's image repository. */
export function sharedServicesStackIds(model: Pick<PlatformModel, 'services'>): string[] {
  return [SHARED_SERVICES_STACK, ...model.services.map((service) => imageRepositoryStackId(service.name))];
}

/**
 * The fixed stacks of one environment, in the order `cdk deploy` deploys them: `ci` (the deploy role) first, so a
 * broken stack after it never locks the pipeline out (every other stack of the environment depends on it); the CDK
 * orders the others by their references. What grows with the catalog lives in stacks of its own, one per service
 * (`serviceStackId`) and one per queue (`queueStackId`), so no stack nears CloudFormation's per-stack limits.
 */
export const ENVIRONMENT_STACKS = ['ci', 'network', 'cluster', 'messaging'] as const;

export type EnvironmentStack = (typeof ENVIRONMENT_STACKS)[number];

/** Construct ID of one stack of an environment, e.g. `dev-network`: what `cdk deploy` selects. Keep them. */
export function environmentStackId(environmentName: string, stack: EnvironmentStack): string {
  return `${environmentName}-${stack}`;
}

/** The infix of a service's stack ID: `<environment>-service-<service>`. */
export const SERVICE_STACK_INFIX = 'service';

/** The infix of a queue's stack ID: `<environment>-queue-<queue>`. */
export const QUEUE_STACK_INFIX = 'queue';

/**
 * Construct ID of the stack of one service in one environment, e.g. `dev-service-orders`: its workload identity,
 * database and cache. A function of the two names only, so adding or removing another service never moves this
 * service's resources nor changes their logical IDs. Keep them.
 */
export function serviceStackId(environmentName: string, serviceName: string): string {
  return `${environmentName}-${SERVICE_STACK_INFIX}-${serviceName}`;
}

/** Construct ID of the stack of one catalog queue in one environment, e.g. `dev-queue-orders`: both queues, their alarms. */
export function queueStackId(environmentName: string, queueName: string): string {
  return `${environmentName}-${QUEUE_STACK_INFIX}-${queueName}`;
}

/**
 * Every stack construct ID of an environment: the fixed ones in `ENVIRONMENT_STACKS` order, then one per service and
 * one per queue of the model, in model order. For a name the model has no environment of (one that left the model),
 * the fixed ones only.
 */
export function environmentStackIds(
  model: Pick<PlatformModel, 'services' | 'queues'>,
  environmentName: string,
): string[] {
  return [
    ...ENVIRONMENT_STACKS.map((stack) => environmentStackId(environmentName, stack)),
    ...model.services.map((service) => serviceStackId(environmentName, service.name)),
    ...model.queues.map((queue) => queueStackId(environmentName, queue.name)),
  ];
}

/**
 * Whether a stack construct ID is, by its shape, one that holds one entry of the catalog: a service's
 * (`serviceStackId`), a queue's (`queueStackId`) or an image repository's (`imageRepositoryStackId`). Such a stack
 * leaves the app when its service or queue leaves the model, while its environment stays.
 */
export function isCatalogStackId(stackId: string): boolean {
  return (
    stackId.startsWith(`${SHARED_SERVICES_STACK}-image-`) ||
    new RegExp(`-(${SERVICE_STACK_INFIX}|${QUEUE_STACK_INFIX})-[a-z0-9]([-a-z0-9]*[a-z0-9])?$`).test(stackId)
  );
}

/**
 * Whether a stack construct ID is one of the environment's by its shape: a fixed stack's, or a service's or queue's
 * of any name (e.g. a stack whose service has left the model).
 */
export function isEnvironmentStackId(environmentName: string, stackId: string): boolean {
  if (ENVIRONMENT_STACKS.some((stack) => environmentStackId(environmentName, stack) === stackId)) return true;
  return [SERVICE_STACK_INFIX, QUEUE_STACK_INFIX].some((infix) => {
    const prefix = `${environmentName}-${infix}-`;
    return stackId.startsWith(prefix) && DNS_LABEL.test(stackId.slice(prefix.length));
  });
}

/** A service's or queue's name as the schema allows it (a DNS label). */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * How many stacks `cdk deploy --concurrency` deploys at once within one environment, dependencies permitting (the
 * CDK CLI's default is 1). With a stack per service and per queue an environment has hundreds of stacks, nearly all
 * unchanged on a given merge (the CLI skips those after one DescribeStacks); ten at a time keeps a 500-service
 * deploy in minutes while staying well under CloudFormation's API request rates, whose throttling the CLI retries.
 */
export const DEPLOY_CONCURRENCY = 10;

/**
 * The GitHub Environment the deploy workflow deploys the shared-services stack in (the environments' stacks are
 * deployed in the GitHub Environment named after the model's environment). No environment may take this name.
 */
export const SHARED_SERVICES_DEPLOYMENT = 'shared-services';

/**
 * The OIDC subject (`sub` claim) of a job that runs in a GitHub Environment: `repo:<owner>/<repo>:environment:<name>`
 * (GitHub Docs, "OpenID Connect reference", subject claims). A job with `environment:` carries this subject and no
 * branch; the GitHub Environment's deployment branch rule is what ties it to the protected branch.
 */
export function githubEnvironmentSubject(repository: string, githubEnvironment: string): string {
  return `repo:${repository}:environment:${githubEnvironment}`;
}

/** The OIDC subject of a job on a branch without a GitHub Environment: `repo:<owner>/<repo>:ref:refs/heads/<branch>`. */
export function githubBranchSubject(repository: string, branch: string): string {
  return `repo:${repository}:ref:refs/heads/${branch}`;
}

/**
 * Which stack creates the GitHub OIDC provider of each account: IAM holds one provider per URL per account, and a
 * provider serves only its own account's roles. The shared-services stack in its account; in every other account,
 * the `ci` stack of the first environment (model order) there. Every other stack of the account imports it by ARN.
 *
 * @returns stack construct ID by account ID
 */
export function githubOidcProviderStacks(model: PlatformModel): Map<string, string> {
  const owners = new Map<string, string>([[model.organization.sharedServices.account, SHARED_SERVICES_STACK]]);
  for (const environment of model.environments) {
    if (!owners.has(environment.account)) {
      owners.set(environment.account, environmentStackId(environment.name, 'ci'));
    }
  }
  return owners;
}

/** CPU architectures (Kubernetes' `kubernetes.io/arch` values) Karpenter's NodePools launch. */
export const KARPENTER_NODE_ARCHITECTURES: readonly string[] = ['arm64'];

/**
 * The platforms every service image must be built for, e.g. `['linux/arm64']`: each CPU architecture a node of any
 * environment can have, from the managed node groups' instance types (aws-facts.ts `instanceArchitecture`) and
 * Karpenter's NodePools (`KARPENTER_NODE_ARCHITECTURES`). Sorted; two entries mean a multi-arch image.
 */
export function imagePlatforms(model: PlatformModel): string[] {
  const architectures = new Set(KARPENTER_NODE_ARCHITECTURES);
  for (const environment of model.environments) {
    for (const group of Object.values(environment.cluster.nodeGroups)) {
      for (const type of group.instanceTypes) {
        const architecture = instanceArchitecture(type);
        if (architecture) architectures.add(architecture === 'x86_64' ? 'amd64' : architecture);
      }
    }
  }
  return [...architectures].sort().map((architecture) => `linux/${architecture}`);
}
