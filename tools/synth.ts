/**
 * One command for every output: validates the model, renders the cdk8s app (every environment's
 * manifests) and the CDK app (every stack's CloudFormation template, synthesized in this process from
 * the same model object), and replaces dist/ with both at once, only when everything succeeded; the
 * cloud assembly goes to cdk.out/ for `cdk deploy --app cdk.out`. `pnpm synth --help` lists the options.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runEntryPoint, UserError } from '@platform/model/entry-point';
import { helpText, MODEL_OPTION, parseCommandLine } from './command-line';

const ROOT = join(__dirname, '..');

/** The command's name, summary and options, as `--help` prints them. */
export const SYNTH = {
  command: 'pnpm synth',
  summary:
    "Renders dist/<env>/ (the Kubernetes objects Argo CD syncs) and dist/cloudformation/ (every stack's\n" +
    'template) from the model, and replaces them together; cdk.out/ gets the cloud assembly.',
  options: {
    check: {
      type: 'boolean',
      description: 'write nothing; fail, listing the files, when dist/ is not what the code renders (pnpm synth:check)',
    },
    env: {
      type: 'string',
      placeholder: 'NAME',
      description: "only this environment: dist/NAME/ and its stacks' templates",
    },
    model: MODEL_OPTION,
  },
} as const;

/**
 * The command: `args` as after `pnpm synth`; reads and writes below `root` (the repository's root, default
 * this one's): dist/, cdk.out/ and the generated files. Prints to stdout; throws UsageError for a command
 * line it refuses, UserError (or ModelValidationError) for a bad model or a failed check, which
 * runEntryPoint turns into exit codes 2 and 1.
 */
export async function synth(args: readonly string[], root: string = ROOT): Promise<void> {
  const DIST = join(root, 'dist');
  const { help, values } = parseCommandLine(SYNTH, args);
  if (help) {
    process.stdout.write(helpText(SYNTH));
    return;
  }
  // Loaded only now: these load the model data, whose syntax errors runEntryPoint reports.
  const { counted, loadModel } = await import('@platform/model');
  const { modelInputFrom } = await import('./model-input.ts');
  const { cdkCliSettings } = await import('../apps/cloud/src/cdk-cli-context.ts');
  // The one validator, with the context synthesis reads: every problem listed before anything is rendered.
  const model = loadModel(modelInputFrom(values.model), cdkCliSettings(root).context);
  const environment = values.env;
  const known = model.environments.map((candidate) => candidate.name);
  if (environment !== undefined && !known.includes(environment)) {
    throw new UserError(`--env ${environment}: the model has no such environment; known: ${known.join(', ')}`);
  }
  const { renderPlatformOutputs } = await import('./platform-outputs.ts');
  const { DistCheckError, diffAgainstDirectory, isTemplatePath, listFiles, replaceDirectory, replaceDistDirectory } =
    await import('../apps/cluster/src/dist-directory.ts');

  const cdkOut = join(root, cdkCliSettings(root).output);
  // The assembly is built beside its final place (or in a temp dir for a check) and moved in at the end.
  const assembly = values.check
    ? mkdtempSync(join(tmpdir(), 'platform-synth-check-'))
    : mkdtempSync(join(dirname(cdkOut), '.cdk.out-staging-'));
  try {
    const outputs = renderPlatformOutputs(model, { root, cloudOutdir: assembly, environment });
    for (const warning of outputs.warnings) process.stderr.write(`${warning}\n`);
    if (!values.check) {
      // What the next deploy does to data (removed, replaced, or colliding with what the account still holds) is
      // named before the new templates replace the committed ones.
      const { statefulChangeLines } = await import('../apps/cloud/src/stateful-changes.ts');
      const { gitTemplateHistory } = await import('./template-history.ts');
      const templatesIn = (files: Iterable<[string, string]>) =>
        new Map([...files].filter(([path]) => isTemplatePath(path) && outputs.owns(path)));
      const committed = templatesIn(
        existsSync(DIST) ? listFiles(DIST).map((path) => [path, readFileSync(join(DIST, path), 'utf8')]) : [],
      );
      const lines = statefulChangeLines(committed, templatesIn(outputs.files), gitTemplateHistory(root));
      for (const line of lines) process.stdout.write(`${line}\n`);
    }
    const paths = [...outputs.files.keys()];
    const templates = paths.filter(isTemplatePath).length;
    const rendered = `${counted(paths.length - templates, 'manifest')} of ${counted(outputs.environments.length, 'environment')}, ${counted(templates, 'CloudFormation template')}`;
    const scope = environment === undefined ? 'dist/' : `dist/${environment}/ and the templates of its stacks`;
    const verb = environment === undefined ? 'is' : 'are';

    const { generatedFileDifferences, readDistManifests, renderGeneratedFiles, writeGeneratedFiles } = await import(
      './generated-files.ts'
    );
    if (values.check) {
      // The files rendered from dist/ need all of it: they are checked when every environment is rendered.
      const differences = [
        ...diffAgainstDirectory(DIST, outputs.files, outputs.owns),
        ...(environment === undefined
          ? generatedFileDifferences(root, renderGeneratedFiles(model, outputs.files))
          : []),
      ];
      if (differences.length > 0) {
        throw new UserError(
          `${scope} ${verb} not what the code renders (${counted(differences.length, 'file')}); run 'pnpm synth' and commit dist/:\n${differences.map((d) => `  ${d}`).join('\n')}`,
        );
      }
      process.stdout.write(`${scope} ${verb} up to date: ${rendered}\n`);
      return;
    }
    try {
      replaceDistDirectory(DIST, outputs.files, { keep: (path) => !outputs.owns(path) });
    } catch (error) {
      if (error instanceof DistCheckError) throw new UserError(error.message);
      throw error;
    }
    // From dist/ as it now is, so one environment rendered alone leaves the others' parts as they were.
    writeGeneratedFiles(root, renderGeneratedFiles(model, readDistManifests(DIST, known)));
    replaceDirectory(assembly, cdkOut);
    process.stdout.write(`${scope} written: ${rendered}; cdk.out/ synthesized\n`);
  } finally {
    rmSync(assembly, { recursive: true, force: true });
  }
}

// Run as a script (`pnpm synth`, or spawned by `pnpm promote`), not when a test imports the command.
if (require.main === module) runEntryPoint(() => synth(process.argv.slice(2)));
