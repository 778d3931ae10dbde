import { instanceArchitecture } from './aws-facts';
import { gitopsDeployBranch } from './naming';
import type { Organization, PlatformModel, Service } from './schema';

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
export const ENVIRONMENT_STACKS = ['ci', 'network', 'messaging', 'backup', 'cluster'] as const;

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
 * The audience aws-actions/configure-aws-credentials requests for GitHub OIDC tokens, which the account's provider
 * and every trust policy name, and the deploy workflow's subject check requests too.
 */
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

/**
 * The subject templates a GitHub repository's OIDC tokens can follow (GitHub Docs, "OpenID Connect reference",
 * "Customizing the subject claims for an organization or repository"): per template, the claim keys the repository's
 * customization includes (`include_claim_keys` of `PUT /repos/{owner}/{repo}/actions/oidc/customization/sub`), or
 * none for GitHub's default, `repo:<owner>/<repo>:<context>`. The context is `environment:<name>` for a job that
 * references a GitHub Environment, else `ref:<ref>` (`pull_request` for a pull request event, which no role trusts).
 * `repo-context-ref` appends the job's ref to it, so a job in a GitHub Environment carries its branch too:
 * `repo:<owner>/<repo>:environment:<name>:ref:refs/heads/<branch>`, and a job without one carries the ref twice,
 * `repo:<owner>/<repo>:ref:refs/heads/<branch>:ref:refs/heads/<branch>`. GitHub writes a `:` inside a value as `%3A`:
 * the model's branch, environment and repository names hold none. With GitHub's immutable subject claims the `repo`
 * claim names the owner and the repository each with its numeric ID, in any template (`subjectRepository`).
 * `repo-context-job-workflow-ref` appends the reusable workflow the job runs (`job_workflow_ref`,
 * `<owner>/<repo>/<path>@<ref>` with the ref the caller's `uses:` names, e.g. `@refs/heads/main` or `@<commit>`:
 * GitHub Docs, "Using OpenID Connect with reusable workflows"):
 * `repo:<owner>/<repo>:ref:refs/heads/<branch>:job_workflow_ref:<owner>/<repo>/<path>@<ref>`.
 */
export const OIDC_SUBJECT_TEMPLATES = {
  default: undefined,
  'repo-context-ref': ['repo', 'context', 'ref'],
  'repo-context-job-workflow-ref': ['repo', 'context', 'job_workflow_ref'],
} as const satisfies Record<string, readonly string[] | undefined>;

export type OidcSubjectTemplate = keyof typeof OIDC_SUBJECT_TEMPLATES;

/**
 * The subject template of this repository (`organization.ci`): its deploy roles trust a GitHub Environment only
 * together with the protected branch, so a workflow of another ref that reaches the GitHub Environment (a missing or
 * wrong deployment branch rule) gets no credentials. Set once per repository (README, "Deploying";
 * `oidcSubjectCustomizationCommand`); the deploy workflow stops when its token does not follow it.
 */
export const ORGANIZATION_OIDC_SUBJECT_TEMPLATE: OidcSubjectTemplate = 'repo-context-ref';

/**
 * A GitHub repository as the model names it (`organization.ci`, `services[].ci`): `owner/repository`, and its numeric
 * IDs when its tokens carry GitHub's immutable subject.
 */
export interface GithubSource {
  /** `owner/repository`. */
  readonly githubRepository: string;
  /** The owner's numeric ID (`repository_owner_id`); given together with `githubRepositoryId`. */
  readonly githubRepositoryOwnerId?: number;
  /** The repository's numeric ID (`repository_id`). */
  readonly githubRepositoryId?: number;
}

/**
 * How the `repo` claim of a subject names the repository: `owner/repository`, or with GitHub's immutable subject
 * claims (the default of repositories created or renamed on or after 15 July 2026, or opted in) each name followed by
 * its numeric ID, `owner@<owner id>/repository@<repository id>` (GitHub Docs, "OpenID Connect reference", "Immutable
 * subject claims"; the customization API's `sub_claim_prefix`). The same `repo` claim opens a customized template.
 */
