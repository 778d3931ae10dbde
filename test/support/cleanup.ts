import { guardConsole } from './quiet-console';
import { removeTempDirs } from './temp-dirs';

// Synthesized assemblies are large; no test file may leave one behind in /tmp.
afterAll(removeTempDirs);

/** A passing run prints nothing: a test that expects a warning captures it and asserts on it. */
export const consoleGuard = guardConsole();
