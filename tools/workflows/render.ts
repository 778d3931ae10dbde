/**
 * The GitHub Actions workflows of this repository, rendered from the model by `pnpm synth` (and compared by
 * `pnpm synth:check`) like dist/: the deploy order, the GitHub Environments, the role ARNs, the registry, the
 * branch and the image platforms all come from the model, so a change of the model changes them in the same
 * pull request and nothing is written twice.
 *
 * - `pull-request.yml`: the committed outputs checked (`pnpm synth:check`) and summarized per environment
 *   (`pnpm changes`), then the README's install and tests, and the real engines;
 * - `deploy.yml`: on a merge to `organization.ci.branch`, `cdk diff` then `cdk deploy` of the shared-services
 *   stack; then per environment in model order a plan job (`cdk diff` with the read-only plan role, in the GitHub
 *   Environment `<env>-plan`, which has no reviewers) and the deploy job (in the GitHub Environment `<env>`, whose
 *   reviewers approve after reading the plan), which deploys only when its diff is the plan's, then advances the
 *   branch the environment's Argo CD tracks (`gitops.targetRevision`) to the deployed commit;
 * - `service-image.yml`: the reusable workflow a service repository calls to test, build and push once, scan the
 *   pushed image by digest, and open the pull request that releases it to the first environment (`pnpm release`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { portableYaml } from '@platform/k8s-platform';
import {
  advancesGitopsBranch,
  CI_SESSION_SECONDS,
  CLOUDFORMATION_FOLDER,
  ciServiceImagePushRoleName,
  DEPLOY_CONCURRENCY,
  DIST_FOLDER,
  deployJobSubject,
  type Environment,
  EnvironmentNaming,
  ecrRepositoryName,
  environmentStackIds,
  GITHUB_OIDC_AUDIENCE,
  type GithubSource,
  imagePlatforms,
  ORGANIZATION_OIDC_SUBJECT_TEMPLATE,
  oidcSubjectCustomizationCommand,
  type PlatformModel,
  planGithubEnvironment,
  registryHost,
  roleArn,
  SERVICE_OIDC_SUBJECT_TEMPLATE,
  SHARED_SERVICES_DEPLOYMENT,
  serviceImageJobSubject,
  sharedServicesDeployRoleName,
  sharedServicesStackIds,
  TODAY_CONTEXT_KEY,
} from '@platform/model';
import { pinnedTag, uses } from './actions';

/** The folder of the workflows, relative to the repository's root. */
export const WORKFLOWS_FOLDER = '.github/workflows';

export const WORKFLOW_FILES = {
  pullRequest: `${WORKFLOWS_FOLDER}/pull-request.yml`,
  deploy: `${WORKFLOWS_FOLDER}/deploy.yml`,
  serviceImage: `${WORKFLOWS_FOLDER}/service-image.yml`,
} as const;

/** The GitHub-hosted runner every job runs on: x86-64; arm64 images are built through QEMU. */
export const RUNNER = 'ubuntu-24.04';

/** The Trivy release the image workflow installs (aquasecurity/setup-trivy). */
export const TRIVY_VERSION = 'v0.70.0';

/**
 * The manifest media types `aws ecr batch-get-image` must accept to return a pushed image's manifest as it is: the
 * OCI image index buildx pushes with attestations, and single-image and Docker forms (Amazon ECR User Guide,
 * "Container image manifest format support").
 */
const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

/** Severities that fail a scan. */
export const FAILING_SEVERITIES = 'HIGH,CRITICAL';

/** What the renderer reads from the repository besides the model. */
export interface RepositoryFacts {
  /** Node's major version: the minimum of package.json's `engines.node`. */
  readonly nodeVersion: string;
  /** The pnpm version tools/setup.sh installs. */
  readonly pnpmVersion: string;
  /** package.json's script names. */
  readonly scripts: readonly string[];
}

/**
 * The facts below `root`.
 * @throws Error naming the file when package.json has no `engines.node` of the form `>=N` or tools/setup.sh installs
 *   no `pnpm@<version>`
 */
export function repositoryFacts(root: string): RepositoryFacts {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    engines?: { node?: string };
    scripts?: Record<string, string>;
  };
  const node = /^>=(\d+)$/.exec(manifest.engines?.node ?? '')?.[1];
  if (!node) throw new Error("package.json: engines.node must be '>=N' (the workflows install Node N)");
  const pnpm = /pnpm@(\d+\.\d+\.\d+)/.exec(readFileSync(join(root, 'tools', 'setup.sh'), 'utf8'))?.[1];
  if (!pnpm) throw new Error('tools/setup.sh: installs no pnpm@<version> (the workflows install the same)');
  return { nodeVersion: node, pnpmVersion: pnpm, scripts: Object.keys(manifest.scripts ?? {}) };
}

/** A GitHub Actions expression, `${{ … }}`, which the runner evaluates before the step runs. */
function expression(inner: string): string {
  return `$${'{{'} ${inner} }}`;
}

type Step = Record<string, unknown>;
type Job = Record<string, unknown>;

const HEADER = [
  'Rendered from the model by `pnpm synth` (tools/workflows/render.ts); `pnpm synth:check` fails when it differs.',
  'Edit the model or the renderer, not this file.',
].join('\n');

function yamlText(workflow: Record<string, unknown>): string {
  return portableYaml(workflow, {
    header: HEADER,
    after: (value) => {
      const tag = pinnedTag(value);
      return tag === undefined ? undefined : tag;
    },
  });
}

/** Every workflow file, by path relative to the repository's root. */
export function renderWorkflows(model: PlatformModel, facts: RepositoryFacts): Map<string, string> {
  return new Map([
    [WORKFLOW_FILES.pullRequest, yamlText(pullRequestWorkflow(model, facts))],
    [WORKFLOW_FILES.deploy, yamlText(deployWorkflow(model, facts))],
    [WORKFLOW_FILES.serviceImage, yamlText(serviceImageWorkflow(model, facts))],
  ]);
}

const checkout = (extra: Record<string, unknown> = {}): Step => ({
  name: 'Check out',
  uses: uses('checkout'),
  with: { 'persist-credentials': false, ...extra },
});

const setupNode = (facts: RepositoryFacts): Step => ({
  name: 'Set up Node',
  uses: uses('setupNode'),
  with: { 'node-version': facts.nodeVersion },
});

