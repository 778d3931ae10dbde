import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEPLOY_CONCURRENCY,
  EnvironmentNaming,
  environmentStackIds,
  loadPlatformModel,
  type PlatformModel,
  planGithubEnvironment,
  SERVICE_IMAGE_WORKFLOW,
  SHARED_SERVICES_DEPLOYMENT,
  sharedServicesStackIds,
  validateModel,
} from '@platform/model';
import { parse } from 'yaml';
import { ACTIONS } from '../../tools/workflows/actions';
import { renderWorkflows, repositoryFacts, WORKFLOW_FILES, WORKFLOWS_FOLDER } from '../../tools/workflows/render';
import { withEnvironments } from '../model/support/drafts';

/**
 * The workflows as GitHub Actions runs them: every job states its permissions, every action is pinned to a commit,
 * and every command a `run:` step calls exists when the step runs (a package.json script, a file of the repository,
 * a shell builtin, a tool of the runner image, or a tool an earlier step of the job installs). The committed files
 * are what the renderer gives (`pnpm synth:check`); the deploy workflow follows the model for any model.
 */

const ROOT = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const SCRIPTS = new Set(Object.keys(manifest.scripts));

interface Step {
  readonly name?: string;
  readonly id?: string;
  readonly if?: string;
  readonly env?: Record<string, string>;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
  readonly 'working-directory'?: string;
}
interface Job {
  readonly name?: string;
  readonly outputs?: Record<string, string>;
  readonly permissions?: unknown;
  readonly uses?: string;
  readonly steps?: Step[];
  readonly needs?: string | string[];
  readonly environment?: string;
  readonly concurrency?: { group: string; 'cancel-in-progress': boolean };
}
interface Workflow {
  readonly permissions?: unknown;
  readonly on: Record<string, unknown>;
  readonly jobs: Record<string, Job>;
}

const workflowFiles = readdirSync(join(ROOT, WORKFLOWS_FOLDER)).filter((file) => /\.ya?ml$/.test(file));
const workflows = new Map(
  workflowFiles.map((file) => [file, parse(readFileSync(join(ROOT, WORKFLOWS_FOLDER, file), 'utf8')) as Workflow]),
);

/** Bash builtins and keywords: always there. */
const SHELL = new Set(['echo', 'exit', 'printf', 'cd', 'set', 'export', 'true', 'false', 'test', '[', '[[', 'read']);
const KEYWORDS = new Set([
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'for',
  'in',
  'do',
  'done',
  'while',
  'until',
  '!',
  '{',
  '}',
]);
/**
 * Tools of GitHub's Ubuntu runner images (actions/runner-images, "Ubuntu 24.04": Git, the GitHub CLI, GNU coreutils
 * bash, curl, jq and the AWS CLI), which every job runs on.
 */
const RUNNER_TOOLS = new Set([
  'git',
  'gh',
  'bash',
  'cat',
  'tee',
  'grep',
  'cut',
  'sha256sum',
  'date',
  'curl',
  'jq',
  'aws',
]);
/** Tools an action installs, by the action: usable only after a step of the job that uses it. */
const INSTALLED_BY_ACTION: Record<string, string> = {
  node: ACTIONS.setupNode.repository,
  npm: ACTIONS.setupNode.repository,
  trivy: ACTIONS.setupTrivy.repository,
};

/**
 * The simple commands of a bash script, each as its words: split at newlines, `;`, `&&`, `||` and `|` outside
 * quotes, keywords dropped from the front, and the commands inside `$( … )` too.
 */
function commandsOf(script: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word = '';
  let quote: '"' | "'" | undefined;
  const endWord = () => {
    if (word !== '') words.push(word);
    word = '';
  };
  const endCommand = () => {
    endWord();
    // `for NAME in WORDS` lists words, not a command.
    if (words[0] === 'for') words = [];
    while (words.length > 0 && KEYWORDS.has(words[0])) words.shift();
    if (words.length > 0) commands.push(words);
    words = [];
  };
  for (let index = 0; index < script.length; index++) {
    const char = script[index];
    if (quote) {
      if (char === quote) quote = undefined;
      else if (quote === '"' && char === '$' && script[index + 1] === '(') {
        const end = script.indexOf(')', index);
        commands.push(...commandsOf(script.slice(index + 2, end)));
        word += script.slice(index, end + 1);
        index = end;
        continue;
      }
      word += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      word += char;
    } else if (char === '\n' || char === ';') endCommand();
    else if ((char === '&' || char === '|') && script[index + 1] === char) {
      endCommand();
      index++;
    } else if (char === '|') endCommand();
    else if (char === ' ' || char === '\t') endWord();
    else word += char;
  }
  endCommand();
  return commands
    .map((command) => {
      // Redirections (`>> FILE`, `2>&1`) are no words of the command.
      const words = command.filter(
        (entry, index) => !/^\d*(>>?|<)(&\d+)?$/.test(entry) && !/^\d*(>>?|<)$/.test(command[index - 1] ?? ''),
      );
      // `name=value` before a command only sets its environment; alone it is an assignment.
      const start = words.findIndex((entry) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(entry));
      return start < 0 ? [] : words.slice(start);
    })
    .filter((command) => command.length > 0);
}

/**
 * Why a command of a step cannot run, or undefined when it can.
 *
 * @param earlier the steps of the job before the command's step, then the commands before it in its step (as runs)
 */
function problemOf(command: string[], earlier: readonly Step[]): string | undefined {
  const [program, ...args] = command;
  const installedBy = (repository: string) => earlier.some((step) => step.uses?.startsWith(`${repository}@`));
  const pnpmInstalled = earlier.some(
    (step) => /npm install --global .*\bpnpm@/.test(step.run ?? '') || /^npm run setup$/m.test(step.run ?? ''),
  );
  if (SHELL.has(program) || RUNNER_TOOLS.has(program)) {
    // `bash FILE` runs a file of the repository; `bash -c "$VAR"` runs what a caller's input names.
    if (program === 'bash' && args[0] && !args[0].startsWith('-') && !existsSync(join(ROOT, args[0]))) {
      return `bash ${args[0]}: no such file in the repository`;
    }
    return undefined;
  }
  if (program in INSTALLED_BY_ACTION) {
    if (!installedBy(INSTALLED_BY_ACTION[program]))
      return `${program}: no earlier step uses ${INSTALLED_BY_ACTION[program]}`;
    if (program === 'npm' && args[0] === 'run' && !SCRIPTS.has(args[1])) return `npm run ${args[1]}: no such script`;
    if (program === 'npm' && args[0] === 'test' && !SCRIPTS.has('test')) return 'npm test: no test script';
    return undefined;
  }
  if (program === 'pnpm') {
    if (!pnpmInstalled) return 'pnpm: no earlier step installs it';
    if (args[0] === 'install') return undefined;
    if (args[0] === 'exec') {
      return existsSync(join(ROOT, 'node_modules', '.bin', args[1])) ? undefined : `pnpm exec ${args[1]}: no such bin`;
    }
    return SCRIPTS.has(args[0]) ? undefined : `pnpm ${args[0]}: no such script in package.json`;
  }
  if (existsSync(join(ROOT, program))) return undefined;
  return `${program}: not a script, a file of the repository, a builtin or a documented tool`;
}

