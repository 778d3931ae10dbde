import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineContext } from './engine';
import { runOrThrow } from './process-output';

/** A command-line tool from PyPI at a pinned version, in a virtual environment of its own. */
export interface PythonTool {
  /** PyPI project name, e.g. `cfn-lint`. */
  readonly project: string;
  /** Exact version, e.g. `1.58.0`. */
  readonly version: string;
  /** The console script the project installs, e.g. `cfn-lint`. */
  readonly command: string;
}

/**
 * Path of the tool's console script in `.tools/python/<project>-<version>/`, installed with pip on first
 * use. A marker file is written last, so an interrupted install is redone rather than half reused.
 */
export async function pythonTool(context: EngineContext, tool: PythonTool): Promise<string> {
  const venv = join(context.toolsDirectory, 'python', `${tool.project}-${tool.version}`);
  const command = join(venv, 'bin', tool.command);
  const marker = join(venv, '.installed');
  if (existsSync(marker) && existsSync(command)) return command;

  const started = Date.now();
  context.log(`${tool.project}: installing ${tool.project}==${tool.version} from PyPI (first run only)`);
  rmSync(venv, { recursive: true, force: true });
  mkdirSync(join(context.toolsDirectory, 'python'), { recursive: true });
  await runOrThrow('python3', ['-m', 'venv', venv]);
  await runOrThrow(join(venv, 'bin', 'pip'), [
    'install',
    '--quiet',
    '--disable-pip-version-check',
    '--no-input',
    `${tool.project}==${tool.version}`,
  ]);
  if (!existsSync(command)) throw new Error(`${tool.project} ${tool.version} installed no ${tool.command} command`);
  writeFileSync(marker, `${tool.project}==${tool.version}\n`);
  context.log(`${tool.project}: installed in ${Math.round((Date.now() - started) / 1000)} s`);
  return command;
}

/**
 * Runs `use` with an environment whose HOME is a new empty folder, removed after: cfn-lint reads
 * `~/.cfnlintrc*` and checkov `~/.checkov.y*ml` (cfnlint/config.py, checkov/common/util/config_utils.py),
 * so a file of the user running the check would otherwise change what it checks.
 */
export async function withFreshHome<T>(use: (env: Readonly<Record<string, string>>) => Promise<T>): Promise<T> {
  const home = mkdtempSync(join(tmpdir(), 'verify-home-'));
  try {
    return await use({ HOME: home });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
