import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadModel, platformModelInput } from '@platform/model';
import { cdkCliSettings } from '../../apps/cloud/src/cdk-cli-context';
import { PLAN, plan } from '../../tools/plan';
import { renderPlatformOutputs } from '../../tools/platform-outputs';
import { runCommand, spawnScript } from '../support/command-run';
import { copyRepository } from '../support/repo-copy';
import { STATEFUL_TYPE_NAMES } from '../support/stateful-types';
import { tempDir } from '../support/temp-dirs';

/**
 * `pnpm plan` as its user runs it, in a copy of the repository made a Git repository of its own, whose dist/ is what
 * a one-environment cut of the shipped model renders: the base revision
 * (the merge-base of HEAD and the protected branch, or --base), the acknowledgements file, the exit codes and the
 * three forms of the report. The command runs in this process through runEntryPoint (test/support/command-run.ts);
 * that the script wires it there is shown once with a child process. plan-findings.test.ts shows what the plan finds
 * on real before/after pairs.
 */

// Rendering is deterministic (synthesis.test.ts, template-determinism.test.ts): each distinct model renders once here.
jest.mock('../../tools/platform-outputs', () => {
  const actual = jest.requireActual('../../tools/platform-outputs');
  const rendered = new Map<string, unknown>();
  return {
    ...actual,
    renderPlatformOutputs: jest.fn((model, options) => {
      const key = JSON.stringify(model);
      if (!rendered.has(key)) rendered.set(key, actual.renderPlatformOutputs(model, options));
      return rendered.get(key);
    }),
  };
});
const render = jest.mocked(renderPlatformOutputs);

const ACKNOWLEDGEMENTS = 'plan-acknowledgements.json';
const STATEFUL_TYPES = Object.keys(STATEFUL_TYPE_NAMES);

let root: string;
let validation: string | undefined;
/** The proposed models: the shipped one cut to its first environment, whose dist/ is the copy's base commit. */
let smallModel: string;
/** The same with its first service that has a database renamed. */
let renamedModel: string;
/** The stateful resources of that service in the base templates, which the rename takes out of their stacks. */
let renamedResources: { stack: string; logicalId: string }[];