/** pnpm and the locked dependencies only: what the CDK app and the repository's commands need. */
const installDependencies = (facts: RepositoryFacts, workingDirectory?: string): Step => ({
  name: 'Install pnpm and the locked dependencies',
  ...(workingDirectory ? { 'working-directory': workingDirectory } : {}),
  run: [`npm install --global --no-fund --no-audit pnpm@${facts.pnpmVersion}`, 'pnpm install --frozen-lockfile'].join(
    '\n',
  ),
});

const SOURCE_DATE = expression('steps.source-date.outputs.epoch');

/** Every run step uses bash with -e and pipefail, so a failing command in a pipe fails the step. */
const DEFAULTS = { run: { shell: 'bash' } };

function pullRequestWorkflow(model: PlatformModel, facts: RepositoryFacts): Record<string, unknown> {
  const { branch } = model.organization.ci;
  // A pull request's base, or the base of a merge queue's group (whose commit is the pull requests on it merged).
  const baseSha = {
    BASE_SHA: expression('github.event.pull_request.base.sha || github.event.merge_group.base_sha'),
  };
  // The committed outputs are checked and summarized before `npm run setup`, which ends with `pnpm synth` and would
  // rewrite them: after it, a stale dist/ could no longer be told from a fresh one.
  const steps: Step[] = [
    // The whole history: `pnpm changes` reads the base revision's dist/.
    checkout({ 'fetch-depth': 0 }),
    setupNode(facts),
    installDependencies(facts),
    { name: `The committed ${DIST_FOLDER}/ and workflows are what the code renders`, run: 'pnpm synth:check' },
    {
      name: 'Summarize what the change does per environment',
      // Also when the check above failed: the reviewer sees what the committed outputs do.
      if: '!cancelled()',
      env: baseSha,
      run: 'pnpm changes --base "$BASE_SHA" >> "$GITHUB_STEP_SUMMARY"',
    },
    ...(facts.scripts.includes('plan')
      ? [
          {
            name: 'Destructive-change guard',
            // Also when the check above failed: the plan renders the working tree itself (docs/plan.md).
            if: '!cancelled()',
            env: baseSha,
            run: 'pnpm plan --base "$BASE_SHA" --format markdown >> "$GITHUB_STEP_SUMMARY"',
          },
        ]
      : []),
    {
      name: 'Cache the engines and the Go build cache',
      uses: uses('cache'),
      with: {
        path: ['.tools', '~/.cache/go-build', '~/go/pkg/mod'].join('\n'),
        key: `engines-${expression('runner.os')}-${expression("hashFiles('tools/verify/**', 'tools/setup.sh')")}`,
      },
    },
    { name: 'Install (README: npm run setup)', run: 'npm run setup' },
    { name: 'Test (README: npm test)', run: 'npm test' },
    { name: 'Verify with the real engines', run: 'npm run verify' },
  ];
  return {
    name: 'Pull request checks',
    // The merge queue tests each pull request merged onto the branch with those queued before it, so two pull
    // requests green each on its own base cannot leave a stale dist/ on the branch (README, Deploying).
    on: { pull_request: { branches: [branch] }, merge_group: { types: ['checks_requested'] } },
    permissions: {},
    concurrency: {
      // One group per pull request, and per merge group (its own temporary branch).
      group: `pull-request-${expression('github.event.pull_request.number || github.ref')}`,
      'cancel-in-progress': true,
    },
    defaults: DEFAULTS,
    jobs: {
      checks: {
        name: 'Test, verify and summarize',
        'runs-on': RUNNER,
        permissions: { contents: 'read' },
        // A first run compiles the engines (20 to 40 minutes, README); later runs find them in the cache.
        'timeout-minutes': 120,
        steps,
      },
    },
  };
}

/** The job that deploys `stacks` of one GitHub Environment, by its needs, OIDC role and region. */
interface DeployTarget {
  /** The GitHub Environment of the job; its deploy role trusts it (and its concurrency group is named after it). */
  readonly githubEnvironment: string;
  readonly roleArn: string;
  readonly region: string;
  readonly stacks: readonly string[];
  /** The branch deploys follow (`organization.ci.branch`). */
  readonly branch: string;
  /** The exact OIDC subject the job's role trusts (delivery.ts `deployJobSubject`). */
  readonly subject: string;
  /** This repository (`organization.ci`): its name, and its IDs when its tokens carry GitHub's immutable subject. */
  readonly source: GithubSource;
}

/**
 * The GitHub App the deploy jobs advance the GitOps branches with: GITHUB_TOKEN cannot have the `workflows`
 * permission, and GitHub refuses its ref update when the new commits change `.github/workflows/` (which adding a
 * service does: the workflows are rendered from the model). The App is the only bypass of the `deploy/*` ruleset
 * (README, Deploying). Its client ID is a variable of the repository; its private key a secret of only the GitHub
 * Environments whose deploy job advances a branch, so no other job can read it.
 */
export const DEPLOY_APP = {
  clientIdVariable: 'DEPLOY_APP_CLIENT_ID',
  privateKeySecret: 'DEPLOY_APP_PRIVATE_KEY',
} as const;

/**
 * The secrets a service repository passes to `service-image.yml`: the client ID and a private key of the release
 * GitHub App, installed on this repository with contents and pull-requests write (README, Service images). Not the
 * deploy App: that one may move the `deploy/*` branches.
 */
export const RELEASE_APP = {
  clientIdSecret: 'platform-app-client-id',
  privateKeySecret: 'platform-app-private-key',
} as const;

/** Written into a job's summary: a heading and a file in a fenced block. */
const summaryOf = (heading: string, file: string) =>
  `{ echo '### ${heading}'; echo '\`\`\`'; cat ${file}; echo '\`\`\`'; } >> "$GITHUB_STEP_SUMMARY"`;

/**
 * The variable holding the day an environment's plan job planned on (`date -u +%F`), which its diff, and the deploy
 * job's diff and deploy, give the app as `platform:today` (TODAY_CONTEXT_KEY): the app's Kubernetes support
 * warnings count days from it and are part of the diff's output, so a diff on a later day still matches the plan.
 */
const PLANNED_DAY = 'PLANNED_DAY';

/** `--context platform:today=<the planned day>` for a cdk command of a plan or deploy job. */
const plannedDayContext = `--context "${TODAY_CONTEXT_KEY}=$${PLANNED_DAY}"`;

