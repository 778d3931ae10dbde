import type { Engine } from './engine';

/** The engines `npm run verify` runs, in this order: cheapest first, so a quick failure shows early. */
export const ENGINES: readonly Engine[] = [];
