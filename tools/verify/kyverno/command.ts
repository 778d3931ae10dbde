/** Runs the tools the Kyverno check needs (go, the kyverno CLI) as child processes, without a shell. */
import { spawn } from 'node:child_process';

export interface CommandResult {
  /** Exit code; null when the process was killed by a signal. */
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CommandOptions {
  readonly cwd: string;
  /** Variables set on top of this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Runs a command to its end; a non-zero exit is a result, not an error (the CLI exits 1 when a check fails). */
export function runCommand(command: string, args: readonly string[], options: CommandOptions): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => reject(new Error(`cannot run ${command}: ${error.message}`)));
    child.on('close', (status) =>
      resolve({ status, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() }),
    );
  });
}

/** The last lines of a command's output, for an error message. */
export function outputTail(result: CommandResult, characters = 3000): string {
  return `${result.stdout}${result.stderr}`.trim().slice(-characters);
}