describe.each([...workflows])('%s', (_file, workflow) => {
  it('gives the GITHUB_TOKEN no permission at the top, and each job states its own', () => {
    expect(workflow.permissions).toEqual({});
    for (const [name, job] of Object.entries(workflow.jobs)) {
      expect([name, typeof job.permissions]).toEqual([name, 'object']);
    }
  });

  it('pins every action to a commit (40 hex digits)', () => {
    const used = Object.values(workflow.jobs).flatMap((job) => [
      ...(job.uses ? [job.uses] : []),
      ...(job.steps ?? []).flatMap((step) => (step.uses ? [step.uses] : [])),
    ]);
    expect(used.length).toBeGreaterThan(0);
    for (const action of used) expect(action).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
  });

  it('calls in every run step only commands that exist when it runs', () => {
    const problems: string[] = [];
    for (const [name, job] of Object.entries(workflow.jobs)) {
      const steps = job.steps ?? [];
      steps.forEach((step, index) => {
        if (step.run === undefined) return;
        const before: Step[] = steps.slice(0, index);
        for (const command of commandsOf(step.run)) {
          const problem = problemOf(command, before);
          if (problem) problems.push(`${name} / ${step.name ?? index}: ${problem}`);
          before.push({ run: command.join(' ') });
        }
      });
    }
    expect(problems).toEqual([]);
  });

  it('asks for an OIDC token only in jobs that assume an AWS role', () => {
    for (const job of Object.values(workflow.jobs)) {
      const assumes = (job.steps ?? []).some((step) => step.uses?.startsWith(`${ACTIONS.awsCredentials.repository}@`));
      expect((job.permissions as Record<string, string>)['id-token'] === 'write').toBe(assumes);
    }
  });
});

describe('the run-step check', () => {
  it('reads commands after separators and keywords, inside $( ), and not inside quotes', () => {
    expect(
      commandsOf('a x | b "c | d" && e; if f; then g; fi\nh "$(i -1)"\nX=1 j\nfor n in m o; do k 2>&1 >> f; done'),
    ).toEqual([['a', 'x'], ['b', '"c | d"'], ['e'], ['f'], ['g'], ['i', '-1'], ['h', '"$(i -1)"'], ['j'], ['k']]);
  });

  it('refuses a missing script, a missing file and an undocumented tool', () => {
    const install: Step = { run: 'npm install --global pnpm@1.0.0' };
    expect(problemOf(['pnpm', 'no-such-script'], [install])).toMatch(/no such script/);
    expect(problemOf(['pnpm', 'synth'], [])).toMatch(/no earlier step installs it/);
    expect(problemOf(['bash', 'tools/no-such.sh'], [])).toMatch(/no such file/);
    expect(problemOf(['wget', 'x'], [])).toMatch(/not a script/);
    expect(problemOf(['trivy', 'fs'], [])).toMatch(/no earlier step uses aquasecurity\/setup-trivy/);
  });
});

/** The deploy workflow's jobs in the order `needs` chains them, starting from the one that needs none. */
function deployChain(workflow: Workflow): [string, Job][] {
  const jobs = Object.entries(workflow.jobs);
  const chain: [string, Job][] = [];
  let next = jobs.find(([, job]) => job.needs === undefined);
  while (next) {
    chain.push(next);
    const [previous] = next;
    next = jobs.find(([, job]) => job.needs === previous);
  }
  expect(chain).toHaveLength(jobs.length);
  return chain;
}

const commandOf = (job: Job, prefix: string) =>
  (job.steps ?? []).flatMap((step) => (step.run?.startsWith(prefix) ? [step.run.split('\n')[0]] : []));
const stepIndex = (job: Job, test: (step: Step) => boolean) => (job.steps ?? []).findIndex(test);
const credentialsOf = (job: Job) =>
  job.steps?.find((step) => step.uses?.startsWith(`${ACTIONS.awsCredentials.repository}@`));
const stacksOf = (command: string | undefined, stacks: readonly string[]) =>
  (command ?? '').split(' ').filter((word) => stacks.includes(word));

const headGuardOf = (job: Job) =>
  stepIndex(job, (step) => /\$GITHUB_SHA/.test(step.run ?? '') && /git\/ref\/heads\/\$BRANCH/.test(step.run ?? ''));
const descendantGuardOf = (job: Job) =>
  stepIndex(job, (step) => /compare\/\$deployed\.\.\.\$GITHUB_SHA/.test(step.run ?? ''));

/**
 * A re-run of an older run stops before it assumes a role: it would deploy older templates over newer ones. A job of
 * an environment that tracks a branch of its own checks that the commit does not move that branch back (a job that
 * waited for approval while newer commits merged still deploys); any other job deploys only the head of the branch.
 */
function expectHeadGuard(job: Job, model: PlatformModel, gitopsBranch?: string) {
  const credentials = (job.steps ?? []).indexOf(credentialsOf(job) as Step);
  if (gitopsBranch === undefined) {
    const guard = headGuardOf(job);
    expect(guard).toBeGreaterThan(-1);
    expect(job.steps?.[guard]?.env?.BRANCH).toBe(model.organization.ci.branch);
    expect(guard).toBeLessThan(credentials);
    expect(descendantGuardOf(job)).toBe(-1);
  } else {
    const guard = descendantGuardOf(job);
    expect(guard).toBeGreaterThan(-1);
    expect(job.steps?.[guard]?.env?.GITOPS_BRANCH).toBe(gitopsBranch);
    expect(guard).toBeLessThan(credentials);
    expect(headGuardOf(job)).toBe(-1);
  }
}

/**
 * Before any credentials, the job's own OIDC token must carry the one subject its role trusts: its GitHub Environment
 * and the protected branch (the repository's template `repo, context, ref`).
 */
function expectSubjectCheck(job: Job, model: PlatformModel) {
  const check = stepIndex(job, (step) => /ACTIONS_ID_TOKEN_REQUEST_URL/.test(step.run ?? ''));
  expect(check).toBeGreaterThan(-1);
  expect(check).toBeLessThan((job.steps ?? []).indexOf(credentialsOf(job) as Step));
  const { githubRepository, branch, githubRepositoryOwnerId, githubRepositoryId } = model.organization.ci;
  // GitHub's immutable subject names the owner and the repository each with its numeric ID.
  const [owner, repository] = githubRepository.split('/');
  const repo =
    githubRepositoryOwnerId === undefined
      ? githubRepository
      : `${owner}@${githubRepositoryOwnerId}/${repository}@${githubRepositoryId}`;
  expect(job.steps?.[check]?.env?.EXPECTED).toBe(
    `repo:${repo}:environment:${job.environment}:ref:refs/heads/${branch}`,
  );
}

/** The model with this repository's numeric IDs (organization.ci): its tokens carry GitHub's immutable subject. */
function withRepositoryIds(model: PlatformModel, ownerId: number, repositoryId: number): PlatformModel {
  const ci = { ...model.organization.ci, githubRepositoryOwnerId: ownerId, githubRepositoryId: repositoryId };
  return { ...model, organization: { ...model.organization, ci } };
}