function git(...args: string[]): string {
  const result = spawnSync('git', ['-C', root, '-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout.trim();
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

const run = (...args: string[]) => runCommand(() => plan(args, root));

let renamedJson: Promise<string> | undefined;
/** The JSON report of the renamed model, with no acknowledgement: run once, read by several tests. */
function renamedReport(): Promise<string> {
  renamedJson ??= run('--model', renamedModel, '--format', 'json').then((result) => result.stdout);
  return renamedJson;
}

/** The entries that acknowledge each open change of the renamed model's plan, with `reason`. */
async function renamedEntries(reason: string): Promise<Record<string, string>[]> {
  const report = JSON.parse(await renamedReport()) as { changes: { status: string; key: Record<string, string> }[] };
  return report.changes.filter((change) => change.status === 'open').map((change) => ({ ...change.key, reason }));
}

beforeAll(() => {
  // aws-cdk-lib's built-in template validation changes no template; pnpm synth:check runs it on the shipped model.
  validation = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false';
  root = copyRepository();

  // One environment renders in a third of the time of three; the base commit holds what it renders.
  const small = structuredClone(platformModelInput);
  small.environments = small.environments.slice(0, 1);
  const kept = small.environments.map((environment) => environment.name);
  small.releases = Object.fromEntries(
    Object.entries(small.releases ?? {}).filter(([name]) => kept.includes(name)),
  ) as typeof small.releases;
  const models = tempDir('platform-plan-model-');
  smallModel = join(models, 'small.json');
  writeFileSync(smallModel, JSON.stringify(small));
  const model = loadModel(small, cdkCliSettings(root).context);
  const base = renderPlatformOutputs(model, { root, cloudOutdir: tempDir('platform-plan-') }).files;
  rmSync(join(root, 'dist'), { recursive: true });
  for (const [path, text] of base) {
    mkdirSync(dirname(join(root, 'dist', path)), { recursive: true });
    writeFileSync(join(root, 'dist', path), text);
  }
  writeFileSync(join(root, '.gitignore'), 'node_modules/\ncdk.out/\n');
  git('init', '--quiet', '--initial-branch=main');
  git('add', '--all');
  git('commit', '--quiet', '--message', 'base');

  const service = model.services.find((candidate) => candidate.dependencies.database);
  if (!service) throw new Error('the shipped model has no service with a database');
  renamedModel = join(models, 'renamed.json');
  writeFileSync(renamedModel, JSON.stringify(small).replaceAll(`"${service.name}"`, '"renamed"'));
  renamedResources = [...base]
    .filter(([path]) => path.startsWith('cloudformation/'))
    .flatMap(([path, text]) => {
      const stack = /([^/]+)\.template\.json$/.exec(path)?.[1] as string;
      const template = JSON.parse(text) as { Resources: Record<string, { Type: string }> };
      return Object.entries(template.Resources)
        .filter(
          ([id, resource]) =>
            STATEFUL_TYPES.includes(resource.Type) && id.toLowerCase().includes(service.name.replaceAll('-', '')),
        )
        .map(([logicalId]) => ({ stack, logicalId }));
    });
  render.mockClear();
});

afterAll(() => {
  if (validation === undefined) delete process.env.CDK_VALIDATION;
  else process.env.CDK_VALIDATION = validation;
});

afterEach(() => {
  writeFileSync(join(root, ACKNOWLEDGEMENTS), '[]\n');
});

describe('the command line', () => {
  it('tools/plan.ts, run as a script, refuses an unknown option in one stderr line with exit code 2', () => {
    const result = spawnScript(root, 'tools/plan.ts', ['--frobnicate']);

    expect(result.status).toBe(2);
    expect(lines(result.stderr)).toEqual([
      "pnpm plan: unknown option '--frobnicate'; allowed: --base REV, --format FORMAT, --model FILE, --help",
    ]);
    expect(result.stdout).toBe('');
  });

  it('--help prints the usage and renders nothing', async () => {
    const result = await run('--help');

    expect(PLAN.command).toBe('pnpm plan');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: pnpm plan \[options\]/);
    for (const option of ['--base REV', '--format FORMAT', '--model FILE', '--help']) {
      expect(result.stdout).toContain(`  ${option}`);
    }
    expect(render).not.toHaveBeenCalled();
  });

  it.each([
    [['--format', 'xml'], 'pnpm plan: --format xml: no such format; allowed: text, markdown, json'],
    [['--base', 'no-such-revision'], 'pnpm plan: --base no-such-revision: no such commit in this repository'],
  ])('%j: one stderr line, exit code 2, nothing rendered', async (args, message) => {
    const result = await run(...args);

    expect(result.status).toBe(2);
    expect(lines(result.stderr)).toEqual([message]);
    expect(result.stdout).toBe('');
    expect(render).not.toHaveBeenCalled();
  });

  it('outside a Git work tree: exit code 2', async () => {
    const outside = tempDir('platform-no-git-');

    const result = await runCommand(() => plan([], outside));

    expect(result.status).toBe(2);
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/^pnpm plan: .* is not in a Git work tree/)]);
  });

  it('a syntax error in a model data file: its place in one stderr line, exit code 2', () => {
    const file = join(root, 'packages', 'platform-model', 'src', 'data', 'teams.ts');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, `${text}export const broken = ;\n`);
    try {
      const result = spawnScript(root, 'tools/plan.ts');

      expect(result.status).toBe(2);
      expect(lines(result.stderr)).toEqual([
        expect.stringMatching(/^packages\/platform-model\/src\/data\/teams\.ts:\d+:\d+: /),
      ]);
      expect(result.stdout).toBe('');
    } finally {
      writeFileSync(file, text);
    }
  });

  it('a proposed model that is no JSON: its place in one stderr line, exit code 2', async () => {
    const broken = join(tempDir('platform-plan-model-'), 'broken.json');
    writeFileSync(broken, '{\n  "teams": ,\n}\n');

    const result = await run('--model', broken);

    expect(result.status).toBe(2);
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/broken\.json:2:\d+: /)]);
  });

  it('an invalid proposed model: its problems, exit code 2', async () => {
    const broken = join(tempDir('platform-plan-model-'), 'broken.json');
    writeFileSync(broken, JSON.stringify({ ...platformModelInput, teams: [] }));

    const result = await run('--model', broken);

    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^The platform model is invalid/);
    expect(result.stdout).toBe('');
  });
});

