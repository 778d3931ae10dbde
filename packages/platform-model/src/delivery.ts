import { instanceArchitecture } from './aws-facts';
import { gitopsDeployBranch } from './naming';
import type { Organization, PlatformModel } from './schema';

/**
 * How changes reach AWS and the registry: the CDK stacks `cdk deploy` selects, the GitHub Environments the deploy
 * workflow runs in, the GitHub OIDC subjects the CI roles trust, and the CPU architectures images are built for.
 * The CDK app, the rendered workflows (.github/workflows/) and the tests read them here.
 */

/** Construct ID of the stack of the image registry and the CI identities shared by every environment. */
export const SHARED_SERVICES_STACK = 'shared-services';

/**
 * The stacks of one environment, in the order `cdk deploy` deploys them: `ci` (the deploy role) first, so a
 * broken stack after it never locks the pipeline out; the CDK orders the others by their references.
 */
export const ENVIRONMENT_STACKS = ['ci', 'network', 'cluster', 'data', 'messaging'] as const;

export type EnvironmentStack = (typeof ENVIRONMENT_STACKS)[number];

/** Construct ID of one stack of an environment, e.g. `dev-network`: what `cdk deploy` selects. Keep them. */
export function environmentStackId(environmentName: string, stack: EnvironmentStack): string {
  return `${environmentName}-${stack}`;
}

/** Every stack construct ID of an environment, in `ENVIRONMENT_STACKS` order. */
export function environmentStackIds(environmentName: string): string[] {
  return ENVIRONMENT_STACKS.map((stack) => environmentStackId(environmentName, stack));
}

/**
 * The GitHub Environment the deploy workflow deploys the shared-services stack in (the environments' stacks are
 * deployed in the GitHub Environment named after the model's environment). No environment may take this name.
 */
export const SHARED_SERVICES_DEPLOYMENT = 'shared-services';

/** Suffix of the GitHub Environment of an environment's plan job: `<env>-plan`. No environment's name may end so. */
export const PLAN_GITHUB_ENVIRONMENT_SUFFIX = '-plan';

/**
 * The GitHub Environment the deploy workflow runs an environment's plan job in (`cdk diff` before the deploy job's
 * approval), e.g. `prod-plan`: without reviewers, with the deployment branch rule of the protected branch. The plan
 * role (naming.ts `ciPlanRoleName`) trusts its jobs only.
 */
export function planGithubEnvironment(environmentName: string): string {
  return `${environmentName}${PLAN_GITHUB_ENVIRONMENT_SUFFIX}`;
}

/**
 * The Git branch an environment's Argo CD tracks when the model names none (`environments[].gitops.targetRevision`):
 * the first environment (model order, the deploy order) tracks the protected branch (`organization.ci.branch`), so a
 * merge reaches it at once; every later one tracks a branch of its own, `deploy/<env>` (naming.ts
 * `gitopsDeployBranch`), which the deploy workflow fast-forwards to the deployed commit only after that environment's
 * `cdk deploy` succeeded, so a merge reaches it through the order and the approvals of the deploy workflow.
 *
 * @param index the environment's position in `model.environments`
 */
export function gitopsTargetRevision(
  organization: Pick<Organization, 'ci'>,
  environmentName: string,
  index: number,
): string {
  return index === 0 ? organization.ci.branch : gitopsDeployBranch(environmentName);
}

/**
 * Whether the deploy workflow advances the environment's GitOps branch after its `cdk deploy`: when it tracks any
 * branch but the protected one (which merges advance).
 */
export function advancesGitopsBranch(organization: Pick<Organization, 'ci'>, targetRevision: string): boolean {
  return targetRevision !== organization.ci.branch;
}

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
