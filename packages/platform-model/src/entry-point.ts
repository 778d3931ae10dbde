import { isUsageError, isUserError } from './cli-errors';
import { syntaxErrorLines } from './source-errors';

/**
 * Runs a command-line entry point that may load the model's data files. Import this module by its own
 * path (`@platform/model/entry-point`), not through the package index: the index loads the data files,
 * and a syntax error in one of them must reach the handler below rather than end the process while the
 * entry point's static imports load. So `main` imports whatever touches the model itself, with `import()`.
 *
 * Ends the process with
 * - exit code 2 and one line for a command line the command does not accept (UsageError);
 * - exit code 1 and one `file:line:column: message` line per syntax error in a source or data file;
 * - exit code 1 and the message for a mistake in the model or other input (UserError, ModelValidationError).
 * Anything else is a defect and keeps its stack trace.
 */
export function runEntryPoint(main: () => void | Promise<void>): void {
  Promise.resolve()
    .then(main)
    .catch((error: unknown) => {
      const syntaxErrors = syntaxErrorLines(error);
      if (syntaxErrors) return fail(1, syntaxErrors.join('\n'));
      if (isUsageError(error)) return fail(2, error.message);
      if (isUserError(error)) return fail(1, error.message);
      throw error;
    });
}

function fail(code: number, message: string): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = code;
}

// Entry points import these from here, not from the index, for the reason above.
export { isUsageError, isUserError, UsageError, UserError } from './cli-errors';
export { syntaxErrorLines } from './source-errors';