function renderedDeploy(model: PlatformModel): Workflow {
  return parse(renderWorkflows(model, repositoryFacts(ROOT)).get(`${WORKFLOWS_FOLDER}/deploy.yml`) ?? '') as Workflow;
}

function expectDeployFollows(model: PlatformModel) {
  const workflow = renderedDeploy(model);
  expect(workflow.on).toEqual({ push: { branches: [model.organization.ci.branch] } });
  const chain = deployChain(workflow);

  // shared-services: diff, then deploy, in one job.
  const [[, shared], ...rest] = chain;
  expect(shared.environment).toBe(SHARED_SERVICES_DEPLOYMENT);
  expect(shared.concurrency).toEqual({ group: `deploy-${SHARED_SERVICES_DEPLOYMENT}`, 'cancel-in-progress': false });
  expect(credentialsOf(shared)?.with?.['aws-region']).toBe(model.organization.sharedServices.region);
  const sharedStacks = sharedServicesStackIds(model);
  expect(stacksOf(commandOf(shared, 'pnpm exec cdk diff')[0], sharedStacks)).toEqual(sharedStacks);
  expect(commandOf(shared, 'pnpm exec cdk deploy')[0].endsWith(` ${sharedStacks.join(' ')}`)).toBe(true);
  // Independent stacks (one per service, per queue, per repository) deploy side by side, after what they depend on.
  expect(commandOf(shared, 'pnpm exec cdk deploy')[0]).toContain(` --concurrency ${DEPLOY_CONCURRENCY} `);
  expectHeadGuard(shared, model);
  expectSubjectCheck(shared, model);

  // Then per environment in model order: its plan job, then its deploy job.
  expect(rest.map(([, job]) => job.environment)).toEqual(
    model.environments.flatMap((environment) => [planGithubEnvironment(environment.name), environment.name]),
  );
  model.environments.forEach((environment, index) => {
    const [planId, plan] = rest[2 * index];
    const [, deploy] = rest[2 * index + 1];
    const stacks = environmentStackIds(model, environment.name);
    const naming = new EnvironmentNaming(model.organization, environment);
    for (const job of [plan, deploy]) {
      // Plan and deploy of an environment share its group: a plan never reads stacks halfway through a deploy.
      expect(job.concurrency).toEqual({ group: `deploy-${environment.name}`, 'cancel-in-progress': false });
      expect(credentialsOf(job)?.with?.['aws-region']).toBe(environment.region);
      const tracked = environment.gitops.targetRevision;
      expectHeadGuard(job, model, tracked === model.organization.ci.branch ? undefined : tracked);
      expectSubjectCheck(job, model);
    }

    // The plan job reads only: the plan role, a diff through the lookup role, no deploy, no write.
    expect(credentialsOf(plan)?.with?.['role-to-assume']).toBe(naming.ciPlanRoleArn);
    const planDiff = commandOf(plan, 'pnpm exec cdk diff')[0];
    expect(planDiff).toMatch(/ --method template /);
    expect(stacksOf(planDiff, stacks)).toEqual(stacks);
    expect(commandOf(plan, 'pnpm exec cdk deploy')).toEqual([]);
    expect((plan.permissions as Record<string, string>).contents).toBe('read');
    const planStep = plan.steps?.find((step) => step.run?.startsWith('pnpm exec cdk diff'));
    expect(planStep?.run).toMatch(/>> "\$GITHUB_STEP_SUMMARY"/);
    expect(planStep?.run).toMatch(/sha256sum cdk-diff\.txt/);
    expect(planStep?.run).toMatch(/echo "digest=\$digest" >> "\$GITHUB_OUTPUT"/);
    expect(plan.outputs?.digest).toBe(`\${{ steps.${planStep?.id}.outputs.digest }}`);
    const artifact = stepsUsing(plan, 'uploadArtifact')[0];
    expect(artifact?.with?.path).toBe('cdk-diff.txt');
    expect(stepIndex(plan, (step) => step === artifact)).toBeGreaterThan(stepIndex(plan, (step) => step === planStep));

    // The deploy job waits for the plan (so its reviewers see the diff first), runs the very same diff, and deploys
    // only when it is the plan's.
    expect(deploy.needs).toBe(planId);
    expect(credentialsOf(deploy)?.with?.['role-to-assume']).toBe(naming.ciDeployRoleArn);
    const check = stepIndex(deploy, (step) => step.run?.startsWith('pnpm exec cdk diff') === true);
    const apply = stepIndex(deploy, (step) => step.run?.startsWith('pnpm exec cdk deploy') === true);
    expect(check).toBeGreaterThan(-1);
    expect(check).toBeLessThan(apply);
    const checkStep = deploy.steps?.[check];
    expect(commandOf(deploy, 'pnpm exec cdk diff')[0]).toBe(planDiff);
    expect(checkStep?.env?.APPROVED).toBe(`\${{ needs.${planId}.outputs.digest }}`);
    expect(checkStep?.run).toMatch(/if \[ "\$digest" != "\$APPROVED" \] && [^\n]*; then[\s\S]*exit 1/);
    expect(commandOf(deploy, 'pnpm exec cdk deploy')[0].endsWith(` ${stacks.join(' ')}`)).toBe(true);
    expect(commandOf(deploy, 'pnpm exec cdk deploy')[0]).toContain(` --concurrency ${DEPLOY_CONCURRENCY} `);

    // Argo CD of the environment syncs its branch: a branch of its own is advanced to the deployed commit after
    // the deploy, fast-forward only, and only this job may write; the protected branch is advanced by merges.
    const branch = environment.gitops.targetRevision;
    const advance = stepIndex(
      deploy,
      (step) => step.env?.GITOPS_BRANCH !== undefined && /--method PATCH/.test(step.run ?? ''),
    );
    if (branch === model.organization.ci.branch) {
      expect(advance).toBe(-1);
    } else {
      expect(deploy.steps?.[advance]?.env?.GITOPS_BRANCH).toBe(branch);
      expect(deploy.steps?.[advance]?.run).toMatch(/-f sha="\$GITHUB_SHA" -F force=false/);
      expect(advance).toBeGreaterThan(apply);
      // GITHUB_TOKEN cannot update a ref when the new commits change workflow files: the deploy GitHub App's token,
      // with the workflows permission, minted right before (it lasts an hour, a deploy may take longer).
      const mint = deploy.steps?.[advance - 1];
      expect(mint?.uses).toBe(`${ACTIONS.createAppToken.repository}@${ACTIONS.createAppToken.commit}`);
      expect(mint?.with).toEqual({
        'client-id': expressionOf('vars.DEPLOY_APP_CLIENT_ID'),
        'private-key': expressionOf('secrets.DEPLOY_APP_PRIVATE_KEY'),
        'permission-contents': 'write',
        'permission-workflows': 'write',
      });
      expect(deploy.steps?.[advance]?.env?.GH_TOKEN).toBe(expressionOf(`steps.${mint?.id}.outputs.token`));
    }
  });
  // GITHUB_TOKEN writes nothing: only the deploy GitHub App's token, in the jobs that advance a branch.
  const writers = chain.filter(([, job]) => (job.permissions as Record<string, string>).contents !== 'read');
  expect(writers.map(([id]) => id)).toEqual([]);
  const minting = chain.filter(([, job]) => stepsUsing(job, 'createAppToken').length > 0);
  expect(minting.map(([id]) => id)).toEqual(
    model.environments
      .filter((environment) => environment.gitops.targetRevision !== model.organization.ci.branch)
      .map((environment) => environment.name),
  );
}

