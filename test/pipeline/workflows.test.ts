import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEPLOY_CONCURRENCY,
  EnvironmentNaming,
  environmentStackIds,
  loadPlatformModel,
  type PlatformModel,
  SHARED_SERVICES_DEPLOYMENT,
  sharedServicesStackIds,
} from '@platform/model';
import { parse } from 'yaml';
import { ACTIONS } from '../../tools/workflows/actions';
import { renderWorkflows, repositoryFacts, WORKFLOWS_FOLDER } from '../../tools/workflows/render';
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
 * bash and the AWS CLI), which every job runs on.
 */
const RUNNER_TOOLS = new Set(['git', 'gh', 'bash', 'cat', 'tee', 'grep', 'cut', 'aws']);
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
    expect(problemOf(['curl', 'x'], [])).toMatch(/not a script/);
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

function expectDeployFollows(model: PlatformModel) {
  const facts = repositoryFacts(ROOT);
  const workflow = parse(renderWorkflows(model, facts).get(`${WORKFLOWS_FOLDER}/deploy.yml`) ?? '') as Workflow;
  expect(workflow.on).toEqual({ push: { branches: [model.organization.ci.branch] } });
  const chain = deployChain(workflow);
  const expected: { environment: string; stacks: string[]; region: string; role?: string }[] = [
    {
      environment: SHARED_SERVICES_DEPLOYMENT,
      stacks: sharedServicesStackIds(model),
      region: model.organization.sharedServices.region,
    },
    ...model.environments.map((environment) => ({
      environment: environment.name,
      stacks: environmentStackIds(model, environment.name),
      region: environment.region,
      role: new EnvironmentNaming(model.organization, environment).ciDeployRoleArn,
    })),
  ];
  expect(chain.map(([, job]) => job.environment)).toEqual(expected.map((entry) => entry.environment));
  chain.forEach(([, job], index) => {
    const { environment, stacks, region } = expected[index];
    expect(job.concurrency).toEqual({ group: `deploy-${environment}`, 'cancel-in-progress': false });
    const credentials = job.steps?.find((step) => step.uses?.startsWith(`${ACTIONS.awsCredentials.repository}@`));
    expect(credentials?.with?.['aws-region']).toBe(region);
    const role = expected[index].role;
    if (role) expect(credentials?.with?.['role-to-assume']).toBe(role);
    // diff, then deploy, of exactly the environment's stacks.
    const names = (job.steps ?? []).map((step) => step.name);
    expect(names.indexOf('cdk diff')).toBeLessThan(names.indexOf('cdk deploy'));
    expect(
      commandOf(job, 'pnpm exec cdk diff')[0]
        .split(' ')
        .filter((word) => stacks.includes(word)),
    ).toEqual(stacks);
    expect(commandOf(job, 'pnpm exec cdk deploy')[0].endsWith(` ${stacks.join(' ')}`)).toBe(true);
    // Independent stacks (one per service, per queue, per repository) deploy side by side, after what they depend on.
    expect(commandOf(job, 'pnpm exec cdk deploy')[0]).toContain(` --concurrency ${DEPLOY_CONCURRENCY} `);
    // A re-run of an older run stops before it assumes a role: it would deploy older templates over newer ones.
    const guard = (job.steps ?? []).findIndex(
      (step) => /\$GITHUB_SHA/.test(step.run ?? '') && /git\/ref\/heads\/\$BRANCH/.test(step.run ?? ''),
    );
    expect(guard).toBeGreaterThan(-1);
    expect(job.steps?.[guard]?.env?.BRANCH).toBe(model.organization.ci.branch);
    expect(guard).toBeLessThan(names.indexOf('cdk diff'));
    expect(guard).toBeLessThan((job.steps ?? []).indexOf(credentials as Step));
  });
}

describe('the deploy workflow', () => {
  it('deploys the shared-services stack, then each environment of the shipped model in order', () => {
    expectDeployFollows(loadPlatformModel());
  });

  it('follows a model with more environments', () => {
    expectDeployFollows(withEnvironments(loadPlatformModel(), 4));
  });
});

const stepsUsing = (job: Job, action: keyof typeof ACTIONS) =>
  (job.steps ?? []).filter((step) => step.uses?.startsWith(`${ACTIONS[action].repository}@`));
const indexOf = (job: Job, step: Step | undefined) => (job.steps ?? []).indexOf(step as Step);

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

  it('reuses the image a first run pushed under the immutable build tag instead of pushing again', () => {
    const existing = steps.find((step) => /aws ecr describe-images/.test(step.run ?? ''));
    expect(existing?.run).toMatch(/--image-ids imageTag="\$TAG"/);
    expect(existing?.env?.TAG).toBe(String(build.with?.tags).split(':').at(-1));
    expect(indexOf(image, existing)).toBeLessThan(indexOf(image, build));
    expect(build.if).toBe(`steps.${existing?.id}.outputs.digest == ''`);
    const digest = steps.find((step) => step.id === 'digest');
    expect(digest?.env?.EXISTING).toBe(`\${{ steps.${existing?.id}.outputs.digest }}`);
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
