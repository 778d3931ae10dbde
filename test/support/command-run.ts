import { spawn, spawnSync } from 'node:child_process';
import { runEntryPoint } from '@platform/model/entry-point';

/** What a command did, as its user sees it: exit code (0 when it succeeded), stdout and stderr. */
export interface CommandResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a repository script (`tools/synth.ts`, an app's main.ts) as its user does, in a child process with tsx, in
 * `root`. For what only a real process shows: that the script wires its command into runEntryPoint (exit code,
 * one stderr line), and how tsx's loader reports a broken source file. It costs a Node start and tsx's loading,
 * so the rest is checked with runCommand.
 */
export function spawnScript(
  root: string,
  script: string,
  args: readonly string[] = [],
  env: Record<string, string> = {},
): CommandResult {
  const result = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', ...env },
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** As spawnScript, without blocking: scripts started together run side by side. */
export function spawnScriptAsync(
  root: string,
  script: string,
  args: readonly string[] = [],
  env: Record<string, string> = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status: status ?? -1, stdout, stderr }));
  });
}

/**
 * Runs a command function in this process (e.g. tools/synth.ts `synth`) through the same runEntryPoint its script
 * calls, capturing stdout and stderr and the exit code runEntryPoint sets; process.exitCode is restored. An error
 * runEntryPoint does not report (a defect) rejects, with its stack.
 */
export async function runCommand(command: () => Promise<void>): Promise<CommandResult> {
  const out: string[] = [];
  const err: string[] = [];
  const capture = (into: string[]) => (chunk: string | Uint8Array) => {
    into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(capture(out));
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(capture(err));
  const exitCode = process.exitCode;
  process.exitCode = undefined;
  try {
    let outcome: unknown;
    let done = false;
    // runEntryPoint keeps no handle on its promise: it reports the command's error in a reaction to it, so its
    // report is written once the command has settled and the pending reactions have run (before the next macrotask).
    runEntryPoint(async () => {
      try {
        await command();
      } catch (error) {
        outcome = error;
        throw error;
      } finally {
        done = true;
      }
    });
    while (!done) await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    const status = Number(process.exitCode ?? 0);
    if (outcome !== undefined && status === 0) throw outcome;
    return { status, stdout: out.join(''), stderr: err.join('') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
    process.exitCode = exitCode;
  }
}
