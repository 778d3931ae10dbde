import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine, EngineContext, EngineResult } from './engine';
import { goModuleBinary } from './go-module-binary';
import { runProcess } from './process-output';

/** actionlint from the Go module proxy, pinned. */
export const ACTIONLINT_VERSION = '1.7.12';

function actionlintBinary(context: EngineContext): Promise<string> {
  return goModuleBinary(context, {
    name: 'actionlint',
    module: 'github.com/rhysd/actionlint',
    version: `v${ACTIONLINT_VERSION}`,
    // go.sum hash of that version (sum.golang.org).
    sum: 'h1:vQ4GeJN86C0QH+gTUQcs8McmK62OLT3kmakPMtEWYnY=',
    mainPackage: './cmd/actionlint',
    linkerSettings: [`github.com/rhysd/actionlint.version=${ACTIONLINT_VERSION}`],
  });
}

/** One finding of `actionlint -format '{{json .}}'`. */
interface ActionlintError {
  readonly message: string;
  readonly filepath: string;
  readonly line: number;
  readonly kind: string;
}

const WORKFLOWS = join('.github', 'workflows');

/** The workflow files below `directory`/.github/workflows, relative to `directory`. */
function workflowFiles(directory: string): string[] {
  return readdirSync(join(directory, WORKFLOWS))
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => join(WORKFLOWS, name));
}

/**
 * Lints the workflows below `directory`/.github/workflows, named one by one (actionlint's own search
 * needs a Git work tree). shellcheck and pyflakes are turned off so the result does not depend on what
 * else the machine has installed.
 */
async function lint(context: EngineContext, directory: string): Promise<ActionlintError[]> {
  const actionlint = await actionlintBinary(context);
  const files = workflowFiles(directory);
  if (files.length === 0) return [];
  const args = ['-format', '{{json .}}', '-shellcheck=', '-pyflakes=', ...files];
  const run = await runProcess(actionlint, args, { cwd: directory });
  if (run.status !== 0 && run.status !== 1) {
    throw new Error(`actionlint exited with ${run.status}:\n${run.stderr}${run.stdout}`);
  }
  return JSON.parse(run.stdout.trim() || '[]') as ActionlintError[];
}

const describe = (error: ActionlintError) => `${error.filepath}:${error.line} [${error.kind}] ${error.message}`;

async function run(context: EngineContext): Promise<EngineResult> {
  const engine = `actionlint ${ACTIONLINT_VERSION}`;
  if (!existsSync(join(context.root, WORKFLOWS)) || workflowFiles(context.root).length === 0) {
    return { engine, ok: true, summary: 'no workflows', failures: [] };
  }
  const errors = await lint(context, context.root);
  const summary = `${workflowFiles(context.root).length} workflows; ${errors.length} errors`;
  return { engine, ok: errors.length === 0, summary, failures: errors.map(describe) };
}

/** A workflow that reads an undefined context: actionlint must report it. */
async function selfCheck(context: EngineContext): Promise<string> {
  const work = mkdtempSync(join(tmpdir(), 'verify-actionlint-broken-'));
  try {
    mkdirSync(join(work, WORKFLOWS), { recursive: true });
    writeFileSync(
      join(work, WORKFLOWS, 'broken.yaml'),
      [
        'name: broken',
        'on: push',
        'jobs:',
        '  test:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a JS template
        '      - run: echo "${{ secretz.TOKEN }}"',
        '',
      ].join('\n'),
    );
    const errors = await lint(context, work);
    const found = errors.filter((error) => error.message.includes('secretz'));
    if (found.length === 0) throw new Error('actionlint accepted a workflow that reads the undefined context secretz');
    return found.map(describe).join('\n');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** actionlint on .github/workflows/, which `pnpm synth` renders from the model (tools/workflows/render.ts). */
export const actionlintEngine: Engine = { name: 'actionlint', run, selfCheck };