/**
 * `cdk diff` of exactly these stacks into `cdk-diff.txt` (and the log): `--method template` compares the synthesized
 * templates with the deployed ones, read through the CDK bootstrap lookup role (aws-cdk CLI 2.1148.1), with no
 * change set, so the plan role needs nothing else. The CLI's diff prints no time or run-specific value (only the
 * stacks' differences and their count); the app's warnings are judged on the given day (`context`, the planned day
 * in plan and deploy jobs). So the output depends only on the commit, that day and the deployed templates: the
 * deploy job's digest of it equals the plan's unless the deployed stacks changed in between.
 */
const cdkDiff = (stacks: readonly string[], context?: string) =>
  `pnpm exec cdk diff --method template --no-notices --no-color${context ? ` ${context}` : ''} --exclusively ${stacks.join(' ')} 2>&1 | tee cdk-diff.txt`;

const DIFF_DIGEST = 'digest="$(sha256sum cdk-diff.txt | cut -d\' \' -f1)"';

/**
 * The steps every deploy and plan job starts with: the check that it deploys no older commit, Node and the locked
 * dependencies, synth:check.
 *
 * @param gitopsBranch the branch the job's environment's Argo CD tracks when it is its own (advancesGitopsBranch):
 *   the job may deploy any commit at or after where that branch is, so an approved job still deploys while newer
 *   merges queue behind it; without it (shared-services, an environment that tracks `branch`) only the head of
 *   `branch` deploys.
 */
function preparation(
  facts: RepositoryFacts,
  branch: string,
  checkoutOptions: Record<string, unknown> = {},
  gitopsBranch?: string,
): Step[] {
  return [
    checkout(checkoutOptions),
    gitopsBranch === undefined ? headCheck(branch) : descendantCheck(gitopsBranch),
    setupNode(facts),
    installDependencies(facts),
    { name: `The committed ${CLOUDFORMATION_FOLDER} templates are what the code renders`, run: 'pnpm synth:check' },
  ];
}

/**
 * A re-run of an older run would deploy its older templates over newer ones, while Argo CD stays on the head: only
 * the branch's head deploys. The checkout keeps no credentials, so the head comes from the API with the job's token.
 */
const headCheck = (branch: string): Step => ({
  name: `Deploy only the head of ${branch}`,
  env: { BRANCH: branch, GH_TOKEN: expression('github.token') },
  run: [
    'head="$(gh api "repos/$GITHUB_REPOSITORY/git/ref/heads/$BRANCH" --jq .object.sha)"',
    'if [ "$head" != "$GITHUB_SHA" ]; then',
    '  echo "::error::$GITHUB_SHA is no longer the head of $BRANCH ($head): deploy the newest run instead"',
    '  exit 1',
    'fi',
  ].join('\n'),
});

/**
 * An environment whose Argo CD tracks a branch of its own never moves back: the commit must be where that branch is,
 * or descend from it (GitHub's compare API: `identical` or `ahead`); a missing branch (the first deploy) allows any.
 * A run waiting for approval while newer commits merge still deploys; a re-run of a run older than the deployed
 * commit stops before it assumes a role.
 */
const descendantCheck = (gitopsBranch: string): Step => ({
  name: `Deploy only a commit at or after ${gitopsBranch}`,
  env: { GITOPS_BRANCH: gitopsBranch, GH_TOKEN: expression('github.token') },
  run: [
    'if deployed="$(gh api "repos/$GITHUB_REPOSITORY/git/ref/heads/$GITOPS_BRANCH" --jq .object.sha 2> ref.err)"; then',
    '  status="$(gh api "repos/$GITHUB_REPOSITORY/compare/$deployed...$GITHUB_SHA" --jq .status)"',
    '  if [ "$status" != ahead ] && [ "$status" != identical ]; then',
    '    echo "::error::$GITHUB_SHA is $status of $deployed, where $GITOPS_BRANCH is: deploying it would move the environment back; deploy a newer run instead"',
    '    exit 1',
    '  fi',
    "elif ! grep --quiet 'HTTP 404' ref.err; then",
    '  cat ref.err',
    '  exit 1',
    'fi',
  ].join('\n'),
});

/** Bash lines that request the job's own OIDC token (GitHub's audience for AWS) and set `subject` to its `sub` claim. */
const READ_OIDC_SUBJECT = [
  `response="$(curl --silent --show-error --fail --header "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=${GITHUB_OIDC_AUDIENCE}")"`,
  'token="$(jq --raw-output .value <<< "$response")"',
  'echo "::add-mask::$token"',
  // The JWT's payload: base64url without padding, which jq's @base64d reads once padded.
  `subject="$(jq --raw-input --raw-output 'split(".")[1] | gsub("-"; "+") | gsub("_"; "/") | . + "==="[0:((4 - length % 4) % 4)] | @base64d | fromjson | .sub' <<< "$token")"`,
];

/**
 * The first step of a job that assumes a role of this repository: the role trusts one subject, and a token that
 * follows another template (the repository's subject claim not customized yet, or changed) would fail later at
 * AssumeRoleWithWebIdentity with "Not authorized"; this names the cause and the one command that fixes it. A token
 * that names the repository by GitHub's immutable IDs (`owner@<id>/repo@<id>`, delivery.ts `subjectRepository`) where
 * the model gives none calls for the IDs in the model instead (README, "Deploying").
 */
function oidcSubjectCheck(subject: string, source: GithubSource): Step {
  return {
    name: 'The OIDC token carries the subject the role trusts',
    env: {
      EXPECTED: subject,
      SET_TEMPLATE: oidcSubjectCustomizationCommand(source, ORGANIZATION_OIDC_SUBJECT_TEMPLATE),
      READ_IDS: `gh api repos/${source.githubRepository} --jq '.owner.id, .id'`,
    },
    run: [
      ...READ_OIDC_SUBJECT,
      'if [ "$subject" != "$EXPECTED" ]; then',
      // No branch, GitHub Environment or repository name of the model holds an `@`: only the immutable IDs do.
      // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansions, not a JS template
      '  if [ "$subject" != "${subject#*@}" ] && [ "$EXPECTED" = "${EXPECTED#*@}" ]; then',
      '    echo "::error::the OIDC token\'s subject is $subject; the role trusts $EXPECTED only. It names the repository by GitHub\'s immutable IDs (owner@<id>/repo@<id>): give organization.ci.githubRepositoryOwnerId and organization.ci.githubRepositoryId (printed by: $READ_IDS), run pnpm synth, and deploy the CI identities by hand once (README, Deploying)"',
      '  else',
      '    echo "::error::the OIDC token\'s subject is $subject; the role trusts $EXPECTED only. Set the repository\'s subject template once (README, Deploying): $SET_TEMPLATE"',
      '  fi',
      '  exit 1',
      'fi',
    ].join('\n'),
  };
}