export function subjectRepository(source: GithubSource): string {
  const { githubRepository, githubRepositoryOwnerId, githubRepositoryId } = source;
  if (githubRepositoryOwnerId === undefined || githubRepositoryId === undefined) return githubRepository;
  const [owner, repository] = githubRepository.split('/');
  return `${owner}@${githubRepositoryOwnerId}/${repository}@${githubRepositoryId}`;
}

/** Whether the repository's tokens carry GitHub's immutable subject (the model gives its IDs). */
export function usesImmutableSubject(source: GithubSource): boolean {
  return source.githubRepositoryOwnerId !== undefined && source.githubRepositoryId !== undefined;
}

/** A job whose OIDC token a role trusts: its repository, the template that repository's tokens follow, where it runs. */
export interface OidcJob {
  /** The repository, with its IDs when its tokens carry GitHub's immutable subject. */
  readonly source: GithubSource;
  readonly template: OidcSubjectTemplate;
  /** The branch the workflow runs on (a push to it). */
  readonly branch: string;
  /** The GitHub Environment the job references, if any. */
  readonly githubEnvironment?: string;
  /**
   * The reusable workflow the job runs, `<owner>/<repo>/<path>@<ref>`, or an IAM `StringLike` pattern of it: what a
   * template with `job_workflow_ref` names.
   */
  readonly jobWorkflowRef?: string;
}

/**
 * The OIDC subject (`sub` claim) of such a job's token, by OIDC_SUBJECT_TEMPLATES and `subjectRepository`: exact, or a
 * pattern (`isSubjectPattern`) where `jobWorkflowRef` is one.
 * @throws Error when the template includes `job_workflow_ref` and the job names no `jobWorkflowRef`
 */
export function githubOidcSubject(job: OidcJob): string {
  const ref = `refs/heads/${job.branch}`;
  const context = job.githubEnvironment === undefined ? `ref:${ref}` : `environment:${job.githubEnvironment}`;
  const keys = OIDC_SUBJECT_TEMPLATES[job.template] ?? ['repo', 'context'];
  const claims: Record<string, string> = {
    repo: `repo:${subjectRepository(job.source)}`,
    context,
    ref: `ref:${ref}`,
  };
  if (job.jobWorkflowRef !== undefined) claims.job_workflow_ref = `job_workflow_ref:${job.jobWorkflowRef}`;
  const missing = keys.find((key) => claims[key] === undefined);
  if (missing) throw new Error(`githubOidcSubject: the template '${job.template}' needs the job's ${missing}`);
  return keys.map((key) => claims[key]).join(':');
}

/** The subject of a deploy job of this repository in the GitHub Environment `githubEnvironment`. */
export function deployJobSubject(ci: Organization['ci'], githubEnvironment: string): string {
  return githubOidcSubject({
    source: ci,
    template: ORGANIZATION_OIDC_SUBJECT_TEMPLATE,
    branch: ci.branch,
    githubEnvironment,
  });
}

/** The subject of a job of this repository on its protected branch without a GitHub Environment (an image push). */
export function organizationBranchJobSubject(ci: Organization['ci']): string {
  return githubOidcSubject({ source: ci, template: ORGANIZATION_OIDC_SUBJECT_TEMPLATE, branch: ci.branch });
}

/** This repository's service image workflow, relative to its root: the reusable workflow service repositories call. */
export const SERVICE_IMAGE_WORKFLOW = '.github/workflows/service-image.yml';

/**
 * The template a service repository's tokens follow unless `services[].ci.oidcSubject` says otherwise: its subject
 * names the reusable workflow the job runs, so its push role trusts only a job that runs this repository's service
 * image workflow (tests, scans, and only then the release tag), not any workflow of the service's protected branch.
 * Set once per service repository (README, "Deploying"; `oidcSubjectCustomizationCommand`).
 */