/** A JWT whose payload holds this subject (the signature is not checked by the step). */
function tokenWith(subject: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256' })}.${part({ sub: subject, aud: 'sts.amazonaws.com' })}.signature`;
}

/**
 * Runs a deploy job's subject check in bash, with a `curl` on the PATH that answers as GitHub's token endpoint
 * would, with a token of `subject`.
 */
function runSubjectCheck(step: Step, subject: string): { status: number | null; output: string } {
  const bin = mkdtempSync(join(tmpdir(), 'oidc-'));
  try {
    writeFileSync(join(bin, 'curl'), `#!/bin/sh\necho '${JSON.stringify({ value: tokenWith(subject) })}'\n`, {
      mode: 0o755,
    });
    const result = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', step.run ?? ''], {
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.example/?api-version=2.0',
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token',
        ...step.env,
      },
      encoding: 'utf8',
    });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}

describe("the deploy workflow's subject check", () => {
  const workflow = workflows.get('deploy.yml') as Workflow;
  const model = loadPlatformModel();
  const { githubRepository, branch } = model.organization.ci;
  const prod = model.environments[model.environments.length - 1].name;
  const step = (workflow.jobs[prod].steps ?? []).find((entry) => /ACTIONS_ID_TOKEN_REQUEST_URL/.test(entry.run ?? ''));

  it("passes a token of the job's GitHub Environment on the protected branch", () => {
    const run = runSubjectCheck(step as Step, `repo:${githubRepository}:environment:${prod}:ref:refs/heads/${branch}`);
    expect(run).toEqual({ status: 0, output: expect.not.stringContaining('::error::') });
  });

  it("is set up by the command README's Deploying gives, which the failing step prints", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/ \\\n\s+/g, ' ');
    expect(readme).toContain(step?.env?.SET_TEMPLATE);
  });

  it("stops a token with GitHub's immutable subject, naming the model's ID fields and how to read the IDs", () => {
    const [owner, repository] = githubRepository.split('/');
    for (const subject of [
      `repo:${owner}@583231/${repository}@1296269:environment:${prod}:ref:refs/heads/${branch}`,
      `repo:${owner}@583231/${repository}@1296269:environment:${prod}`,
    ]) {
      const run = runSubjectCheck(step as Step, subject);
      expect(run.status).toBe(1);
      expect(run.output).toContain(`::error::the OIDC token's subject is ${subject};`);
      expect(run.output).toMatch(/organization\.ci\.githubRepositoryOwnerId and organization\.ci\.githubRepositoryId/);
      expect(run.output).toContain(`gh api repos/${githubRepository} --jq '.owner.id, .id'`);
    }
  });

  it('stops a token of another ref, and one of the default template, saying how to set the template', () => {
    for (const subject of [
      `repo:${githubRepository}:environment:${prod}:ref:refs/heads/feature`,
      `repo:${githubRepository}:environment:${prod}`,
    ]) {
      const run = runSubjectCheck(step as Step, subject);
      expect(run.status).toBe(1);
      expect(run.output).toContain(`::error::the OIDC token's subject is ${subject};`);
      expect(run.output).toContain(
        `gh api --method PUT repos/${githubRepository}/actions/oidc/customization/sub -F use_default=false -f 'include_claim_keys[]=repo' -f 'include_claim_keys[]=context' -f 'include_claim_keys[]=ref'`,
      );
    }
  });
});

describe("the deploy workflow's subject check of a repository whose tokens carry GitHub's immutable subject", () => {
  const model = withRepositoryIds(loadPlatformModel(), 583231, 1296269);
  const { githubRepository, branch } = model.organization.ci;
  const [owner, repository] = githubRepository.split('/');
  const prod = model.environments[model.environments.length - 1].name;
  const step = (renderedDeploy(model).jobs[prod].steps ?? []).find((entry) =>
    /ACTIONS_ID_TOKEN_REQUEST_URL/.test(entry.run ?? ''),
  );

  it('passes the token that names the owner and the repository by ID', () => {
    const run = runSubjectCheck(
      step as Step,
      `repo:${owner}@583231/${repository}@1296269:environment:${prod}:ref:refs/heads/${branch}`,
    );
    expect(run).toEqual({ status: 0, output: expect.not.stringContaining('::error::') });
  });

  it('stops a token that names them by name only, printing the command that sets the template and opts in', () => {
    const subject = `repo:${githubRepository}:environment:${prod}:ref:refs/heads/${branch}`;
    const run = runSubjectCheck(step as Step, subject);
    expect(run.status).toBe(1);
    expect(run.output).toContain(`::error::the OIDC token's subject is ${subject};`);
    expect(run.output).toContain(
      `gh api --method PUT repos/${githubRepository}/actions/oidc/customization/sub -F use_default=false -f 'include_claim_keys[]=repo' -f 'include_claim_keys[]=context' -f 'include_claim_keys[]=ref' -F use_immutable_subject=true`,
    );
  });
});

