/**
 * How the property suites run: a fixed seed and a few small models in the ordinary `jest` run, or many full-size
 * models with a fresh seed in the nightly run (`pnpm test:properties`). Environment variables:
 *
 *   PROPERTY_PROFILE  `quick` (default) or `nightly`
 *   PROPERTY_RUNS     models per property (overrides the profile's count)
 *   PROPERTY_SEED     seed (quick: fixed; nightly: a new one each run, printed on failure)
 *   PROPERTY_PATH     with PROPERTY_SEED, replays exactly the failing model a report names
 *   PROPERTY_MAX_SERVICES, PROPERTY_MAX_ENVIRONMENTS   caps on the models' size (quick: small; nightly: 40 and 4)
 *
 * A failing property throws with the seed, the replay command and the shrunk model, which is also written as JSON
 * to `.property-failures/<property>.json` for `pnpm validate --model` and `pnpm synth --model`, beside the
 * availability-zone context of its accounts (`<property>.cdk.context.json`, to copy to cdk.context.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlatformModel } from '@platform/model';
import fc from 'fast-check';
import { type ModelSize, platformModelArbitrary } from '../../support/model-arbitrary';

/** The ordinary run's seed: fixed, so `jest` sees the same models every time. */
export const QUICK_SEED = 20261122;

export const FAILURE_DIRECTORY = join(__dirname, '..', '..', '..', '.property-failures');

type Profile = 'quick' | 'nightly';

export interface PropertyBudget {
  /** Models per property in the ordinary run. */
  readonly quickRuns: number;
  /** The ordinary run's cap on the model's size (the nightly run draws full-size models). */
  readonly quickSize: ModelSize;
  /** Models per property in the nightly run. */
  readonly nightlyRuns: number;
  /** Generous upper bound of the time one model takes on a busy machine (ms), for jest's timeout; never a verdict. */
  readonly perModelMs: number;
}

export interface PropertyRun {
  readonly seed: number;
  readonly numRuns: number;
  readonly path?: string;
  readonly size?: ModelSize;
  /** jest's timeout for the test: every model, plus shrinking. */
  readonly timeoutMs: number;
  /** The models' share of `timeoutMs`: their number times `perModelMs`. */
  readonly generationMs: number;
  /** Shrinking stops after this long; the smallest failing model found so far is reported. */
  readonly shrinkMs: number;
  readonly profile: Profile;
}

function profile(): Profile {
  const value = process.env.PROPERTY_PROFILE ?? 'quick';
  if (value !== 'quick' && value !== 'nightly')
    throw new Error(`PROPERTY_PROFILE must be quick or nightly, not ${value}`);
  return value;
}

function integerVariable(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  if (!/^\d+$/.test(text)) throw new Error(`${name} must be a whole number, not ${text}`);
  return Number(text);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The run of one property under the current profile and variables. */
export function propertyRun(budget: PropertyBudget): PropertyRun {
  const nightly = profile() === 'nightly';
  const numRuns = integerVariable('PROPERTY_RUNS') ?? (nightly ? budget.nightlyRuns : budget.quickRuns);
  const seed = integerVariable('PROPERTY_SEED') ?? (nightly ? Date.now() % 2 ** 31 : QUICK_SEED);
  // Shrinking re-renders the model for every attempt: it stops after a minute (quick) or five (nightly).
  const shrinkMs = nightly ? 300_000 : 60_000;
  const generationMs = numRuns * budget.perModelMs;
  return {
    profile: nightly ? 'nightly' : 'quick',
    seed,
    numRuns,
    path: process.env.PROPERTY_PATH || undefined,
    size: {
      ...(nightly ? {} : budget.quickSize),
      ...definedOnly({
        maxServices: integerVariable('PROPERTY_MAX_SERVICES'),
        maxEnvironments: integerVariable('PROPERTY_MAX_ENVIRONMENTS'),
      }),
    },
    generationMs,
    shrinkMs,
    timeoutMs: generationMs + shrinkMs + 60_000,
  };
}

/**
 * Checks `check` on generated models; `check` throws (or fails an expect) when the model breaks the property.
 * On failure, throws an error with the seed, the replay command and the smallest failing model as JSON.
 */
export function assertForAllModels(name: string, run: PropertyRun, check: (model: PlatformModel) => void): void {
  const started = Date.now();
  const property = fc.property(platformModelArbitrary(run.size), (model) => {
    check(model);
  });
  // Every seeded model is checked, however slow the machine: no clock takes part in the verdict.
  const found = fc.check<[PlatformModel]>(property, {
    seed: run.seed,
    numRuns: run.numRuns,
    ...(run.path ? { path: run.path } : {}),
    endOnFailure: true,
  });
  if (!found.failed) return;
  // Shrinking re-renders a model per attempt, so it alone has a time limit: it replays the failure and reports
  // the smallest one it reached by then.
  const shrunk =
    found.counterexamplePath === null
      ? found
      : fc.check<[PlatformModel]>(property, {
          seed: found.seed,
          path: found.counterexamplePath,
          plugins: [fc.interruptAfterTimeLimit(run.shrinkMs)],
        });
  const details = shrunk.failed && shrunk.counterexample !== null ? shrunk : found;
  const model = details.counterexample?.[0];
  if (model === undefined) throw new Error(`Property '${name}' failed without a counterexample (seed ${found.seed})`);
  const base = join(FAILURE_DIRECTORY, name.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase());
  const [file, contextFile] = [`${base}.json`, `${base}.cdk.context.json`];
  mkdirSync(FAILURE_DIRECTORY, { recursive: true });
  writeFileSync(file, `${JSON.stringify(model, null, 2)}\n`);
  // The generated accounts' zones, which cdk.json does not hold: as cdk.context.json, validate and synth read them.
  writeFileSync(contextFile, `${JSON.stringify(availabilityZoneContext(model), null, 2)}\n`);
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  throw new Error(
    [
      `Property '${name}' fails after ${found.numRuns} model(s), ${details.numShrinks} shrink(s), ${Math.round((Date.now() - started) / 1000)} s.`,
      `Replay: PROPERTY_PROFILE=${run.profile} PROPERTY_SEED=${details.seed} PROPERTY_PATH=${details.counterexamplePath} npx jest test/properties -t '${name}'`,
      `The failing model is in ${file}; to check it: cp ${contextFile} cdk.context.json && pnpm validate --model ${file}`,
      JSON.stringify(model),
      '',
      error,
    ].join('\n'),
  );
}

/** The availability zones of each generated account and region, as cdk.json (or cdk.context.json) would hold them. */
export function availabilityZoneContext(model: PlatformModel): Record<string, string[]> {
  return Object.fromEntries(
    model.environments.map((e) => [`availability-zones:account=${e.account}:region=${e.region}`, e.availabilityZones]),
  );
}
