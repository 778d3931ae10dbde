/**
 * The GitHub Actions workflows of this repository, rendered from the model by `pnpm synth` (and compared by
 * `pnpm synth:check`) like dist/: the deploy order, the GitHub Environments, the role ARNs, the registry, the
 * branch and the image platforms all come from the model, so a change of the model changes them in the same
 * pull request and nothing is written twice.
 *
 * - `pull-request.yml`: the committed outputs checked (`pnpm synth:check`) and summarized per environment
 *   (`pnpm changes`), then the README's install and tests, and the real engines;
 * - `deploy.yml`: on a merge to `organization.ci.branch`, `cdk diff` then `cdk deploy` of the shared-services
 *   stack, then of each environment's stacks in model order, each in its GitHub Environment with its deploy role;
 * - `service-image.yml`: the reusable workflow a service repository calls to test, build and push once, scan the
 *   pushed image by digest, and open the pull request that releases it to the first environment (`pnpm release`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { portableYaml } from '@platform/k8s-platform';
import {
  CI_SESSION_SECONDS,
  CLOUDFORMATION_FOLDER,
  ciImagePushRoleName,
  DEPLOY_CONCURRENCY,
  DIST_FOLDER,
  EnvironmentNaming,
  ecrRepositoryName,
  environmentStackIds,
  imagePlatforms,
  type PlatformModel,
  registryHost,
  roleArn,
  SHARED_SERVICES_DEPLOYMENT,
  SHARED_SERVICES_STACK,
  sharedServicesDeployRoleName,
  sharedServicesStackIds,
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
  const baseSha = { BASE_SHA: expression('github.event.pull_request.base.sha') };
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
    on: { pull_request: { branches: [branch] } },
    permissions: {},
    concurrency: {
      group: `pull-request-${expression('github.event.pull_request.number')}`,
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

/** One deploy job: `cdk diff`, then `cdk deploy` of exactly these stacks, with the role of their account. */
function deployJob(
  facts: RepositoryFacts,
  options: {
    name: string;
    githubEnvironment: string;
    needs?: string;
    roleArn: string;
    region: string;
    stacks: readonly string[];
    /** The branch deploys follow (`organization.ci.branch`). */
    branch: string;
  },
): Job {
  const stacks = options.stacks.join(' ');
  return {
    name: options.name,
    ...(options.needs ? { needs: options.needs } : {}),
    'runs-on': RUNNER,
    environment: options.githubEnvironment,
    // One deployment of an environment at a time; a later merge waits rather than cancelling one under way.
    concurrency: { group: `deploy-${options.githubEnvironment}`, 'cancel-in-progress': false },
    permissions: { contents: 'read', 'id-token': 'write' },
    'timeout-minutes': 120,
    steps: [
      checkout(),
      {
        // A re-run of an older run would deploy its older templates over newer ones, while Argo CD stays on the head.
        name: `Deploy only the head of ${options.branch}`,
        // The checkout keeps no credentials, so the branch's head comes from the API with the job's token.
        env: { BRANCH: options.branch, GH_TOKEN: expression('github.token') },
        run: [
          'head="$(gh api "repos/$GITHUB_REPOSITORY/git/ref/heads/$BRANCH" --jq .object.sha)"',
          'if [ "$head" != "$GITHUB_SHA" ]; then',
          '  echo "::error::$GITHUB_SHA is no longer the head of $BRANCH ($head): deploy the newest run instead"',
          '  exit 1',
          'fi',
        ].join('\n'),
      },
      setupNode(facts),
      installDependencies(facts),
      { name: `The committed ${CLOUDFORMATION_FOLDER} templates are what the code renders`, run: 'pnpm synth:check' },
      {
        name: 'Assume the deploy role (GitHub OIDC)',
        uses: uses('awsCredentials'),
        with: {
          'role-to-assume': options.roleArn,
          'aws-region': options.region,
          'role-session-name': `deploy-${options.githubEnvironment}-${expression('github.run_id')}`,
          'role-duration-seconds': CI_SESSION_SECONDS,
        },
      },
      {
        name: 'cdk diff',
        run: [
          `pnpm exec cdk diff --exclusively ${stacks} 2>&1 | tee cdk-diff.txt`,
          `{ echo '### cdk diff: ${options.githubEnvironment}'; echo '\`\`\`'; cat cdk-diff.txt; echo '\`\`\`'; } >> "$GITHUB_STEP_SUMMARY"`,
        ].join('\n'),
      },
      {
        name: 'cdk deploy',
        // The GitHub Environment's required reviewers approved the job: the CLI asks nothing more.
        run: `pnpm exec cdk deploy --exclusively --concurrency ${DEPLOY_CONCURRENCY} --require-approval never --progress events ${stacks}`,
      },
    ],
  };
}

