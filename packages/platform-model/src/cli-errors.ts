import { ModelValidationError } from './validate';

/** An error caused by the user's input, reported as a message rather than a stack trace. */
export class UserError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** A command line the command does not accept (unknown option, stray argument); exits with code 2. */
export class UsageError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Runs a command-line entry point. Mistakes in the model or other input end the process with their
 * message and exit code 1; anything else is a defect and keeps its stack trace.
 */
export function exitOnUserError(main: () => void): void {
  try {
    main();
  } catch (error) {
    if (!isUserError(error)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

export function isUserError(error: unknown): error is Error {
  return error instanceof ModelValidationError || error instanceof UserError || hasUserErrorName(error);
}

export function isUsageError(error: unknown): error is Error {
  return error instanceof UsageError || (error instanceof Error && error.name === 'UsageError');
}

// Errors thrown across package copies (e.g. by the CDK's own loader) do not pass instanceof.
function hasUserErrorName(error: unknown): error is Error {
  return error instanceof Error && (error.name === 'ModelValidationError' || error.name === 'UserError');
}