describe('the plan', () => {
  it('of an unchanged model, against the merge-base of HEAD and main: nothing, exit code 0', async () => {
    const result = await run('--model', smallModel);

    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(lines(result.stdout)).toEqual([
      `pnpm plan: dist/ as the working tree renders it, against ${git('rev-parse', 'HEAD').slice(0, 12)} (the merge-base of HEAD and main)`,
      'Nothing is replaced, deleted or pruned.',
    ]);
  });

  it('of a rename that takes databases out of their stacks: each named, exit code 1 and one stderr line', async () => {
    const result = await run('--model', renamedModel);

    expect(result.status).toBe(1);
    expect(lines(result.stderr)).toEqual([
      expect.stringMatching(
        /^pnpm plan: \d+ destructive changes of stateful resources or objects are not acknowledged \(plan-acknowledgements\.json; see the report above\)$/,
      ),
    ]);
    expect(renamedResources.length).toBeGreaterThan(0);
    for (const { logicalId } of renamedResources) {
      expect(result.stdout).toMatch(new RegExp(`^ {2}\\[stateful, NOT ACKNOWLEDGED\\] .*\\b${logicalId}\\b`, 'm'));
    }
  });

  it('passes when the file acknowledges each, and fails on an entry that matches nothing (exit code 1)', async () => {
    const entries = await renamedEntries('the service is renamed; its data is exported first');
    expect(entries).toEqual(expect.arrayContaining(renamedResources.map((key) => expect.objectContaining(key))));
    writeFileSync(join(root, ACKNOWLEDGEMENTS), JSON.stringify(entries, null, 2));

    const passing = await run('--model', renamedModel);
    expect(passing.status).toBe(0);
    expect(passing.stderr).toBe('');
    expect(passing.stdout).toContain('[stateful, acknowledged: the service is renamed; its data is exported first]');
    expect(passing.stdout).not.toContain('NOT ACKNOWLEDGED');

    const stale = { stack: 'dev-data', logicalId: 'NoSuchResource', reason: 'a leftover' };
    writeFileSync(join(root, ACKNOWLEDGEMENTS), JSON.stringify([...entries, stale]));
    const failing = await run('--model', renamedModel);
    expect(failing.status).toBe(1);
    expect(lines(failing.stderr)).toEqual([
      'pnpm plan: 1 acknowledgement matches no such change (plan-acknowledgements.json; see the report above)',
    ]);
    expect(failing.stdout).toContain(JSON.stringify(stale));
  });

  it('counts only the entries the change adds: those already at the base revision acknowledged an earlier change', async () => {
    const entries = await renamedEntries('renamed');
    writeFileSync(join(root, ACKNOWLEDGEMENTS), JSON.stringify(entries));
    git('checkout', '--quiet', '-b', 'rename');
    git('add', ACKNOWLEDGEMENTS);
    git('commit', '--quiet', '--message', 'acknowledge');
    try {
      // Against main (the default base), the branch adds the entries: they count.
      expect((await run('--model', renamedModel)).status).toBe(0);
      // Against the commit that holds them, they are old and count for nothing.
      const against = await run('--model', renamedModel, '--base', 'HEAD');
      expect(against.status).toBe(1);
      expect(against.stdout).toContain(`${entries.length} acknowledgements from the base revision ignored`);
    } finally {
      git('checkout', '--quiet', 'main');
      git('branch', '--quiet', '-D', 'rename');
    }
  });

  it.each([
    ['not JSON', '{', /^pnpm plan: plan-acknowledgements\.json is not JSON: /],
    ['no array', '{}', /^pnpm plan: plan-acknowledgements\.json must hold a JSON array of acknowledgements$/],
    [
      'no reason',
      JSON.stringify([{ stack: 'dev-data', logicalId: 'X' }]),
      /^pnpm plan: plan-acknowledgements\.json: \[0\]\.reason: must be a non-empty string$/,
    ],
    [
      'an unknown field',
      JSON.stringify([{ environment: 'dev', application: 'a', kind: 'Namespace', name: 'n', reason: 'r', extra: 1 }]),
      /^pnpm plan: plan-acknowledgements\.json: \[0\]\.extra: unknown field; allowed: environment, application, kind, name, reason, group, namespace$/,
    ],
    [
      'one change twice',
      JSON.stringify([
        { stack: 'dev-data', logicalId: 'X', reason: 'r' },
        { stack: 'dev-data', logicalId: 'X', reason: 's' },
      ]),
      /^pnpm plan: plan-acknowledgements\.json: \[1\]: acknowledges the same change as \[0\]$/,
    ],
  ])(
    'an acknowledgements file with %s: one stderr line naming the entry, exit code 2',
    async (_case, text, message) => {
      writeFileSync(join(root, ACKNOWLEDGEMENTS), text);

      const result = await run();

      expect(result.status).toBe(2);
      expect(lines(result.stderr)).toEqual([expect.stringMatching(message)]);
      expect(result.stdout).toBe('');
    },
  );

  it('as Markdown: a heading, the verdict, a table and the entries to add', async () => {
    const result = await run('--model', renamedModel, '--format', 'markdown');

    expect(result.status).toBe(1);
    const text = result.stdout;
    expect(text).toMatch(/^### Destructive changes \(`pnpm plan`\)\n\nAgainst `[0-9a-f]{12}` \(.*\)\. \*\*Fails\*\*: /);
    expect(text).toContain('| | Where | Change |\n| --- | --- | --- |\n');
    for (const { logicalId } of renamedResources) {
      expect(text).toMatch(
        new RegExp(`^\\| :x: stateful, \\*\\*not acknowledged\\*\\* \\| .*\\b${logicalId}\\b.* \\|$`, 'm'),
      );
    }
    const suggested = /```json\n(\[[\s\S]*?\])\n```/.exec(text)?.[1];
    expect(JSON.parse(suggested as string)).toEqual(
      expect.arrayContaining(renamedResources.map((key) => expect.objectContaining(key))),
    );
  });

  it('is the same, byte for byte, on a second run', async () => {
    const first = await renamedReport();
    const second = await run('--model', renamedModel, '--format', 'json');

    expect(second.stdout).toBe(first);
    expect(JSON.parse(first)).toMatchObject({ passes: false, base: { commit: git('rev-parse', 'HEAD') } });
  });
});
