/**
 * Checks the model, and what synthesis reads from cdk.json's context, with the validator synth runs, and
 * prints every problem, without writing anything. `pnpm validate --help` lists the options.
 */
import { join } from 'node:path';
import { runEntryPoint } from '@platform/model/entry-point';
import { helpText, MODEL_OPTION, parseCommandLine } from './command-line';

const ROOT = join(__dirname, '..');

/** The command's name, summary and options, as `--help` prints them. */
export const VALIDATE = {
  command: 'pnpm validate',
  summary:
    "Checks the model and cdk.json's context with the checks pnpm synth runs, and prints every problem,\n" +
    'naming its place and what is allowed; writes nothing.',
  options: {
    model: MODEL_OPTION,
  },
} as const;

/**
 * The command: `args` as after `pnpm validate`; reads cdk.json below `root` (default this repository's root).
 * Prints to stdout; throws UsageError for a command line it refuses, UserError or ModelValidationError for a
 * model it rejects, which runEntryPoint turns into exit codes 2 and 1.
 */
export async function validate(args: readonly string[], root: string = ROOT): Promise<void> {
  const { help, values } = parseCommandLine(VALIDATE, args);
  if (help) {
    process.stdout.write(helpText(VALIDATE));
    return;
  }
  // Loaded only now: these load the model data, whose syntax errors runEntryPoint reports.
  const { counted, loadModel } = await import('@platform/model');
  const { modelInputFrom } = await import('./model-input.ts');
  const { cdkCliSettings } = await import('../apps/cloud/src/cdk-cli-context.ts');
  // The one validator, with the context synthesis reads: every problem listed before anything is rendered.
  const model = loadModel(modelInputFrom(values.model), cdkCliSettings(root).context);
  process.stdout.write(
    `The model is valid: ${counted(model.environments.length, 'environment')}, ${counted(model.services.length, 'service')}, ${counted(model.queues.length, 'queue')}.\n`,
  );
}

// Run as a script (`pnpm validate`), not when a test imports the command.
if (require.main === module) runEntryPoint(() => validate(process.argv.slice(2)));
