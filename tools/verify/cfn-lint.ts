import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine, EngineContext, EngineResult } from './engine';
import { runProcess } from './process-output';
import { pythonTool, withFreshHome } from './python-tool';

/** cfn-lint from PyPI, pinned. Rule choices live in `.cfnlintrc.yaml` at the repository root, each with its reason. */
export const CFN_LINT = { project: 'cfn-lint', version: '1.58.0', command: 'cfn-lint' } as const;

/** One finding of `cfn-lint --format json`. */
interface CfnLintMatch {
  readonly Rule: { readonly Id: string };
  readonly Level: 'Error' | 'Warning' | 'Informational';
  readonly Message: string;
  readonly Filename: string;
  readonly Location: { readonly Start: { readonly LineNumber: number }; readonly Path?: readonly unknown[] };
}

/** The CloudFormation templates of cdk.out/, as paths relative to the root. */
function templates(root: string): string[] {
  return readdirSync(join(root, 'cdk.out'))
    .filter((name) => name.endsWith('.template.json'))
    .sort()
    .map((name) => join('cdk.out', name));
}

/** The project's cfn-lint settings, relative to the root. */
const CONFIG_FILE = '.cfnlintrc.yaml';

/**
 * Runs cfn-lint from the root with `.cfnlintrc.yaml` named explicitly (cfn-lint then reads no other
 * config, cfnlint/config.py 1.58.0) and a fresh HOME; exit codes 2/4/8 mean findings, others failure.
 */
async function lint(context: EngineContext, files: readonly string[]): Promise<CfnLintMatch[]> {
  const cfnLint = await pythonTool(context, CFN_LINT);
  const config = join(context.root, CONFIG_FILE);
  const run = await withFreshHome((env) =>
    runProcess(cfnLint, ['--config-file', config, '--format', 'json', '--', ...files], { cwd: context.root, env }),
  );
  if (run.status === null || (run.status & ~(2 | 4 | 8)) !== 0) {
    throw new Error(`cfn-lint exited with ${run.status}:\n${run.stderr}${run.stdout}`);
  }
  return JSON.parse(run.stdout || '[]') as CfnLintMatch[];
}

function describe(match: CfnLintMatch): string {
  return `${match.Filename}:${match.Location.Start.LineNumber} ${match.Rule.Id} (${match.Level}) ${match.Message}`;
}

async function run(context: EngineContext): Promise<EngineResult> {
  const files = templates(context.root);
  const matches = await lint(context, files);
  const count = (level: CfnLintMatch['Level']) => matches.filter((match) => match.Level === level).length;
  const failures = files.length === 0 ? ['cdk.out/ holds no template: nothing was checked'] : matches.map(describe);
  return {
    engine: `cfn-lint ${CFN_LINT.version}`,
    ok: failures.length === 0,
    summary: `${files.length} templates; ${count('Error')} errors, ${count('Warning')} warnings, ${count('Informational')} informational`,
    failures,
  };
}

/** A real template whose first resource gets a property its type does not have: cfn-lint must report E3002. */
async function selfCheck(context: EngineContext): Promise<string> {
  const [source] = templates(context.root);
  if (!source) throw new Error('cdk.out/ holds no template to break');
  const template = JSON.parse(readFileSync(join(context.root, source), 'utf8')) as {
    Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  };
  const [logicalId, resource] = Object.entries(template.Resources)[0];
  resource.Properties = { ...resource.Properties, PlatformNoSuchProperty: 'x' };
  const work = mkdtempSync(join(tmpdir(), 'verify-cfn-lint-broken-'));
  try {
    const file = join(work, 'broken.template.json');
    writeFileSync(file, JSON.stringify(template, null, 1));
    const errors = (await lint(context, [file])).filter(
      (match) => match.Level === 'Error' && match.Location.Path?.includes('PlatformNoSuchProperty'),
    );
    if (errors.length === 0) {
      throw new Error(`cfn-lint accepted ${resource.Type} ${logicalId} (from ${source}) with an unknown property`);
    }
    return errors.map(describe).join('\n');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** cfn-lint on every template of cdk.out/: no error, and no warning that `.cfnlintrc.yaml` does not ignore with a reason. */
export const cfnLintEngine: Engine = { name: 'cfn-lint', run, selfCheck };