export const SERVICE_OIDC_SUBJECT_TEMPLATE: OidcSubjectTemplate = 'repo-context-job-workflow-ref';

/**
 * The `job_workflow_ref` a service repository's image job carries, as an IAM `StringLike` pattern:
 * `<organization.ci.githubRepository>/.github/workflows/service-image.yml@*`. Any ref of this repository: callers pin
 * a commit (README, "Service images"), which no pattern could list in advance; the ref is the last claim and GitHub
 * writes a `:` in it as `%3A`, so `*` reaches no other claim.
 */
export function serviceImageWorkflowRef(platform: Pick<Organization['ci'], 'githubRepository'>): string {
  return `${platform.githubRepository}/${SERVICE_IMAGE_WORKFLOW}@*`;
}

/** Whether a subject is an IAM `StringLike` pattern (`*`): no name of the model holds a `*` or a `?`. */
export function isSubjectPattern(subject: string): boolean {
  return subject.includes('*');
}

/**
 * The subject of a service repository's image job on its protected branch (`services[].ci`): its tokens follow
 * `oidcSubject`, by default SERVICE_OIDC_SUBJECT_TEMPLATE, which binds it to this repository's (`platform`) service
 * image workflow; a pattern then (`isSubjectPattern`), matched by `StringLike`.
 */
export function serviceImageJobSubject(
  ci: NonNullable<Service['ci']>,
  platform: Pick<Organization['ci'], 'githubRepository'>,
): string {
  return githubOidcSubject({
    source: ci,
    template: ci.oidcSubject ?? SERVICE_OIDC_SUBJECT_TEMPLATE,
    branch: ci.branch,
    jobWorkflowRef: serviceImageWorkflowRef(platform),
  });
}

/**
 * The one-time command that makes the repository's OIDC tokens follow `template` (GitHub REST API, "Set the
 * customization template for an OIDC subject claim for a repository"; needs a token with the repository's
 * administration permission). For `default`, it restores GitHub's default. When the model gives the repository's
 * IDs, it opts the repository into the immutable subject too (`use_immutable_subject`; already on for repositories
 * created or renamed on or after 15 July 2026), so its tokens carry the subject the roles trust.
 */
export function oidcSubjectCustomizationCommand(source: GithubSource, template: OidcSubjectTemplate): string {
  const keys = OIDC_SUBJECT_TEMPLATES[template];
  const fields =
    keys === undefined
      ? ['-F use_default=true']
      : ['-F use_default=false', ...keys.map((key) => `-f 'include_claim_keys[]=${key}'`)];
  if (usesImmutableSubject(source)) fields.push('-F use_immutable_subject=true');
  return `gh api --method PUT repos/${source.githubRepository}/actions/oidc/customization/sub ${fields.join(' ')}`;
}

/**
 * Which stack creates the GitHub OIDC provider of each account: IAM holds one provider per URL per account, and a
 * provider serves only its own account's roles. The shared-services stack in its account; in every other account,
 * the `ci` stack of the first environment (model order) there. An account listed in
 * `organization.ci.existingOidcProviderAccounts` already has one: no stack creates it, every stack imports it by ARN.
 *
 * @returns stack construct ID by account ID, for the accounts whose provider a stack creates
 */
export function githubOidcProviderStacks(model: PlatformModel): Map<string, string> {
  const existing = new Set(model.organization.ci.existingOidcProviderAccounts ?? []);
  const owners = new Map<string, string>();
  const claim = (account: string, stack: string) => {
    if (!existing.has(account) && !owners.has(account)) owners.set(account, stack);
  };
  claim(model.organization.sharedServices.account, SHARED_SERVICES_STACK);
  for (const environment of model.environments) claim(environment.account, environmentStackId(environment.name, 'ci'));
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