const assumeRole = (name: string, roleArn: string, region: string, session: string): Step => ({
  name,
  uses: uses('awsCredentials'),
  with: {
    'role-to-assume': roleArn,
    'aws-region': region,
    'role-session-name': `${session}-${expression('github.run_id')}`,
    'role-duration-seconds': CI_SESSION_SECONDS,
  },
});

/**
 * One environment's deploys, one at a time: a later merge waits rather than cancelling one under way. The plan job
 * shares the group, so that it never reads stacks halfway through a deployment.
 */
const deployConcurrency = (githubEnvironment: string) => ({
  group: `deploy-${githubEnvironment}`,
  'cancel-in-progress': false,
});

/** The shared-services job: `cdk diff`, then `cdk deploy`, in one job (its GitHub Environment has no reviewers). */
function sharedServicesJob(facts: RepositoryFacts, target: DeployTarget): Job {
  return {
    name: `Deploy ${target.stacks.join(' ')}`,
    'runs-on': RUNNER,
    environment: target.githubEnvironment,
    concurrency: deployConcurrency(target.githubEnvironment),
    permissions: { contents: 'read', 'id-token': 'write' },
    'timeout-minutes': 120,
    steps: [
      oidcSubjectCheck(target.subject, target.source),
      ...preparation(facts, target.branch),
      assumeRole(
        'Assume the deploy role (GitHub OIDC)',
        target.roleArn,
        target.region,
        `deploy-${target.githubEnvironment}`,
      ),
      {
        name: 'cdk diff',
        run: [cdkDiff(target.stacks), summaryOf(`cdk diff: ${target.githubEnvironment}`, 'cdk-diff.txt')].join('\n'),
      },
      {
        name: 'cdk deploy',
        // The GitHub Environment's required reviewers approved the job: the CLI asks nothing more.
        run: `pnpm exec cdk deploy --exclusively --concurrency ${DEPLOY_CONCURRENCY} --require-approval never --progress events ${target.stacks.join(' ')}`,
      },
    ],
  };
}

/** The job IDs of one environment's plan and deploy jobs. */
export function environmentJobIds(environmentName: string): { plan: string; deploy: string } {
  return { plan: planGithubEnvironment(environmentName), deploy: environmentName };
}

/**
 * An environment's plan job: `cdk diff` with the plan role, which may only read, in the GitHub Environment
 * `<env>-plan` (no reviewers; the plan role trusts it), written to the run's summary and kept as an artifact; its
 * output `digest` is what the deploy job checks. Where Argo CD of the environment tracks a branch of its own, the
 * summary also shows what it syncs once the deploy job advances that branch (`pnpm changes`).
 */
function planJob(
  facts: RepositoryFacts,
  model: PlatformModel,
  environment: Environment,
  options: { readonly needs: string; readonly stacks: readonly string[] },
): Job {
  const { organization } = model;
  const naming = new EnvironmentNaming(organization, environment);
  const githubEnvironment = planGithubEnvironment(environment.name);
  const gitopsBranch = environment.gitops.targetRevision;
  const argoCdSteps: Step[] = advancesGitopsBranch(organization, gitopsBranch)
    ? [
        {
          name: `What Argo CD of ${environment.name} syncs once ${gitopsBranch} is advanced`,
          env: { GITOPS_BRANCH: gitopsBranch, GH_TOKEN: expression('github.token') },
          run: [
            `echo '### Argo CD of ${environment.name}: ${gitopsBranch} advanced to this commit' >> "$GITHUB_STEP_SUMMARY"`,
            'if deployed="$(gh api "repos/$GITHUB_REPOSITORY/git/ref/heads/$GITOPS_BRANCH" --jq .object.sha 2> ref.err)"; then',
            // The whole history is checked out: the deployed commit's dist/ is there.
            `  pnpm changes --base "$deployed" >> "$GITHUB_STEP_SUMMARY"`,
            // Only a missing branch is "not yet": any other failure of the API stops the plan rather than mislead.
            "elif grep --quiet 'HTTP 404' ref.err; then",
            `  echo "$GITOPS_BRANCH does not exist yet: the deploy job creates it at $GITHUB_SHA" >> "$GITHUB_STEP_SUMMARY"`,
            'else',
            '  cat ref.err',
            '  exit 1',
            'fi',
          ].join('\n'),
        },
      ]
    : [];
  return {
    name: `Plan ${environment.name}`,
    needs: options.needs,
    'runs-on': RUNNER,
    environment: githubEnvironment,
    concurrency: deployConcurrency(environment.name),
    permissions: { contents: 'read', 'id-token': 'write' },
    'timeout-minutes': 60,
    outputs: { digest: expression('steps.plan.outputs.digest'), day: expression('steps.day.outputs.day') },
    steps: [
      oidcSubjectCheck(deployJobSubject(organization.ci, githubEnvironment), organization.ci),
      // The whole history where the summary compares dist/ with the deployed commit's.
      ...preparation(
        facts,
        organization.ci.branch,
        argoCdSteps.length > 0 ? { 'fetch-depth': 0 } : {},
        advancesGitopsBranch(organization, gitopsBranch) ? gitopsBranch : undefined,
      ),
      assumeRole(
        'Assume the plan role (GitHub OIDC; it may only read)',
        naming.ciPlanRoleArn,
        environment.region,
        `plan-${environment.name}`,
      ),
      {
        // The day the plan is judged on, which the deploy job's diff uses too, however much later it is approved.
        name: 'The day of the plan (UTC)',
        id: 'day',
        run: 'echo "day=$(date -u +%F)" >> "$GITHUB_OUTPUT"',
      },
      {
        name: 'cdk diff',
        id: 'plan',
        env: { [PLANNED_DAY]: expression('steps.day.outputs.day') },
        run: [
          cdkDiff(options.stacks, plannedDayContext),
          summaryOf(`cdk diff: ${environment.name} (what the deploy job applies once approved)`, 'cdk-diff.txt'),
          DIFF_DIGEST,
          'echo "digest=$digest" >> "$GITHUB_OUTPUT"',
        ].join('\n'),
      },
      {
        name: 'Keep the diff',
        uses: uses('uploadArtifact'),
        // A re-run of the job replaces its artifact.
        with: {
          name: `cdk-diff-${environment.name}`,
          path: 'cdk-diff.txt',
          'if-no-files-found': 'error',
          overwrite: true,
        },
      },
      ...argoCdSteps,
    ],
  };
}