function deployWorkflow(model: PlatformModel, facts: RepositoryFacts): Record<string, unknown> {
  const { organization } = model;
  const jobs: Record<string, Job> = {
    [SHARED_SERVICES_DEPLOYMENT]: deployJob(facts, {
      name: `Deploy ${SHARED_SERVICES_STACK}`,
      githubEnvironment: SHARED_SERVICES_DEPLOYMENT,
      roleArn: roleArn(
        organization.sharedServices.account,
        organization.sharedServices.region,
        sharedServicesDeployRoleName(organization),
      ),
      region: organization.sharedServices.region,
      stacks: sharedServicesStackIds(model),
      branch: organization.ci.branch,
    }),
  };
  let previous: string = SHARED_SERVICES_DEPLOYMENT;
  for (const environment of model.environments) {
    jobs[environment.name] = deployJob(facts, {
      name: `Deploy ${environment.name}`,
      githubEnvironment: environment.name,
      needs: previous,
      roleArn: new EnvironmentNaming(organization, environment).ciDeployRoleArn,
      region: environment.region,
      stacks: environmentStackIds(model, environment.name),
      branch: organization.ci.branch,
    });
    previous = environment.name;
  }
  return {
    name: 'Deploy',
    on: { push: { branches: [organization.ci.branch] } },
    permissions: {},
    defaults: DEFAULTS,
    jobs,
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
          'platform-repository-token': {
            description: `A token that may push a branch to ${organization.ci.githubRepository} and open a pull request there (a GitHub App installation token or a fine-grained token with contents and pull-requests write).`,
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
            name: 'Date the build by its commit, so the image does not depend on when it is built',
            id: 'source-date',
            run: 'echo "epoch=$(git log -1 --format=%ct)" >> "$GITHUB_OUTPUT"',
          },
          {
            name: 'Assume the image push role (GitHub OIDC)',
            uses: uses('awsCredentials'),
            with: {
              'role-to-assume': roleArn(
                organization.sharedServices.account,
                organization.sharedServices.region,
                ciImagePushRoleName(organization),
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
            env: { REPOSITORY: `${repositoryPrefix}${expression('inputs.service')}`, TAG: buildTag },
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
        ],
      },
      release: {
        name: `Open the pull request that releases the image to ${first.name}`,
        needs: 'image',
        'runs-on': RUNNER,
        // GITHUB_TOKEN is not used: the token of the platform repository pushes and opens the pull request.
        permissions: {},
        steps: [
          {
            name: `Check out ${organization.ci.githubRepository}`,
            uses: uses('checkout'),
            with: {
              repository: organization.ci.githubRepository,
              ref: organization.ci.branch,
              token: expression('secrets.platform-repository-token'),
              path: platformDirectory,
            },
          },
          setupNode(facts),
          installDependencies(facts, platformDirectory),
          {
            name: `pnpm release (${first.name})`,
            'working-directory': platformDirectory,
            env: { SERVICE: expression('inputs.service'), DIGEST: expression('needs.image.outputs.digest') },
            run: `pnpm release "$SERVICE" --env ${first.name} --image "$DIGEST"`,
          },
          {
            name: 'Push a branch and open the pull request',
            'working-directory': platformDirectory,
            env: {
              SERVICE: expression('inputs.service'),
              DIGEST: expression('needs.image.outputs.digest'),
              SOURCE: `${expression('github.repository')}@${expression('github.sha')}`,
              GH_TOKEN: expression('secrets.platform-repository-token'),
            },
            run: [
              `branch="release/$SERVICE/${first.name}/\${DIGEST#sha256:}"`,
              'git config user.name "github-actions[bot]"',
              'git config user.email "41898282+github-actions[bot]@users.noreply.github.com"',
              'git switch --create "$branch"',
              'git add --all',
              // A re-run finds the release already on the branch it checked out: nothing to propose.
              'if git diff --cached --quiet; then',
              `  echo "::notice::${organization.ci.branch} already releases $SERVICE $DIGEST to ${first.name}"`,
              '  exit 0',
              'fi',
              `git commit --quiet --message "Release $SERVICE $DIGEST to ${first.name}" --message "Built from $SOURCE."`,
              // A re-run replaces the branch its first run pushed, and only that: the lease is the commit the
              // remote has now (none: the branch must not exist), so a commit pushed there since is not lost.
              'lease="$(git ls-remote origin "refs/heads/$branch" | cut -f1)"',
              'git push --quiet --force-with-lease="refs/heads/$branch:$lease" origin "$branch"',
              'if [ -n "$(gh pr list --head "$branch" --state open --json number --jq \'.[].number\')" ]; then',
              '  echo "::notice::the pull request of $branch is open already: its branch is updated"',
              '  exit 0',
              'fi',
              `gh pr create --base ${organization.ci.branch} --head "$branch" --title "Release $SERVICE to ${first.name}" --body "Releases $SERVICE $DIGEST (built from $SOURCE, scanned by Trivy, pushed with SBOM and provenance) to ${first.name}. After it runs there, promote it: pnpm promote $SERVICE --from ${first.name} --to <next environment>."`,
            ].join('\n'),
          },
        ],
      },
    },
  };
}
