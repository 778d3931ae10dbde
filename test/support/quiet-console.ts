import { format } from 'node:util';

/** The console methods whose output means something went wrong; Jest prints each call with a stack trace. */
export const GUARDED_CONSOLE_METHODS = ['error', 'warn', 'trace'] as const;

/** Where the guard registers its check: Jest's hooks in a test run. */
export interface GuardHooks {
  readonly afterEach: (check: () => void) => void;
  readonly afterAll: (check: () => void) => void;
}

/** A console guard: what was written since the last check. */
export interface ConsoleGuard {
  /** Returns and forgets the writes so far, as `console.<method>: <text>` lines. */
  take(): string[];
}

/**
 * Makes every write to console.error, console.warn or console.trace fail the test it happens in (or, outside
 * a test, the file), with the text that was written. A test that expects such output captures it and asserts
 * on it:
 *
 *     const error = jest.spyOn(console, 'error').mockImplementation(() => {});
 *     ... // the code under test
 *     expect(error.mock.calls).toEqual([[expect.stringContaining('the warning')]]);
 *     error.mockRestore();
 *
 * A spy without `mockImplementation` calls through, so the write still fails the test.
 */
export function guardConsole(target: Console = console, hooks: GuardHooks = { afterEach, afterAll }): ConsoleGuard {
  const written: string[] = [];
  for (const method of GUARDED_CONSOLE_METHODS) {
    target[method] = (...args: unknown[]) => {
      written.push(`console.${method}: ${format(...args)}`);
    };
  }
  const guard: ConsoleGuard = { take: () => written.splice(0) };
  const check = (): void => {
    const lines = guard.take();
    if (lines.length > 0) {
      throw new Error(
        `The code under test wrote to the console; capture and assert on it with jest.spyOn(console, …).mockImplementation(), or make the code return what it reports:\n${lines.join('\n')}`,
      );
    }
  };
  hooks.afterEach(check);
  hooks.afterAll(check);
  return guard;
}

/**
 * The guard of this test file (this module is a setupFilesAfterEnv entry of jest.config.js): a passing run prints
 * nothing, and a test that expects a warning captures it and asserts on it.
 */
export const consoleGuard = guardConsole();
