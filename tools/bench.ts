/**
 * Prints how long the platform's steps take on this machine, each measured as a whole process (module loading
 * included): wall time, CPU time and peak memory, as the median and the spread (smallest–largest) of the runs.
 * `pnpm bench --help` lists the options.
 *
 *   tsx tools/bench.ts                      validation, each half of pnpm synth, the whole synth
 *   tsx tools/bench.ts --all                also a frozen-lockfile install in a fresh clone and the test suite
 *   tsx tools/bench.ts --services 30,300    how each half grows with stateless services added to the shipped model
 *
 * With --services, each run is a pair: the shipped model and the grown one, back to back (in alternating order), so
 * the machine's load weighs on both alike; the cost of one added service in one environment is the pair's difference
 * over the service-environments added. The machine's load (os.loadavg) is printed with the figures.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { runEntryPoint, UsageError } from '@platform/model/entry-point';
import { costPerUnit, formatMs, median, medianAndSpread, type PairedRun } from './bench/statistics';
import { helpText, parseCommandLine } from './command-line';

const ROOT = join(__dirname, '..');

/** The command's name, summary and options, as `--help` prints them. */
export const BENCH = {
  command: 'pnpm bench',
  summary:
    'Times validation, each half of pnpm synth and the whole synth as processes (wall, CPU, peak memory),\n' +
    'printing the median and the spread of the runs; --services measures how the halves grow with services.',
  options: {
    runs: { type: 'string', placeholder: 'N', description: 'runs of each step, or pairs with --services (default 3)' },
    services: {
      type: 'string',
      placeholder: 'COUNTS',
      description: 'comma-separated numbers of stateless services to add to the shipped model, e.g. 30,300',
    },
    half: {
      type: 'string',
      placeholder: 'HALF',
      description: 'with --services, only this half: kubernetes or cloud (default both)',
    },
    all: { type: 'boolean', description: 'also a frozen-lockfile install in a fresh clone and the test suite' },
  },
} as const;

export const HALVES = ['kubernetes', 'cloud'] as const;
export type Half = (typeof HALVES)[number];

export interface BenchOptions {
  readonly runs: number;
  /** Services to add, each count a measurement of its own; empty for the ordinary figures. */
  readonly services: readonly number[];
  readonly halves: readonly Half[];
  readonly all: boolean;
}

const MAX_RUNS = 100;
const MAX_SERVICES = 2000;

/** The options of a command line (as after `pnpm bench`); a UsageError names what it refuses and what is allowed. */
export function benchOptions(args: readonly string[]): BenchOptions | 'help' {
  const { help, values } = parseCommandLine(BENCH, args);
  if (help) return 'help';
  const refuse = (problem: string): never => {
    throw new UsageError(`${BENCH.command}: ${problem}`);
  };
  const whole = (text: string, what: string, max: number): number => {
    if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) {
      refuse(`${what} '${text}' is not a whole number from 1 to ${max}`);
    }
    return Number(text);
  };
  const runs = values.runs === undefined ? 3 : whole(values.runs, '--runs', MAX_RUNS);
  const services =
    values.services === undefined
      ? []
      : values.services.split(',').map((count) => whole(count.trim(), '--services count', MAX_SERVICES));
  if (new Set(services).size !== services.length) refuse(`--services ${values.services} names a count twice`);
  if (values.half !== undefined && !HALVES.includes(values.half as Half)) {
    refuse(`--half ${values.half}: allowed: ${HALVES.join(', ')}`);
  }
  if (values.half !== undefined && services.length === 0) refuse('--half needs --services');
  if (values.all && services.length > 0) refuse('--all and --services measure different things; give one');
  return {
    runs,
    services,
    halves: values.half === undefined ? HALVES : [values.half as Half],
    all: values.all === true,
  };
}

/** What one process used: wall time, CPU time (user and system) and peak resident memory; and what it printed. */
interface ProcessRun {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly peakMiB: number;
  readonly stdout: string;
}

