import { spawn } from 'node:child_process';

/** How a finished process ended and what it printed. */
export interface ProcessOutput {
  /** Exit code; null when a signal ended it. */
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd?: string;
  /** Added to (and overriding) the environment of this process. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Runs a program without a shell and collects its output. Asynchronous, so `npm run verify` can run
 * engines side by side; a program that cannot be started rejects (a missing engine is never a pass).
 */
export function runProcess(command: string, args: readonly string[], options: RunOptions = {}): Promise<ProcessOutput> {
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
    child.on('error', reject);
    child.on('close', (status) =>
      resolve({
        status,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      }),
    );
  });
}

/** Runs a program and rejects, with its output, unless it exits 0. */
export async function runOrThrow(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<ProcessOutput> {
  const output = await runProcess(command, args, options);
  if (output.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited with ${output.status}:\n${lastLines(`${output.stdout}${output.stderr}`, 40)}`,
    );
  }
  return output;
}

/** The last lines of a text, for error messages that stay readable. */
export function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}