/**
 * An environment's deploy job, in the GitHub Environment of its name (whose reviewers, if any, approve it after its
 * plan job wrote the diff): the diff again, which must be the plan's (else the deployed stacks changed since, and
 * the job stops before deploying anything), then `cdk deploy` of exactly these stacks; then, where Argo CD of the
 * environment tracks a branch of its own, a fast-forward of that branch to the deployed commit (with a token of the
 * deploy GitHub App, DEPLOY_APP), so Argo CD syncs the environment's dist/ only once its stacks are deployed.
 */
function environmentDeployJob(
  facts: RepositoryFacts,
  model: PlatformModel,
  environment: Environment,
  options: { readonly stacks: readonly string[] },
): Job {
  const { organization } = model;
  const jobs = environmentJobIds(environment.name);
  const gitopsBranch = environment.gitops.targetRevision;
  const advances = advancesGitopsBranch(organization, gitopsBranch);
  return {
    name: `Deploy ${environment.name}`,
    needs: jobs.plan,
    'runs-on': RUNNER,
    environment: environment.name,
    concurrency: deployConcurrency(environment.name),
    // The branch is advanced with the GitHub App's token: GITHUB_TOKEN only reads.
    permissions: { contents: 'read', 'id-token': 'write' },
    'timeout-minutes': 120,
    steps: [
      oidcSubjectCheck(deployJobSubject(organization.ci, environment.name), organization.ci),
      ...preparation(facts, organization.ci.branch, {}, advances ? gitopsBranch : undefined),
      assumeRole(
        'Assume the deploy role (GitHub OIDC)',
        new EnvironmentNaming(organization, environment).ciDeployRoleArn,
        environment.region,
        `deploy-${environment.name}`,
      ),
      {
        name: `cdk diff is the plan of ${jobs.plan}`,
        env: {
          APPROVED: expression(`needs.${jobs.plan}.outputs.digest`),
          [PLANNED_DAY]: expression(`needs.${jobs.plan}.outputs.day`),
        },
        run: [
          cdkDiff(options.stacks, plannedDayContext),
          DIFF_DIGEST,
          // A diff without differences is no plan's either, but then the stacks already are this commit's: a re-run of
          // this job after its deploy (when advancing the GitOps branch failed) deploys nothing and advances it.
          'if [ "$digest" != "$APPROVED" ] && ! grep -q "Number of stacks with differences: 0$" cdk-diff.txt; then',
          `  ${summaryOf(`cdk diff now: ${environment.name} (not the plan: nothing deployed)`, 'cdk-diff.txt')}`,
          `  echo "::error::the diff is not the plan of ${jobs.plan} (the deployed stacks changed since): re-run ${jobs.plan}, which re-runs this job, and approve its new diff"`,
          '  exit 1',
          'fi',
        ].join('\n'),
      },
      {
        name: 'cdk deploy',
        // The GitHub Environment's required reviewers approved the job after reading its plan: the CLI asks nothing.
        // The templates are synthesized as they were diffed, on the planned day.
        env: { [PLANNED_DAY]: expression(`needs.${jobs.plan}.outputs.day`) },
        run: `pnpm exec cdk deploy ${plannedDayContext} --exclusively --concurrency ${DEPLOY_CONCURRENCY} --require-approval never --progress events ${options.stacks.join(' ')}`,
      },
      ...(advances
        ? [
            {
              // Minted after the deploy, which may take longer than the token's hour.
              name: `Token of the deploy GitHub App (contents and workflows write on ${organization.ci.githubRepository})`,
              id: 'deploy-app-token',
              uses: uses('createAppToken'),
              with: {
                'client-id': expression(`vars.${DEPLOY_APP.clientIdVariable}`),
                'private-key': expression(`secrets.${DEPLOY_APP.privateKeySecret}`),
                'permission-contents': 'write',
                'permission-workflows': 'write',
              },
            },
            {
              name: `Advance ${gitopsBranch}, which Argo CD of ${environment.name} syncs, to the deployed commit`,
              env: { GITOPS_BRANCH: gitopsBranch, GH_TOKEN: expression('steps.deploy-app-token.outputs.token') },
              // Fast-forward only (`force=false`): a branch moved back to roll back moves on from there.
              run: [
                'if gh api "repos/$GITHUB_REPOSITORY/git/ref/heads/$GITOPS_BRANCH" --silent; then',
                '  gh api --method PATCH "repos/$GITHUB_REPOSITORY/git/refs/heads/$GITOPS_BRANCH" -f sha="$GITHUB_SHA" -F force=false --silent',
                'else',
                '  gh api --method POST "repos/$GITHUB_REPOSITORY/git/refs" -f ref="refs/heads/$GITOPS_BRANCH" -f sha="$GITHUB_SHA" --silent',
                'fi',
                'echo "$GITOPS_BRANCH is at $GITHUB_SHA" >> "$GITHUB_STEP_SUMMARY"',
              ].join('\n'),
            },
          ]
        : []),
    ],
  };
}

/**
 * The deploy workflow's jobs, in the order `needs` chains them: shared-services, then per environment its plan and
 * its deploy job.
 */
function deployWorkflow(model: PlatformModel, facts: RepositoryFacts): Record<string, unknown> {
  const { organization } = model;
  const jobs: Record<string, Job> = {
    [SHARED_SERVICES_DEPLOYMENT]: sharedServicesJob(facts, {
      githubEnvironment: SHARED_SERVICES_DEPLOYMENT,
      roleArn: roleArn(
        organization.sharedServices.account,
        organization.sharedServices.region,
        sharedServicesDeployRoleName(organization),
      ),
      subject: deployJobSubject(organization.ci, SHARED_SERVICES_DEPLOYMENT),
      source: organization.ci,
      region: organization.sharedServices.region,
      stacks: sharedServicesStackIds(model),
      branch: organization.ci.branch,
    }),
  };
  let previous: string = SHARED_SERVICES_DEPLOYMENT;
  for (const environment of model.environments) {
    const ids = environmentJobIds(environment.name);
    const stacks = environmentStackIds(model, environment.name);
    jobs[ids.plan] = planJob(facts, model, environment, { needs: previous, stacks });
    jobs[ids.deploy] = environmentDeployJob(facts, model, environment, { stacks });
    previous = ids.deploy;
  }
  return {
    name: 'Deploy',
    on: { push: { branches: [organization.ci.branch] } },
    permissions: {},
    defaults: DEFAULTS,
    jobs,
  };
}