/** Runs a command to its end as a measured process; the preloaded reporter writes the process's own usage. */
function measure(command: string, args: readonly string[], cwd = ROOT): ProcessRun {
  const scratch = mkdtempSync(join(tmpdir(), 'bench-usage-'));
  const usageFile = join(scratch, 'usage.json');
  try {
    const start = performance.now();
    const result = spawnSync(command, args, {
      cwd,
      env: {
        ...process.env,
        // Every node process of the command (pnpm, tsx, the script) reports its own usage.
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${join(__dirname, 'bench', 'process-usage.cjs')}`,
        BENCH_USAGE_FILE: usageFile,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 2 ** 20,
    });
    const wallMs = performance.now() - start;
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
    const usages = readFileSync(usageFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { cpuMs: number; maxRssKiB: number });
    return {
      wallMs,
      // The command's CPU time is its processes' together; its memory, the largest process's peak.
      cpuMs: usages.reduce((sum, usage) => sum + usage.cpuMs, 0),
      peakMiB: Math.max(...usages.map((usage) => usage.maxRssKiB)) / 1024,
      stdout: String(result.stdout),
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** A half of `pnpm synth` on a model file, into a scratch folder removed afterwards. */
function measureHalf(half: Half, modelFile: string): ProcessRun {
  const outdir = mkdtempSync(join(tmpdir(), `bench-${half}-`));
  try {
    return measure(process.execPath, [
      '--import',
      'tsx',
      join(__dirname, 'bench', 'measured-half.ts'),
      half,
      modelFile,
      outdir,
    ]);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

interface Step {
  readonly name: string;
  readonly run: () => ProcessRun;
}

function stepRow(name: string, runs: readonly ProcessRun[]): string {
  const of = (pick: (run: ProcessRun) => number) => medianAndSpread(runs.map(pick));
  const peak = Math.round(median(runs.map((run) => run.peakMiB)));
  return `| ${name} | ${runs.length} | ${of((run) => run.wallMs)} | ${of((run) => run.cpuMs)} | ${peak} MiB |`;
}

function ordinaryFigures(options: BenchOptions, modelFile: string): string[] {
  const pnpm =
    (args: string[], cwd = ROOT) =>
    () =>
      measure('pnpm', args, cwd);
  const steps: Step[] = [
    { name: 'model validation (pnpm validate)', run: pnpm(['run', '--silent', 'validate']) },
    { name: 'Kubernetes half (validate, render, write dist/)', run: () => measureHalf('kubernetes', modelFile) },
    { name: 'CDK half (validate, synthesize every stack)', run: () => measureHalf('cloud', modelFile) },
    { name: 'pnpm synth (cdk.out/ + dist/)', run: pnpm(['run', '--silent', 'synth']) },
  ];
  // Round by round, every step once, so a change of the machine's load weighs on all steps alike.
  const runs = steps.map((): ProcessRun[] => []);
  for (let round = 0; round < options.runs; round++) {
    for (const [index, step] of steps.entries()) runs[index].push(step.run());
  }
  const rows = steps.map((step, index) => stepRow(step.name, runs[index]));
  if (options.all) {
    const clone = mkdtempSync(join(tmpdir(), 'bench-clone-'));
    try {
      measure('git', ['clone', '--quiet', ROOT, clone]);
      rows.push(
        stepRow('install into a fresh clone (warm pnpm store)', [
          measure('pnpm', ['install', '--frozen-lockfile'], clone),
        ]),
      );
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
    rows.push(stepRow('test suite (pnpm test)', [measure('pnpm', ['run', '--silent', 'test'])]));
  }
  return [
    '| step | runs | wall: median (min–max) | CPU: median (min–max) | peak RSS |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows,
  ];
}

/** A grown model's measurement: the pairs of runs, and the service-environments it adds. */
interface Growth {
  readonly half: Half;
  readonly services: number;
  readonly serviceEnvironments: number;
  readonly base: ProcessRun[];
  readonly grown: ProcessRun[];
  /** Why a run failed (see failureLine): the model is then reported, not measured. */
  failure?: string;
}

function pairs(growth: Growth, pick: (run: ProcessRun) => number): PairedRun[] {
  return growth.base.map((base, index) => ({ baseMs: pick(base), grownMs: pick(growth.grown[index]) }));
}

/** The phases a measured half reports (wall ms inside the process, modules loaded), by name. */
function phasesOf(run: ProcessRun): Record<string, number> {
  return (JSON.parse(run.stdout) as { phases: Record<string, number> }).phases;
}

function growthRow(growth: Growth): string {
  if (growth.failure !== undefined) {
    return `| ${growth.half} | +${growth.services} (${growth.serviceEnvironments}) | – | failed: ${growth.failure} | | | | |`;
  }
  const perUnit = (pick: (run: ProcessRun) => number) =>
    medianAndSpread(costPerUnit(pairs(growth, pick), growth.serviceEnvironments));
  const phases = Object.keys(phasesOf(growth.base[0]))
    .map((phase) => `${phase} ${perUnit((run) => phasesOf(run)[phase])}`)
    .join('; ');
  const wall = (runs: ProcessRun[]) => formatMs(median(runs.map((run) => run.wallMs)));
  const peak = Math.round(median(growth.grown.map((run) => run.peakMiB)));
  return `| ${growth.half} | +${growth.services} (${growth.serviceEnvironments}) | ${growth.base.length} | ${perUnit((run) => run.wallMs)} | ${perUnit((run) => run.cpuMs)} | ${phases} | ${wall(growth.base)} → ${wall(growth.grown)} | ${peak} MiB |`;
}

/** Each stack's resources in the grown model's synthesis (the last run's), the largest first. */
function stackLines(growth: Growth): string[] {
  const { resources } = JSON.parse(growth.grown[growth.grown.length - 1].stdout) as {
    resources: Record<string, number>;
  };
  const stacks = Object.entries(resources).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
  const [largest] = stacks;
  return [
    `+${growth.services} services: ${stacks.length} stacks; largest ${largest[0]} with ${largest[1]} resources (CloudFormation allows 500)`,
    `  ${stacks.map(([stack, count]) => `${stack} ${count}`).join(', ')}`,
  ];
}

async function scaleFigures(options: BenchOptions, scratch: string): Promise<string[]> {
  const { loadModel, servicesIn } = await import('@platform/model');
  const { cdkCliSettings } = await import('../apps/cloud/src/cdk-cli-context.ts');
  const { addStatelessServices, draftModel } = await import('../test/model/support/drafts.ts');
  const { context } = cdkCliSettings(ROOT);
  const serviceEnvironments = (input: unknown) => {
    const model = loadModel(input, context);
    return model.environments.reduce((sum, environment) => sum + servicesIn(model, environment.name).length, 0);
  };
  const baseFile = join(scratch, 'model-base.json');
  writeFileSync(baseFile, JSON.stringify(draftModel()));
  const baseCount = serviceEnvironments(draftModel());
  const growths: Growth[] = [];
  for (const services of options.services) {
    const grownInput = addStatelessServices(draftModel(), services, 'bench');
    const grownFile = join(scratch, `model-${services}.json`);
    writeFileSync(grownFile, JSON.stringify(grownInput));
    for (const half of options.halves) {
      const growth: Growth = {
        half,
        services,
        serviceEnvironments: serviceEnvironments(grownInput) - baseCount,
        base: [],
        grown: [],
      };
      try {
        for (let pair = 0; pair < options.runs; pair++) {
          // Alternating order: neither side always runs first (warmer file cache, a load that rises during the pair).
          if (pair % 2 === 0) {
            growth.base.push(measureHalf(half, baseFile));
            growth.grown.push(measureHalf(half, grownFile));
          } else {
            growth.grown.push(measureHalf(half, grownFile));
            growth.base.push(measureHalf(half, baseFile));
          }
        }
      } catch (error) {
        growth.failure = failureLine((error as Error).message);
      }
      growths.push(growth);
      process.stderr.write(`measured ${half} +${services}\n`);
    }
  }
  return [
    '| half | services added (service-environments) | pairs | process wall per service-environment: median (min–max) | process CPU per service-environment | its phases (wall) per service-environment | process wall: base → grown | peak RSS grown |',
    '| --- | --- | ---: | ---: | ---: | --- | ---: | ---: |',
    ...growths.map(growthRow),
    '',
    ...growths.filter((growth) => growth.half === 'cloud' && growth.failure === undefined).flatMap(stackLines),
  ];
}

/**
 * The line that says why a measured command failed: the first line of its error output that is not where node
 * shows an uncaught error was thrown (a source location, the source line, its caret), cut at 300 characters.
 */
export function failureLine(output: string): string {
  const lines = output
    .split('\n')
    .slice(1)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^(node:|\/|at |\^|throw |triggerUncaughtException|Node\.js v)/.test(line));
  return (lines[0] ?? 'no error output').slice(0, 300);
}

function load(): string {
  return loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');
}

async function main(args: readonly string[]): Promise<void> {
  const options = benchOptions(args);
  if (options === 'help') {
    process.stdout.write(helpText(BENCH));
    return;
  }
  const scratch = mkdtempSync(join(tmpdir(), 'bench-models-'));
  try {
    const loadBefore = load();
    let lines: string[];
    if (options.services.length > 0) {
      lines = await scaleFigures(options, scratch);
    } else {
      const { platformModelInput } = await import('@platform/model');
      const modelFile = join(scratch, 'model.json');
      writeFileSync(modelFile, JSON.stringify(platformModelInput));
      lines = ordinaryFigures(options, modelFile);
    }
    process.stdout.write(
      `machine: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; ` +
        `load average (1, 5, 15 min) before ${loadBefore}, after ${load()}\n`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

// Run as a script (`pnpm bench`), not when a test imports the command.
if (require.main === module) runEntryPoint(() => main(process.argv.slice(2)));