describe("the service image workflow's subject check", () => {
  const model = loadPlatformModel();
  const image = (workflows.get('service-image.yml') as Workflow).jobs.image;
  const steps = image.steps ?? [];
  const check = steps.find((entry) => /ACTIONS_ID_TOKEN_REQUEST_URL/.test(entry.run ?? '')) as Step;
  const services = model.services.flatMap((service) => (service.ci ? [{ name: service.name, ci: service.ci }] : []));
  const platform = model.organization.ci.githubRepository;
  // GitHub Docs, "OpenID Connect reference": a job of a caller workflow that runs a reusable workflow carries it as
  // `job_workflow_ref:<owner>/<repo>/<path>@<ref>`, the ref its `uses:` names.
  const workflowRef = (ref: string) => `job_workflow_ref:${platform}/.github/workflows/service-image.yml@${ref}`;
  const run = (service: string, repository: string, subject: string) =>
    runSubjectCheck({ ...check, env: { ...check.env, SERVICE: service, REPOSITORY: repository } }, subject);
  const setTemplate = (repository: string) =>
    `gh api --method PUT repos/${repository}/actions/oidc/customization/sub -F use_default=false -f 'include_claim_keys[]=repo' -f 'include_claim_keys[]=context' -f 'include_claim_keys[]=job_workflow_ref'`;

  it("runs before the service's push role is assumed", () => {
    const assume = stepsUsing(image, 'awsCredentials')[0];
    expect(indexOf(image, check)).toBeGreaterThan(-1);
    expect(indexOf(image, check)).toBeLessThan(indexOf(image, assume));
    expect(services.length).toBeGreaterThan(0);
  });

  it("passes a token of the service repository's branch running this repository's workflow, at a branch or a commit", () => {
    for (const { name, ci } of services) {
      for (const ref of ['refs/heads/main', 'a'.repeat(40)]) {
        const subject = `repo:${ci.githubRepository}:ref:refs/heads/${ci.branch}:${workflowRef(ref)}`;
        expect(run(name, ci.githubRepository, subject)).toEqual({
          status: 0,
          output: expect.not.stringContaining('::error::'),
        });
      }
    }
  });

  it("stops any other workflow of the branch, GitHub's default subject and another service's repository, saying how to set the template", () => {
    const [{ name, ci }, other] = services;
    for (const subject of [
      `repo:${ci.githubRepository}:ref:refs/heads/${ci.branch}`,
      `repo:${ci.githubRepository}:ref:refs/heads/${ci.branch}:job_workflow_ref:${ci.githubRepository}/.github/workflows/service-image.yml@refs/heads/main`,
      `repo:${ci.githubRepository}:ref:refs/heads/${ci.branch}:job_workflow_ref:${platform}/.github/workflows/deploy.yml@refs/heads/main`,
      `repo:${ci.githubRepository}:ref:refs/heads/feature:${workflowRef('refs/heads/main')}`,
      ...(other
        ? [`repo:${other.ci.githubRepository}:ref:refs/heads/${other.ci.branch}:${workflowRef('refs/heads/main')}`]
        : []),
    ]) {
      const result = run(name, ci.githubRepository, subject);
      expect(result.status).toBe(1);
      expect(result.output).toContain(`::error::the OIDC token's subject is ${subject};`);
      expect(result.output).toContain(setTemplate(ci.githubRepository));
    }
  });

  it("stops a token with GitHub's immutable subject the model does not give, naming the service's ID fields", () => {
    const [{ name, ci }] = services;
    const [owner, repository] = ci.githubRepository.split('/');
    const subject = `repo:${owner}@583231/${repository}@1296269:ref:refs/heads/${ci.branch}:${workflowRef('refs/heads/main')}`;
    const result = run(name, ci.githubRepository, subject);
    expect(result.status).toBe(1);
    expect(result.output).toMatch(/services\[\]\.ci\.githubRepositoryOwnerId and githubRepositoryId/);
    expect(result.output).toContain(`gh api repos/${ci.githubRepository} --jq '.owner.id, .id'`);
  });

  it("is set up by the command README's Deploying gives for a service repository", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/ \\\n\s+/g, ' ');
    expect(readme).toContain(setTemplate('<owner>/<service repository>'));
  });

  it('names the workflow file the push roles trust (delivery.ts SERVICE_IMAGE_WORKFLOW)', () => {
    expect(WORKFLOW_FILES.serviceImage).toBe(SERVICE_IMAGE_WORKFLOW);
  });
});

describe('the deploy workflow', () => {
  it('deploys the shared-services stack, then plans and deploys each environment of the shipped model in order', () => {
    expectDeployFollows(loadPlatformModel());
  });

  it('expects the immutable subject of a repository whose numeric IDs the model gives', () => {
    expectDeployFollows(withRepositoryIds(withEnvironments(loadPlatformModel(), 4), 583231, 1296269));
  });

  it('follows a model with more environments', () => {
    expectDeployFollows(withEnvironments(loadPlatformModel(), 4));
  });

  it('advances the branch a model names for an environment, and none where the first tracks its own', () => {
    const model = withEnvironments(loadPlatformModel(), 3);
    model.environments[0].gitops.targetRevision = `gitops/${model.environments[0].name}`;
    model.environments[1].gitops.targetRevision = `gitops/${model.environments[1].name}`;
    expectDeployFollows(model);
  });
});

/** Each `${{ inner }}` of `value` replaced by `scope[inner]`; an expression the scope lacks fails the test. */
function resolved(value: string, scope: Record<string, string>): string {
  return value.replace(/\$\{\{ (.+?) \}\}/g, (_match, inner: string) => {
    if (!(inner in scope)) throw new Error(`no value for \${{ ${inner} }}`);
    return scope[inner];
  });
}

/**
 * Runs a step's `run` in bash as the runner would, in `directory`, with these programs (name: shell script) first
 * on the PATH and its env resolved in `scope`; gives its status, output and what it wrote to GITHUB_OUTPUT.
 */
function runStep(
  step: Step,
  options: {
    directory: string;
    scope: Record<string, string>;
    programs: Record<string, string>;
    env?: Record<string, string>;
  },
): { status: number | null; output: string; outputs: Record<string, string> } {
  const bin = mkdtempSync(join(tmpdir(), 'bin-'));
  const outputFile = join(options.directory, 'github-output');
  writeFileSync(outputFile, '');
  try {
    for (const [name, script] of Object.entries(options.programs)) {
      writeFileSync(join(bin, name), `#!/bin/bash\n${script}\n`, { mode: 0o755 });
    }
    const env = Object.fromEntries(
      Object.entries(step.env ?? {}).map(([name, value]) => [name, resolved(String(value), options.scope)]),
    );
    const result = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', step.run ?? ''], {
      cwd: options.directory,
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: join(options.directory, 'summary'),
        GITHUB_REPOSITORY: 'example/platform',
        GITHUB_SHA: 'c'.repeat(40),
        ...options.env,
        ...env,
      },
      encoding: 'utf8',
    });
    const outputs = Object.fromEntries(
      readFileSync(outputFile, 'utf8')
        .split('\n')
        .filter((line) => line.includes('='))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    return { status: result.status, output: `${result.stdout}${result.stderr}`, outputs };
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}

/**
 * A stand-in for the CDK app's diff output: like the app's Kubernetes support warnings, it counts days from
 * `platform:today` when the command line gives it, else from the clock (`date`).
 */
const DATED_CDK = [
  'day=""',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash parameter expansion, not a JS template
  'for argument in "$@"; do case "$argument" in platform:today=*) day="${argument#platform:today=}";; esac; done',
  'if [ -z "$day" ]; then day="$(date -u +%F)"; fi',
  'echo "[Warning] EKS standard support of 1.35 is judged on $day"',
  // Differences to deploy: a diff without any would pass the check whatever the day.
  'echo "Number of stacks with differences: 1"',
].join('\n');