/**
 * The service image job's check, before it assumes the service's push role: that role trusts one subject (delivery.ts
 * `serviceImageJobSubject`; by default a pattern naming this workflow, `…:job_workflow_ref:<this
 * repository>/.github/workflows/service-image.yml@*`, which bash's `[[ == ]]` matches as IAM's StringLike does: `*`
 * any characters, no name of the model holds a glob character). A caller whose repository's subject template is not
 * set yet would fail at AssumeRoleWithWebIdentity with "Not authorized"; this names the cause and the one command that
 * fixes it (README, "Deploying"), or the model's missing IDs when the token names the repository by them.
 */
function serviceSubjectCheck(model: PlatformModel): Step {
  const cases = model.services.flatMap((service) => {
    if (!service.ci) return [];
    const template = service.ci.oidcSubject ?? SERVICE_OIDC_SUBJECT_TEMPLATE;
    const expected = serviceImageJobSubject(service.ci, model.organization.ci);
    const command = oidcSubjectCustomizationCommand(service.ci, template);
    return [`if [ "$SERVICE" = ${service.name} ]; then expected='${expected}'; set_template="${command}"; fi`];
  });
  return {
    name: "The OIDC token carries the subject the service's push role trusts",
    env: { SERVICE: expression('inputs.service'), REPOSITORY: expression('github.repository') },
    run: [
      "expected=''",
      ...cases,
      `if [ -z "$expected" ]; then echo "::error::$SERVICE has no repository of its own (services[].ci)"; exit 1; fi`,
      ...READ_OIDC_SUBJECT,
      // Unquoted on the right: a pattern, as the role's StringLike reads it.
      'if [[ "$subject" == $expected ]]; then exit 0; fi',
      'ids="^repo:[^:/]+@[0-9]+/"',
      'if [[ "$subject" =~ $ids ]] && ! [[ "$expected" =~ $ids ]]; then',
      `  echo "::error::the OIDC token's subject is $subject; the push role of $SERVICE trusts $expected only. It names the repository by GitHub's immutable IDs (owner@<id>/repo@<id>): give services[].ci.githubRepositoryOwnerId and githubRepositoryId of $SERVICE in ${model.organization.ci.githubRepository} (printed by: gh api repos/$REPOSITORY --jq '.owner.id, .id'), run pnpm synth there, and deploy its repository stack"`,
      'else',
      `  echo "::error::the OIDC token's subject is $subject; the push role of $SERVICE trusts $expected only. Set this repository's subject template once (README of ${model.organization.ci.githubRepository}, Deploying): $set_template"`,
      'fi',
      'exit 1',
    ].join('\n'),
  };
}

