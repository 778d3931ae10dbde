/**
 * The destructive-change guard: renders dist/ from the working tree (as `pnpm synth --check` does, writing nothing),
 * compares it with dist/ at a base revision of Git, and lists every CloudFormation resource the next deploy replaces
 * or deletes and every Kubernetes object Argo CD prunes. It fails unless each such change of a stateful resource or
 * object is acknowledged in plan-acknowledgements.json. `pnpm plan --help` lists the options; docs/plan.md explains.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  isUsageError,
  isUserError,
  runEntryPoint,
  syntaxErrorLines,
  UsageError,
  UserError,
} from '@platform/model/entry-point';
import { helpText, MODEL_OPTION, parseCommandLine } from './command-line';
import { ACKNOWLEDGEMENTS_FILE, type Acknowledgement, parseAcknowledgements } from './plan/acknowledgements';
import { keyText } from './plan/findings';
import { fileAt, filesAt, repositoryPrefix, resolveBase } from './plan/git-revision';
import { failureLine, jsonReport, judgePlan, markdownReport, type Plan, textReport } from './plan/plan-report';

const ROOT = join(__dirname, '..');

const FORMATS = { text: textReport, markdown: markdownReport, json: jsonReport } as const;

/** The command's name, summary and options, as `--help` prints them. */
export const PLAN = {
  command: 'pnpm plan',
  summary:
    'Lists every CloudFormation resource the next deploy replaces or deletes and every Kubernetes object Argo CD\n' +
    'prunes, comparing dist/ as the working tree renders it with dist/ at a base revision; fails (exit code 1)\n' +
    `unless each such change of a stateful resource or object is acknowledged in ${ACKNOWLEDGEMENTS_FILE}.`,
  options: {
    base: {
      type: 'string',
      placeholder: 'REV',
      description:
        'the Git revision to compare with (default: the merge-base of HEAD and the protected branch, organization.ci.branch)',
    },
    format: {
      type: 'string',
      placeholder: 'FORMAT',
      description: `${Object.keys(FORMATS).join(', ')}: the report's form (default text; markdown for a GitHub step summary)`,
    },
    model: MODEL_OPTION,
  },
} as const;

/**
 * The command: `args` as after `pnpm plan`; works in `root` (the repository's root, default this one's), which must be
 * in a Git work tree. Prints the report to stdout and writes nothing. Throws UsageError for a command line it
 * refuses and for any problem that keeps it from planning (no such base revision, no Git, an invalid model or
 * acknowledgements file), which runEntryPoint turns into exit code 2 and the message; UserError, exit code 1 and one
 * stderr line, when the plan fails.
 */
export async function plan(args: readonly string[], root: string = ROOT): Promise<void> {
  const { help, values } = parseCommandLine(PLAN, args);
  if (help) {
    process.stdout.write(helpText(PLAN));
    return;
  }
  const format = values.format ?? 'text';
  if (!Object.hasOwn(FORMATS, format)) {
    throw new UsageError(
      `${PLAN.command}: --format ${format}: no such format; allowed: ${Object.keys(FORMATS).join(', ')}`,
    );
  }
  let judged: Plan;
  try {
    judged = await planOf(root, values.base, values.model);
  } catch (error) {
    throw asUsageError(error);
  }
  process.stdout.write(FORMATS[format as keyof typeof FORMATS](judged));
  const failure = failureLine(judged);
  if (failure) throw new UserError(failure);
}

async function planOf(root: string, requestedBase: string | undefined, modelFile: string | undefined): Promise<Plan> {
  const prefix = repositoryPrefix(root);
  // Loaded only now: these load the model data, whose syntax errors are reported as such.
  const { GITOPS_ROOT_APPLICATION, loadModel } = await import('@platform/model');
  const { modelInputFrom } = await import('./model-input.ts');
  const { cdkCliSettings } = await import('../apps/cloud/src/cdk-cli-context.ts');
  const model = loadModel(modelInputFrom(modelFile), cdkCliSettings(root).context);
  // The branch changes merge into: the environments' Argo CD track it or the branches the deploy workflow advances
  // from it, so the merge-base with it is the commit the change started from.
  const base = resolveBase(root, requestedBase, model.organization.ci.branch);

  // Only the entries the change adds count: those the base revision already had acknowledged an earlier change.
  const workingFile = join(root, ACKNOWLEDGEMENTS_FILE);
  const working = existsSync(workingFile)
    ? parseAcknowledgements(readFileSync(workingFile, 'utf8'), ACKNOWLEDGEMENTS_FILE)
    : [];
  const baseText = fileAt(root, prefix, base.commit, ACKNOWLEDGEMENTS_FILE);
  const atBase = new Set(
    (baseText === undefined
      ? []
      : parseAcknowledgements(baseText, `${ACKNOWLEDGEMENTS_FILE} at ${base.commit.slice(0, 12)}`)
    ).map((entry) => keyText(entry.key)),
  );
  const added: Acknowledgement[] = working.filter((entry) => !atBase.has(keyText(entry.key)));

  const before = filesAt(root, prefix, base.commit, 'dist');
  const { renderPlatformOutputs } = await import('./platform-outputs.ts');
  const { isTemplatePath } = await import('../apps/cluster/src/dist-directory.ts');
  const assembly = mkdtempSync(join(tmpdir(), 'platform-plan-'));
  let after: ReadonlyMap<string, string>;
  try {
    after = renderPlatformOutputs(model, { root, cloudOutdir: assembly }).files;
  } finally {
    rmSync(assembly, { recursive: true, force: true });
  }
  const { cloudFormationPlan } = await import('./plan/cloudformation-plan.ts');
  const { argoCdPlan } = await import('./plan/argocd-plan.ts');
  const part = (files: ReadonlyMap<string, string>, templates: boolean) =>
    new Map([...files].filter(([path]) => isTemplatePath(path) === templates));
  const cloud = cloudFormationPlan(part(before, true), part(after, true));
  const argo = argoCdPlan(GITOPS_ROOT_APPLICATION, part(before, false), part(after, false));
  return judgePlan(
    base,
    [...cloud.findings, ...argo.findings],
    [...cloud.notes, ...argo.notes],
    added,
    working.length - added.length,
  );
}

/**
 * Any problem that keeps the command from planning, as a UsageError (exit code 2): a mistake in the model or a
 * syntax error in its data files, which the other commands report with exit code 1, is no failed plan.
 */
function asUsageError(error: unknown): unknown {
  if (isUsageError(error)) return error;
  const syntaxErrors = syntaxErrorLines(error);
  if (syntaxErrors) return new UsageError(syntaxErrors.join('\n'));
  if (isUserError(error)) return new UsageError((error as Error).message);
  return error;
}

// Run as a script (`pnpm plan`), not when a test imports the command.
if (require.main === module) runEntryPoint(() => plan(process.argv.slice(2)));