describe("an environment's plan, approved on a later day", () => {
  const model = withEnvironments(loadPlatformModel(), 3);
  const workflow = renderedDeploy(model);

  it.each(model.environments.map((environment) => environment.name))(
    "%s: the deploy job diffs and deploys on the planned day, so its digest is the plan's",
    (name) => {
      const { plan: planId, deploy: deployId } = { plan: planGithubEnvironment(name), deploy: name };
      const plan = workflow.jobs[planId];
      const deploy = workflow.jobs[deployId];
      const directory = mkdtempSync(join(tmpdir(), 'plan-'));
      try {
        const clock = (day: string) => ({ date: `echo ${day}`, pnpm: DATED_CDK });
        // The plan job's steps that give its outputs, on the day it runs.
        const stepOutputs: Record<string, string> = {};
        for (const step of plan.steps ?? []) {
          if (step.id === undefined || step.run === undefined) continue;
          const result = runStep(step, { directory, scope: stepOutputs, programs: clock('2026-12-27') });
          expect([step.id, result.status, result.output]).toEqual([step.id, 0, expect.any(String)]);
          for (const [key, value] of Object.entries(result.outputs))
            stepOutputs[`steps.${step.id}.outputs.${key}`] = value;
        }
        const needs = Object.fromEntries(
          Object.entries(plan.outputs ?? {}).map(([key, value]) => [
            `needs.${planId}.outputs.${key}`,
            resolved(value, stepOutputs),
          ]),
        );
        // Approved three days later.
        const later = clock('2026-12-30');
        const check = deploy.steps?.find((step) => step.run?.startsWith('pnpm exec cdk diff'));
        const diff = runStep(check as Step, { directory, scope: needs, programs: later });
        expect([diff.status, diff.output]).toEqual([0, expect.stringContaining('judged on 2026-12-27')]);
        const apply = deploy.steps?.find((step) => step.run?.startsWith('pnpm exec cdk deploy'));
        const deployed = runStep(apply as Step, { directory, scope: needs, programs: later });
        expect([deployed.status, deployed.output]).toEqual([0, expect.stringContaining('judged on 2026-12-27')]);
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    },
  );
});

/**
 * A `gh` that answers as GitHub's API would: `ref` is where the GitOps branch is (undefined: it does not exist, 404;
 * `error`: the API fails), `status` what the compare API says of the job's commit against it.
 */
const fakeGh = (ref: string | undefined, status: string) =>
  [
    'case "$2" in',
    ref === undefined
      ? '  */git/ref/heads/*) echo "gh: Not Found (HTTP 404)" >&2; exit 1;;'
      : ref === 'error'
        ? '  */git/ref/heads/*) echo "gh: Server Error (HTTP 500)" >&2; exit 1;;'
        : `  */git/ref/heads/*) echo ${ref};;`,
    `  */compare/${ref ?? 'none'}...*) echo ${status};;`,
    '  *) echo "unexpected: $*" >&2; exit 2;;',
    'esac',
  ].join('\n');

describe("an environment's deploy job, re-run", () => {
  const model = withEnvironments(loadPlatformModel(), 3);
  const workflow = renderedDeploy(model);
  /** The deploy job's diff check, with `cdk diff` printing `lines`, against a plan whose digest is of other text. */
  const check = (name: string, lines: readonly string[]) => {
    const planId = planGithubEnvironment(name);
    const step = workflow.jobs[name].steps?.find((candidate) => candidate.run?.startsWith('pnpm exec cdk diff'));
    const directory = mkdtempSync(join(tmpdir(), 'rerun-'));
    try {
      const scope = {
        [`needs.${planId}.outputs.digest`]: 'f'.repeat(64),
        [`needs.${planId}.outputs.day`]: '2026-12-27',
      };
      const pnpm = lines.map((line) => `echo "${line}"`).join('\n');
      return runStep(step as Step, { directory, scope, programs: { pnpm } }).status;
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  };

  it.each(model.environments.map((environment) => environment.name))(
    '%s: after its deploy (nothing left to deploy) passes the check; with differences not planned, stops',
    (name) => {
      expect(check(name, ['Stack a', 'There were no differences', 'Number of stacks with differences: 0'])).toBe(0);
      expect(check(name, ['Stack a', '[~] AWS::SQS::Queue Queue', 'Number of stacks with differences: 1'])).toBe(1);
      expect(check(name, ['Number of stacks with differences: 10'])).toBe(1);
    },
  );
});

describe('a job of an environment that tracks a branch of its own', () => {
  const model = withEnvironments(loadPlatformModel(), 3);
  const workflow = renderedDeploy(model);
  const tracking = model.environments.filter(
    (environment) => environment.gitops.targetRevision !== model.organization.ci.branch,
  );
  const jobs = tracking.flatMap((environment) => [planGithubEnvironment(environment.name), environment.name]);

  it('exists in the model tested', () => {
    expect(jobs.length).toBeGreaterThan(0);
  });

  it.each(jobs)(
    '%s: deploys a commit at or after its branch, or any before the branch exists; never an older one',
    (id) => {
      const job = workflow.jobs[id];
      const guard = job.steps?.[descendantGuardOf(job)] as Step;
      const directory = mkdtempSync(join(tmpdir(), 'guard-'));
      const run = (ref: string | undefined, status: string) =>
        runStep(guard, { directory, scope: { 'github.token': 'token' }, programs: { gh: fakeGh(ref, status) } }).status;
      try {
        const deployed = 'a'.repeat(40);
        // Newer commits merged while this one waited for approval: it still deploys.
        expect(run(deployed, 'ahead')).toBe(0);
        expect(run(deployed, 'identical')).toBe(0);
        expect(run(undefined, 'none')).toBe(0);
        // A re-run of an older run, or a commit off the branch, would move the environment back.
        expect(run(deployed, 'behind')).not.toBe(0);
        expect(run(deployed, 'diverged')).not.toBe(0);
        expect(run('error', 'ahead')).not.toBe(0);
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    },
  );
});

describe("a plan job's summary of what Argo CD syncs once the branch moves", () => {
  const model = withEnvironments(loadPlatformModel(), 3);
  const workflow = renderedDeploy(model);
  const plans = model.environments
    .filter((environment) => environment.gitops.targetRevision !== model.organization.ci.branch)
    .map((environment) => planGithubEnvironment(environment.name));

  it.each(plans)('%s: says the branch is not there yet only when GitHub answers 404; stops on another error', (id) => {
    const step = workflow.jobs[id].steps?.find((candidate) => candidate.run?.includes('pnpm changes --base')) as Step;
    const directory = mkdtempSync(join(tmpdir(), 'summary-'));
    const run = (ref: string | undefined) =>
      runStep(step, {
        directory,
        scope: { 'github.token': 'token' },
        programs: { gh: fakeGh(ref, 'ahead'), pnpm: 'echo "changes since $3"' },
      });
    try {
      expect(run(undefined).status).toBe(0);
      expect(readFileSync(join(directory, 'summary'), 'utf8')).toContain('does not exist yet');
      expect(run('a'.repeat(40)).status).toBe(0);
      expect(readFileSync(join(directory, 'summary'), 'utf8')).toContain(`changes since ${'a'.repeat(40)}`);
      expect(run('error').status).not.toBe(0);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

/** The GitHub Actions expression `${{ inner }}`, as the renderer writes it. */
const expressionOf = (inner: string) => `$${'{{'} ${inner} }}`;

const stepsUsing = (job: Job, action: keyof typeof ACTIONS) =>
  (job.steps ?? []).filter((step) => step.uses?.startsWith(`${ACTIONS[action].repository}@`));
const indexOf = (job: Job, step: Step | undefined) => (job.steps ?? []).indexOf(step as Step);

describe('the pull request workflow', () => {
  const model = loadPlatformModel();
  const workflow = workflows.get('pull-request.yml') as Workflow;
  const job = workflow.jobs.checks;

  it('runs for the merge queue too, so what lands on the branch was checked merged with what landed before', () => {
    expect(workflow.on).toEqual({
      pull_request: { branches: [model.organization.ci.branch] },
      merge_group: { types: ['checks_requested'] },
    });
  });

  it('gives each merge group its own concurrency group and compares it with its own base', () => {
    const { group } = (workflow as unknown as { concurrency: { group: string } }).concurrency;
    // A merge group has no pull request number: its ref (gh-readonly-queue/<branch>/pr-<n>-<sha>) tells it apart.
    expect(group).toBe(`pull-request-${expressionOf('github.event.pull_request.number || github.ref')}`);
    const bases = (job.steps ?? []).flatMap((step) => (step.env?.BASE_SHA ? [step.env.BASE_SHA] : []));
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) {
      expect(base).toBe(expressionOf('github.event.pull_request.base.sha || github.event.merge_group.base_sha'));
    }
  });
});

describe('the service image workflow', () => {
  const workflow = workflows.get('service-image.yml') as Workflow;
  const image = workflow.jobs.image;
  const steps = image.steps ?? [];
  const [build] = stepsUsing(image, 'buildPush');
  const scan = steps.find((step) => /\btrivy image\b/.test(step.run ?? ''));

  it('builds once, pushing by digest under the build tag, with SBOM and provenance', () => {
    expect(stepsUsing(image, 'buildPush')).toHaveLength(1);
    expect(build.with?.push).toBe(true);
    expect(build.with?.tags).toMatch(/:build-\$\{\{ github\.sha \}\}$/);
    expect(build.with?.sbom).toBe(true);
    expect(build.with?.provenance).toBe('mode=max');
  });

  it('scans the pushed image by its digest, per platform, after the push and before the release', () => {
    // Trivy's --input reads a docker-save archive or an OCI layout, not buildx's OCI tarball, and ignores --platform.
    expect(scan?.run).not.toMatch(/--input/);
    expect(scan?.run).toMatch(
      /trivy image --platform "\$platform" .*--exit-code 1 .*--ignorefile "\$TRIVYIGNORE" "\$IMAGE@\$DIGEST"/,
    );
    expect(scan?.run).toMatch(/--severity HIGH,CRITICAL/);
    const digest = steps.find((step) => step.id === 'digest');
    expect(scan?.env?.DIGEST).toBe(`\${{ steps.${digest?.id}.outputs.digest }}`);
    expect(digest?.env?.PUSHED).toBe(`\${{ steps.${build.id}.outputs.digest }}`);
    expect(indexOf(image, build)).toBeLessThan(indexOf(image, digest));
    expect(indexOf(image, digest)).toBeLessThan(indexOf(image, scan));
    // The registry login Trivy reads comes before the scan.
    expect(indexOf(image, stepsUsing(image, 'ecrLogin')[0])).toBeLessThan(indexOf(image, scan));
    // The job's output, which the release reads, is the scanned digest; the release waits for the whole job.
    expect(image.outputs?.digest).toBe(`\${{ steps.${digest?.id}.outputs.digest }}`);
    expect(workflow.jobs.release.needs).toBe('image');
  });

  it("assumes the calling service's own push role, after checking the caller is the service's repository", () => {
    const { organization } = loadPlatformModel();
    const [credentials] = stepsUsing(image, 'awsCredentials');
    expect(credentials.with?.['role-to-assume']).toBe(
      `arn:aws:iam::${organization.sharedServices.account}:role/${organization.name}-ci-push-\${{ inputs.service }}`,
    );
    const check = steps.findIndex((step) => /services\[\]\.ci\.githubRepository/.test(step.run ?? ''));
    expect(check).toBeGreaterThan(-1);
    expect(check).toBeLessThan(indexOf(image, credentials));
  });

  it('reuses the image a first run pushed under the immutable build tag instead of pushing again', () => {
    const existing = steps.find((step) => /aws ecr describe-images/.test(step.run ?? ''));
    expect(existing?.run).toMatch(/--image-ids imageTag="\$TAG"/);
    expect(existing?.env?.TAG).toBe(String(build.with?.tags).split(':').at(-1));
    expect(indexOf(image, existing)).toBeLessThan(indexOf(image, build));
    expect(build.if).toBe(`steps.${existing?.id}.outputs.digest == ''`);
    const digest = steps.find((step) => step.id === 'digest');
    expect(digest?.env?.EXISTING).toBe(`\${{ steps.${existing?.id}.outputs.digest }}`);
  });

  const releaseTagCheck = steps.find((step) => /releaseTagPatterns/.test(step.run ?? ''));
  const tagging = steps.find((step) => /aws ecr put-image/.test(step.run ?? ''));

  it('refuses, before building, a release tag the lifecycle rules would not keep', () => {
    expect(indexOf(image, releaseTagCheck)).toBeGreaterThan(-1);
    expect(indexOf(image, releaseTagCheck)).toBeLessThan(indexOf(image, build));
    const { organization } = loadPlatformModel();
    const verdict = (tag: string) =>
      spawnSync('bash', ['-e', '-o', 'pipefail', '-c', releaseTagCheck?.run ?? ''], {
        env: { PATH: process.env.PATH, ...releaseTagCheck?.env, RELEASE_TAG: tag },
        encoding: 'utf8',
      }).status;
    // Each decided as the validator decides a model's tag (image-expiry-rules.ts), which `pnpm release` applies.
    const kept = (tag: string) => {
      const model = loadPlatformModel();
      model.services[0].image = { tag };
      return validateModel(model).issues.length === 0;
    };
    const candidates = [
      '1.4.2',
      '10.0.7-rc.1',
      `${organization.images.buildTagPrefix}1.4.2`,
      'latest',
      'nightly',
      '1.4',
      '-1.4.2',
      `${'1.'.repeat(70)}1`,
    ];
    expect(candidates.map((tag) => [tag, verdict(tag) === 0])).toEqual(candidates.map((tag) => [tag, kept(tag)]));
    expect(candidates.filter(kept).length).toBeGreaterThan(0);
  });

  it('tags only the scanned image with the release tag, and releases that tag pinned to the digest', () => {
    expect(indexOf(image, scan)).toBeLessThan(indexOf(image, tagging));
    expect(tagging?.env?.DIGEST).toBe(expressionOf('steps.digest.outputs.digest'));
    expect(tagging?.env?.RELEASE_TAG).toBe(expressionOf('inputs.release-tag'));
    const release = (workflow.jobs.release.steps ?? []).find((step) => /pnpm release /.test(step.run ?? ''));
    expect(release?.run).toMatch(/--image "\$RELEASE_TAG@\$DIGEST"$/);
    expect(release?.env?.RELEASE_TAG).toBe(expressionOf('inputs.release-tag'));
    expect(release?.env?.DIGEST).toBe(expressionOf('needs.image.outputs.digest'));
    expect(
      (workflow.on.workflow_call as { inputs: Record<string, { required: boolean }> }).inputs['release-tag'],
    ).toMatchObject({ required: true });
  });

  /** Runs the tagging step in bash with an `aws` on the PATH that plays ECR, holding `tagged` (tag → digest). */
  function runTagging(tagged: Record<string, string>, env: Record<string, string>) {
    const bin = mkdtempSync(join(tmpdir(), 'ecr-'));
    const work = mkdtempSync(join(tmpdir(), 'ecr-work-'));
    try {
      const fake = [
        '#!/bin/bash',
        'echo "$*" >> "$AWS_CALLS"',
        'case "$2" in',
        '  describe-images)',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash parameter expansion, not a JS template
        '    tag="${6#imageTag=}"',
        ...Object.entries(tagged).map(
          ([tag, digest]) => `    if [ "$tag" = '${tag}' ]; then echo '${digest}'; exit 0; fi`,
        ),
        '    echo "An error occurred (ImageNotFoundException) when calling the DescribeImages operation" >&2; exit 254 ;;',
        '  batch-get-image)',
        '    if [[ "$*" == *imageManifestMediaType* ]]; then echo application/vnd.oci.image.index.v1+json; else echo \'{"schemaVersion":2}\'; fi ;;',
        '  put-image) echo \'{"image":{}}\' ;;',
        'esac',
      ].join('\n');
      writeFileSync(join(bin, 'aws'), `${fake}\n`, { mode: 0o755 });
      const calls = join(work, 'calls');
      writeFileSync(calls, '');
      const result = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', tagging?.run ?? ''], {
        cwd: work,
        env: { PATH: `${bin}:${process.env.PATH}`, AWS_CALLS: calls, ...env },
        encoding: 'utf8',
      });
      return { status: result.status, output: `${result.stdout}${result.stderr}`, calls: readFileSync(calls, 'utf8') };
    } finally {
      rmSync(bin, { recursive: true, force: true });
      rmSync(work, { recursive: true, force: true });
    }
  }

  it('adds the release tag by putting the manifest again under the digest, once, and never moves a tag', () => {
    const digest = `sha256:${'e'.repeat(64)}`;
    const env = { REPOSITORY: 'acme/order-service', RELEASE_TAG: '1.4.2', DIGEST: digest };
    const fresh = runTagging({}, env);
    expect(fresh.status).toBe(0);
    expect(fresh.calls).toContain(
      `ecr put-image --repository-name acme/order-service --image-tag 1.4.2 --image-digest ${digest} --image-manifest {"schemaVersion":2} --image-manifest-media-type application/vnd.oci.image.index.v1+json`,
    );
    // A re-run finds the tag on this image: nothing to put.
    const again = runTagging({ '1.4.2': digest }, env);
    expect(again.status).toBe(0);
    expect(again.calls).not.toContain('put-image');
    // The tag names another image: ECR would refuse, and the release must not point the tag at this digest.
    const taken = runTagging({ '1.4.2': `sha256:${'f'.repeat(64)}` }, env);
    expect(taken.status).toBe(1);
    expect(taken.output).toContain('::error::acme/order-service:1.4.2 names another image');
    expect(taken.calls).not.toContain('put-image');
  });

  it("mints the release GitHub App's token in the job that pushes and opens the pull request, from the caller's secrets", () => {
    const call = (workflow.on.workflow_call as { secrets: Record<string, { required: boolean }> }).secrets;
    expect(Object.keys(call).sort()).toEqual(['platform-app-client-id', 'platform-app-private-key']);
    for (const secret of Object.values(call)) expect(secret.required).toBe(true);
    const release = workflow.jobs.release;
    const [mint] = stepsUsing(release, 'createAppToken');
    expect(indexOf(release, mint)).toBe(0);
    const [owner, repository] = loadPlatformModel().organization.ci.githubRepository.split('/');
    expect(mint?.with).toEqual({
      'client-id': expressionOf('secrets.platform-app-client-id'),
      'private-key': expressionOf('secrets.platform-app-private-key'),
      owner,
      repositories: repository,
      'permission-contents': 'write',
      'permission-pull-requests': 'write',
    });
    // Every use of a token in the job is the minted one: none is passed in, none comes from another job.
    const token = expressionOf(`steps.${mint?.id}.outputs.token`);
    const [checkout] = stepsUsing(release, 'checkout');
    expect(checkout?.with?.token).toBe(token);
    const gh = (release.steps ?? []).filter((step) => step.env?.GH_TOKEN !== undefined);
    expect(gh.length).toBeGreaterThan(0);
    for (const step of gh) expect(step.env?.GH_TOKEN).toBe(token);
    expect(JSON.stringify(release)).not.toMatch(/needs\.[\w-]+\.outputs\.[\w-]*token/);
  });

  it('commits the release only when it changes something, and replaces only its own branch', () => {
    const push = (workflow.jobs.release.steps ?? []).find((step) => /git push/.test(step.run ?? ''));
    const lines = (push?.run ?? '').split('\n');
    const check = lines.findIndex((line) => /git diff --cached --quiet/.test(line));
    const commit = lines.findIndex((line) => /^git commit /.test(line));
    expect(check).toBeGreaterThan(lines.indexOf('git add --all'));
    expect(check).toBeLessThan(commit);
    expect(lines.find((line) => /git push/.test(line))).toMatch(/--force-with-lease=/);
  });
});

describe('the CI sessions', () => {
  /** Two hours: a cluster stack's deploy, or a multi-arch build under QEMU, outlasts IAM's default hour. */
  const SESSION_SECONDS = 7200;
  const templates = readdirSync(join(ROOT, 'dist', 'cloudformation')).filter((file) => file.endsWith('.json'));
  const githubRoles = templates.flatMap((file) => {
    const template = JSON.parse(readFileSync(join(ROOT, 'dist', 'cloudformation', file), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    return Object.entries(template.Resources)
      .filter(
        ([, resource]) =>
          resource.Type === 'AWS::IAM::Role' &&
          JSON.stringify(resource.Properties.AssumeRolePolicyDocument).includes('token.actions.githubusercontent.com'),
      )
      .map(([id, resource]) => ({ role: `${file} ${id}`, max: resource.Properties.MaxSessionDuration }));
  });

  it('let every role GitHub Actions assumes last two hours', () => {
    // The shared-services deploy and image push roles, and each environment's deploy role.
    expect(githubRoles.length).toBeGreaterThanOrEqual(2 + loadPlatformModel().environments.length);
    for (const { role, max } of githubRoles) expect([role, max]).toEqual([role, SESSION_SECONDS]);
  });

  it('are asked for two hours by every workflow step that assumes a role', () => {
    const requests = [...workflows].flatMap(([file, workflow]) =>
      Object.entries(workflow.jobs).flatMap(([name, job]) =>
        stepsUsing(job, 'awsCredentials').map((step) => [`${file} ${name}`, step.with?.['role-duration-seconds']]),
      ),
    );
    expect(requests.length).toBeGreaterThan(0);
    for (const [where, seconds] of requests) expect([where, seconds]).toEqual([where, SESSION_SECONDS]);
  });
});