function serviceImageWorkflow(model: PlatformModel, facts: RepositoryFacts): Record<string, unknown> {
  const { organization } = model;
  const [first] = model.environments;
  const platforms = imagePlatforms(model).join(',');
  const registry = registryHost(organization);
  const repositoryPrefix = ecrRepositoryName(organization, '');
  const services = model.services.map((service) => service.name);
  const sources = model.services.flatMap((service) =>
    service.ci ? [`${service.name}=${service.ci.githubRepository}`] : [],
  );
  const image = `${registry}/${repositoryPrefix}${expression('inputs.service')}`;
  const platformDirectory = 'platform';
  const buildTag = `${organization.images.buildTagPrefix}${expression('github.sha')}`;
  const notPushed = "steps.existing.outputs.digest == ''";
  const { buildTagPrefix, releaseTagPatterns } = organization.images;
  const serviceRepository = `${repositoryPrefix}${expression('inputs.service')}`;
  const [platformOwner, platformName] = organization.ci.githubRepository.split('/');
  return {
    name: 'Service image',
    on: {
      workflow_call: {
        inputs: {
          service: {
            description: `The service's name in the model: one of ${services.join(', ')}.`,
            required: true,
            type: 'string',
          },
          'release-tag': {
            description: `The release tag the image gets once its scan passes, which the release pins with the digest: it must match organization.images.releaseTagPatterns (${releaseTagPatterns.map((pattern) => `'${pattern}'`).join(', ')}) and not start with '${buildTagPrefix}', so ECR keeps the image for a rollback; e.g. 1.4.<the caller's github.run_number>. A re-run reuses it; another image cannot take it (the tags are immutable).`,
            required: true,
            type: 'string',
          },
          'test-command': {
            description: "The command that runs the service's tests, in bash, from the repository's root.",
            required: true,
            type: 'string',
          },
          context: { description: 'The Docker build context.', required: false, type: 'string', default: '.' },
          dockerfile: {
            description: 'The Dockerfile, relative to the repository root.',
            required: false,
            type: 'string',
            default: 'Dockerfile',
          },
          trivyignore: {
            description:
              'The Trivy ignore file of accepted findings (one ID per line, with the reason in a comment); a missing file accepts none.',
            required: false,
            type: 'string',
            default: '.trivyignore',
          },
          platforms: {
            description:
              "The platforms to build for. The default is every CPU architecture the model's nodes can have (managed node groups and Karpenter); two make a multi-arch image.",
            required: false,
            type: 'string',
            default: platforms,
          },
        },
        secrets: {
          [RELEASE_APP.clientIdSecret]: {
            description: `The client ID of the GitHub App installed on ${organization.ci.githubRepository} with contents and pull-requests write, whose token opens the release pull request there.`,
            required: true,
          },
          [RELEASE_APP.privateKeySecret]: {
            description:
              'A private key of that GitHub App. The job that opens the pull request mints its token (an installation token lasts an hour, and a job output cannot carry a secret).',
            required: true,
          },
        },
        outputs: {
          digest: { description: 'The digest of the pushed image.', value: expression('jobs.image.outputs.digest') },
        },
      },
    },
    permissions: {},
    defaults: DEFAULTS,
    jobs: {
      test: {
        name: 'Test',
        'runs-on': RUNNER,
        permissions: { contents: 'read' },
        steps: [
          checkout(),
          {
            name: 'Run the tests',
            env: { TEST_COMMAND: expression('inputs.test-command') },
            run: 'bash -euo pipefail -c "$TEST_COMMAND"',
          },
        ],
      },
      'source-scan': {
        name: 'Scan the source (Trivy)',
        'runs-on': RUNNER,
        permissions: { contents: 'read' },
        steps: [
          checkout(),
          { name: 'Install Trivy', uses: uses('setupTrivy'), with: { version: TRIVY_VERSION } },
          {
            name: `Fail on ${FAILING_SEVERITIES} findings in dependencies, secrets and configuration`,
            env: { TRIVYIGNORE: expression('inputs.trivyignore') },
            run: `trivy fs --scanners vuln,secret,misconfig --severity ${FAILING_SEVERITIES} --exit-code 1 --ignorefile "$TRIVYIGNORE" .`,
          },
        ],
      },
      image: {
        name: 'Build and push the image once, then scan it',
        needs: ['test', 'source-scan'],
        'runs-on': RUNNER,
        permissions: { contents: 'read', 'id-token': 'write' },
        outputs: { digest: expression('steps.digest.outputs.digest') },
        steps: [
          checkout(),
          {
            name: 'The service is in the model, and this is its repository',
            env: { SERVICE: expression('inputs.service'), REPOSITORY: expression('github.repository') },
            run: [
              `known=" ${services.join(' ')} "`,
              'if [[ "$known" != *" $SERVICE "* ]]; then',
              `  echo "::error::unknown service '$SERVICE'; known: ${services.join(', ')}"`,
              '  exit 1',
              'fi',
              `for source in ${sources.join(' ')}; do`,
              // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansions, not a JS template
              '  if [ "${source%%=*}" = "$SERVICE" ] && [ "${source#*=}" = "$REPOSITORY" ]; then exit 0; fi',
              'done',
              `echo "::error::$REPOSITORY is not the repository the model names for $SERVICE (services[].ci.githubRepository)"`,
              'exit 1',
            ].join('\n'),
          },
          {
            // Before anything is built: ECR keeps an image by its tag only (image-registry.ts), so the release must
            // name a tag its lifecycle rules keep for ever (image-expiry-rules.ts asks the same of the model).
            name: 'The release tag is one the registry keeps',
            env: { RELEASE_TAG: expression('inputs.release-tag') },
            run: [
              'if ! [[ "$RELEASE_TAG" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || [ "$RELEASE_TAG" = latest ]; then',
              `  echo "::error::release-tag '$RELEASE_TAG' is no immutable image tag (letters, digits, _ . -, at most 128, not latest)"`,
              '  exit 1',
              'fi',
              `if [[ "$RELEASE_TAG" == ${buildTagPrefix}* ]]; then`,
              `  echo "::error::release-tag '$RELEASE_TAG' starts with the build-tag prefix '${buildTagPrefix}', whose images expire"`,
              '  exit 1',
              'fi',
              // ECR's `*` is any characters, as a glob's; a pattern holds no other glob syntax (schema.ts).
              ...releaseTagPatterns.map((pattern) => `if [[ "$RELEASE_TAG" == ${pattern} ]]; then exit 0; fi`),
              `echo "::error::release-tag '$RELEASE_TAG' matches no release tag pattern (organization.images.releaseTagPatterns: ${releaseTagPatterns.join(', ')})"`,
              'exit 1',
            ].join('\n'),
          },
          {
            name: 'Date the build by its commit, so the image does not depend on when it is built',
            id: 'source-date',
            run: 'echo "epoch=$(git log -1 --format=%ct)" >> "$GITHUB_OUTPUT"',
          },
          serviceSubjectCheck(model),
          {
            // The service's own role, which may push to its repository only; the step above checked that this
            // is the service's repository, and the role's trust checks it again.
            name: "Assume the service's image push role (GitHub OIDC)",
            uses: uses('awsCredentials'),
            with: {
              'role-to-assume': roleArn(
                organization.sharedServices.account,
                organization.sharedServices.region,
                ciServiceImagePushRoleName(organization, expression('inputs.service')),
              ),
              'aws-region': organization.sharedServices.region,
              'role-session-name': `image-${expression('inputs.service')}-${expression('github.run_id')}`,
              'role-duration-seconds': CI_SESSION_SECONDS,
            },
          },
          // Writes the registry's credentials into Docker's configuration, where both buildx and Trivy read them.
          { name: 'Log in to the registry', uses: uses('ecrLogin') },
          {
            name: 'Find an image a run of this commit already pushed',
            id: 'existing',
            env: { REPOSITORY: serviceRepository, TAG: buildTag },
            // The repository's tags are immutable: a re-run of the workflow cannot push the build tag again, and
            // reuses the image its first run pushed.
            run: [
              'if digest="$(aws ecr describe-images --repository-name "$REPOSITORY" --image-ids imageTag="$TAG" --query \'imageDetails[0].imageDigest\' --output text 2> describe-images.err)"; then',
              '  echo "::notice::$REPOSITORY:$TAG exists ($digest): not built again"',
              '  echo "digest=$digest" >> "$GITHUB_OUTPUT"',
              'elif ! grep --quiet ImageNotFoundException describe-images.err; then',
              '  cat describe-images.err',
              '  exit 1',
              'fi',
            ].join('\n'),
          },
          { name: 'Set up QEMU (other architectures than the runner)', if: notPushed, uses: uses('setupQemu') },
          { name: 'Set up Buildx', if: notPushed, uses: uses('setupBuildx') },
          {
            name: 'Build once for every platform and push by digest, with SBOM and provenance attestations',
            id: 'push',
            if: notPushed,
            uses: uses('buildPush'),
            env: { SOURCE_DATE_EPOCH: SOURCE_DATE },
            with: {
              context: expression('inputs.context'),
              file: expression('inputs.dockerfile'),
              platforms: expression('inputs.platforms'),
              push: true,
              // A build tag, which expires unless a release references the image by digest: an image whose scan
              // below fails is never released, and expires with it.
              tags: `${image}:${buildTag}`,
              provenance: 'mode=max',
              sbom: true,
            },
          },
          {
            name: 'The digest of the image',
            id: 'digest',
            env: {
              EXISTING: expression('steps.existing.outputs.digest'),
              PUSHED: expression('steps.push.outputs.digest'),
            },
            run: [
              // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash parameter expansion, not a JS template
              'digest="${EXISTING:-$PUSHED}"',
              'if [[ "$digest" != sha256:* ]]; then echo "::error::no image digest (got \'$digest\')"; exit 1; fi',
              'echo "digest=$digest" >> "$GITHUB_OUTPUT"',
            ].join('\n'),
          },
          { name: 'Install Trivy', uses: uses('setupTrivy'), with: { version: TRIVY_VERSION } },
          {
            name: `Scan the pushed image of every platform; fail on ${FAILING_SEVERITIES}`,
            env: {
              IMAGE: image,
              DIGEST: expression('steps.digest.outputs.digest'),
              PLATFORMS: expression('inputs.platforms'),
              TRIVYIGNORE: expression('inputs.trivyignore'),
            },
            // The very bytes pushed, by digest; `--platform` selects one image of a multi-arch index.
            run: [
              // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash parameter expansion, not a JS template
              'for platform in ${PLATFORMS//,/ }; do',
              `  trivy image --platform "$platform" --severity ${FAILING_SEVERITIES} --exit-code 1 --ignorefile "$TRIVYIGNORE" "$IMAGE@$DIGEST"`,
              'done',
            ].join('\n'),
          },
          {
            // Only a scanned image gets the release tag, which the lifecycle rules keep; a failed one keeps its
            // build tag only and expires. ECR adds a tag by putting the image's manifest again (Amazon ECR User
            // Guide, "Retagging an image"), byte for byte, so the digest stays; `--image-digest` makes ECR check it.
            name: 'Tag the scanned image with the release tag',
            env: {
              REPOSITORY: serviceRepository,
              RELEASE_TAG: expression('inputs.release-tag'),
              DIGEST: expression('steps.digest.outputs.digest'),
            },
            run: [
              'if tagged="$(aws ecr describe-images --repository-name "$REPOSITORY" --image-ids imageTag="$RELEASE_TAG" --query \'imageDetails[0].imageDigest\' --output text 2> describe-images.err)"; then',
              '  if [ "$tagged" != "$DIGEST" ]; then',
              '    echo "::error::$REPOSITORY:$RELEASE_TAG names another image ($tagged), and tags are immutable: choose another release-tag"',
              '    exit 1',
              '  fi',
              '  echo "::notice::$REPOSITORY:$RELEASE_TAG is this image already"',
              'elif grep --quiet ImageNotFoundException describe-images.err; then',
              `  manifest="$(aws ecr batch-get-image --repository-name "$REPOSITORY" --image-ids imageDigest="$DIGEST" --accepted-media-types ${MANIFEST_MEDIA_TYPES.join(' ')} --query 'images[0].imageManifest' --output text)"`,
              `  media_type="$(aws ecr batch-get-image --repository-name "$REPOSITORY" --image-ids imageDigest="$DIGEST" --accepted-media-types ${MANIFEST_MEDIA_TYPES.join(' ')} --query 'images[0].imageManifestMediaType' --output text)"`,
              '  aws ecr put-image --repository-name "$REPOSITORY" --image-tag "$RELEASE_TAG" --image-digest "$DIGEST" --image-manifest "$manifest" --image-manifest-media-type "$media_type" > /dev/null',
              'else',
              '  cat describe-images.err',
              '  exit 1',
              'fi',
            ].join('\n'),
          },
        ],
      },
      release: {
        name: `Open the pull request that releases the image to ${first.name}`,
        needs: 'image',
        'runs-on': RUNNER,
        // GITHUB_TOKEN is not used: the release GitHub App's token pushes and opens the pull request.
        permissions: {},
        steps: [
          {
            name: `Token of the release GitHub App (contents and pull-requests write on ${organization.ci.githubRepository})`,
            id: 'release-app-token',
            uses: uses('createAppToken'),
            with: {
              'client-id': expression(`secrets.${RELEASE_APP.clientIdSecret}`),
              'private-key': expression(`secrets.${RELEASE_APP.privateKeySecret}`),
              owner: platformOwner,
              repositories: platformName,
              'permission-contents': 'write',
              'permission-pull-requests': 'write',
            },
          },
          {
            name: `Check out ${organization.ci.githubRepository}`,
            uses: uses('checkout'),
            with: {
              repository: organization.ci.githubRepository,
              ref: organization.ci.branch,
              token: expression('steps.release-app-token.outputs.token'),
              path: platformDirectory,
            },
          },
          setupNode(facts),
          installDependencies(facts, platformDirectory),
          {
            name: `pnpm release (${first.name})`,
            'working-directory': platformDirectory,
            env: {
              SERVICE: expression('inputs.service'),
              RELEASE_TAG: expression('inputs.release-tag'),
              DIGEST: expression('needs.image.outputs.digest'),
            },
            // The tag keeps the image in ECR, the digest pins what the pods pull.
            run: `pnpm release "$SERVICE" --env ${first.name} --image "$RELEASE_TAG@$DIGEST"`,
          },
          {
            name: 'Push a branch and open the pull request',
            'working-directory': platformDirectory,
            env: {
              SERVICE: expression('inputs.service'),
              DIGEST: expression('needs.image.outputs.digest'),
              RELEASE_TAG: expression('inputs.release-tag'),
              SOURCE: `${expression('github.repository')}@${expression('github.sha')}`,
              GH_TOKEN: expression('steps.release-app-token.outputs.token'),
            },
            run: [
              `branch="release/$SERVICE/${first.name}/\${DIGEST#sha256:}"`,
              'git config user.name "github-actions[bot]"',
              'git config user.email "41898282+github-actions[bot]@users.noreply.github.com"',
              'git switch --create "$branch"',
              'git add --all',
              // A re-run finds the release already on the branch it checked out: nothing to propose.
              'if git diff --cached --quiet; then',
              `  echo "::notice::${organization.ci.branch} already releases $SERVICE $RELEASE_TAG@$DIGEST to ${first.name}"`,
              '  exit 0',
              'fi',
              `git commit --quiet --message "Release $SERVICE $RELEASE_TAG to ${first.name}" --message "$RELEASE_TAG@$DIGEST, built from $SOURCE."`,
              // A re-run replaces the branch its first run pushed, and only that: the lease is the commit the
              // remote has now (none: the branch must not exist), so a commit pushed there since is not lost.
              'lease="$(git ls-remote origin "refs/heads/$branch" | cut -f1)"',
              'git push --quiet --force-with-lease="refs/heads/$branch:$lease" origin "$branch"',
              'if [ -n "$(gh pr list --head "$branch" --state open --json number --jq \'.[].number\')" ]; then',
              '  echo "::notice::the pull request of $branch is open already: its branch is updated"',
              '  exit 0',
              'fi',
              `gh pr create --base ${organization.ci.branch} --head "$branch" --title "Release $SERVICE $RELEASE_TAG to ${first.name}" --body "Releases $SERVICE $RELEASE_TAG@$DIGEST (built from $SOURCE, scanned by Trivy, pushed with SBOM and provenance) to ${first.name}. After it runs there, promote it: pnpm promote $SERVICE --from ${first.name} --to <next environment>."`,
            ].join('\n'),
          },
        ],
      },
    },
  };
}
