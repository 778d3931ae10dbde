/** The statistics `pnpm bench` prints: medians and spreads of runs, and the cost per added unit of paired runs. */

/** The middle value (the mean of the two middle ones for an even count). Throws on an empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The smallest and the largest value. Throws on an empty list. */
export function spread(values: readonly number[]): { readonly min: number; readonly max: number } {
  if (values.length === 0) throw new Error('spread of no values');
  return { min: Math.min(...values), max: Math.max(...values) };
}

/** One run of the base and one of the grown input, back to back: their difference is the growth's cost. */
export interface PairedRun {
  readonly baseMs: number;
  readonly grownMs: number;
}

/**
 * The cost of each added unit (e.g. a service in an environment), one per pair: the grown run's time less the
 * base run's, over the units added. Pairing cancels what the machine's load does to both runs of a pair.
 * @param units how many units the grown input adds; more than 0.
 */
export function costPerUnit(pairs: readonly PairedRun[], units: number): number[] {
  if (!(units > 0)) throw new Error(`units must be more than 0, not ${units}`);
  return pairs.map((pair) => (pair.grownMs - pair.baseMs) / units);
}

/** `12.3 ms` under a second, `4.56 s` from a second on. */
export function formatMs(ms: number): string {
  return Math.abs(ms) >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

/** `median (min–max)` of the values, each formatted by formatMs. */
export function medianAndSpread(values: readonly number[]): string {
  const { min, max } = spread(values);
  return `${formatMs(median(values))} (${formatMs(min)}–${formatMs(max)})`;
}
