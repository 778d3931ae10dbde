/**
 * Prints how long the platform's steps take on this machine, and the CDK app's peak memory.
 *
 *   tsx tools/bench.ts           model validation, dist/ rendering, the CDK app, the whole synth
 *   tsx tools/bench.ts --all     also a frozen-lockfile install in a fresh clone and the test suite
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { loadModel, loadPlatformModel, platformModelInput } from '@platform/model';
import { renderDist } from '../apps/cluster/src/synthesize-dist';

const ROOT = join(__dirname, '..');

interface Figure {
  readonly step: string;
  readonly runs: number;
  readonly medianMs: number;
  readonly note: string;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timeInProcess(step: string, runs: number, action: () => string): Figure {
  const times: number[] = [];
  let note = '';
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    note = action();
    times.push(performance.now() - start);
  }
  return { step, runs, medianMs: median(times), note };
}

function run(command: string, args: string[], cwd = ROOT, env: Record<string, string> = {}): number {
  const start = performance.now();
  const result = spawnSync(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
  return performance.now() - start;
}

/** The CDK app as `cdk synth` runs it (context from cdk.json), with its peak resident memory. */
function cdkApp(runs: number): Figure {
  const scratch = mkdtempSync(join(tmpdir(), 'bench-cdk-'));
  const context = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')).context;
  const times: number[] = [];
  const peaks: number[] = [];
  try {
    for (let index = 0; index < runs; index++) {
      const memoryFile = join(scratch, `peak-${index}`);
      const outdir = join(scratch, `cdk.out-${index}`);
      times.push(
        run(
          process.execPath,
          ['--require', join(__dirname, 'peak-memory-reporter.cjs'), '--import', 'tsx', 'apps/cloud/src/main.ts'],
          ROOT,
          { CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context), BENCH_PEAK_MEMORY_FILE: memoryFile },
        ),
      );
      peaks.push(Number(readFileSync(memoryFile, 'utf8')) / 1024);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return {
    step: 'CDK app synth (all stacks)',
    runs,
    medianMs: median(times),
    note: `peak RSS ${Math.round(median(peaks))} MiB`,
  };
}

function timeCommand(step: string, runs: number, command: string, args: string[], cwd = ROOT): Figure {
  const times = Array.from({ length: runs }, () => run(command, args, cwd));
  return { step, runs, medianMs: median(times), note: `${command} ${args.join(' ')}` };
}

function freshInstall(): Figure {
  const clone = mkdtempSync(join(tmpdir(), 'bench-clone-'));
  try {
    run('git', ['clone', '--quiet', ROOT, clone]);
    return timeCommand(
      'install into a fresh clone (warm pnpm store)',
      1,
      'pnpm',
      ['install', '--frozen-lockfile'],
      clone,
    );
  } finally {
    rmSync(clone, { recursive: true, force: true });
  }
}

function main(): void {
  const all = process.argv.includes('--all');
  const model = loadPlatformModel();
  const figures: Figure[] = [
    timeInProcess('model validation', 20, () => {
      loadModel(platformModelInput);
      return `${model.services.length} services, ${model.environments.length} environments`;
    }),
    timeInProcess('dist/ rendering (in process)', 5, () => `${renderDist(model).size} files`),
    cdkApp(3),
    timeCommand('pnpm synth (cdk.out/ + dist/)', 2, 'pnpm', ['run', '--silent', 'synth']),
  ];
  if (all) {
    figures.push(freshInstall());
    figures.push(timeCommand('test suite (pnpm test)', 1, 'pnpm', ['run', '--silent', 'test']));
  }
  process.stdout.write(
    `machine: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}\n`,
  );
  process.stdout.write('| step | runs | median | note |\n| --- | ---: | ---: | --- |\n');
  for (const figure of figures) {
    const seconds =
      figure.medianMs >= 1000 ? `${(figure.medianMs / 1000).toFixed(2)} s` : `${figure.medianMs.toFixed(1)} ms`;
    process.stdout.write(`| ${figure.step} | ${figure.runs} | ${seconds} | ${figure.note} |\n`);
  }
}

main();
