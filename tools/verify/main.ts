/**
 * `npm run verify`: every output checked by the engine that will consume it. Each engine is built or
 * installed at its pinned version into `.tools/` (reused by the next run), first shown a broken input
 * it must reject, then run on the real outputs: dist/ and cdk.out/ as `npm run setup` leaves them.
 *
 *   tsx tools/verify/main.ts                 every engine
 *   tsx tools/verify/main.ts --only a,b      the named engines (`--help` lists them)
 *
 * Prints one line per engine with its figures and exits 1 when any engine fails.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '@platform/model';
import { runEntryPoint } from '@platform/model/entry-point';
import { helpText, parseCommandLine } from '../command-line';
import type { Engine, EngineContext, EngineResult } from './engine';
import { ENGINES } from './engines';

/** The command's name, summary and options, as `--help` prints them. */
export const VERIFY = {
  command: 'pnpm verify',
  summary: `Checks every output with the engine that consumes it: ${ENGINES.map((engine) => engine.name).join(', ')}.`,
  options: {
    only: { type: 'string', placeholder: 'ENGINES', description: 'only these engines, comma-separated' },
  },
} as const;

/** The engines the command line selects; throws UsageError for an unknown option or engine. */
function selectedEngines(args: readonly string[]): readonly Engine[] | undefined {
  const { help, values } = parseCommandLine(VERIFY, args);
  if (help) {
    process.stdout.write(helpText(VERIFY));
    return undefined;
  }
  if (values.only === undefined) return ENGINES;
  const names = values.only.split(',');
  const unknown = names.filter((name) => !ENGINES.some((engine) => engine.name === name));
  if (unknown.length > 0) {
    throw new UsageError(
      `${VERIFY.command}: --only: unknown engine(s) ${unknown.join(', ')}; allowed: ${ENGINES.map((engine) => engine.name).join(', ')}`,
    );
  }
  return ENGINES.filter((engine) => names.includes(engine.name));
}

function seconds(since: bigint): string {
  return `${(Number(process.hrtime.bigint() - since) / 1e9).toFixed(1)} s`;
}

/** The engine's self-check and run; an exception is a failure of that engine, reported with the others. */
async function verify(engine: Engine, context: EngineContext): Promise<EngineResult> {
  try {
    const rejection = await engine.selfCheck(context);
    for (const line of rejection.split('\n')) context.log(`${engine.name}: rejects a broken input: ${line}`);
  } catch (error) {
    return { engine: engine.name, ok: false, summary: 'self-check failed', failures: [String(error)] };
  }
  try {
    return await engine.run(context);
  } catch (error) {
    return { engine: engine.name, ok: false, summary: 'could not run', failures: [String(error)] };
  }
}

async function main(): Promise<void> {
  const engines = selectedEngines(process.argv.slice(2));
  if (engines === undefined) return;
  const root = join(__dirname, '..', '..');
  const toolsDirectory = join(root, '.tools');
  mkdirSync(toolsDirectory, { recursive: true });
  const context: EngineContext = { root, toolsDirectory, log: (line) => process.stderr.write(`  ${line}\n`) };
  const results: EngineResult[] = [];
  const started = process.hrtime.bigint();
  for (const engine of engines) {
    const engineStarted = process.hrtime.bigint();
    const result = await verify(engine, context);
    results.push(result);
    process.stdout.write(
      `${result.ok ? 'ok  ' : 'FAIL'} ${result.engine}: ${result.summary} (${seconds(engineStarted)})\n`,
    );
    for (const failure of result.failures) process.stdout.write(`       ${failure}\n`);
  }
  const failed = results.filter((result) => !result.ok).length;
  process.stdout.write(`verify took ${seconds(started)}\n`);
  process.stdout.write(`verify: ${results.length - failed} passed, ${failed} failed\n`);
  process.exitCode = failed > 0 ? 1 : 0;
}

runEntryPoint(main);
