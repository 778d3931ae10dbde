import { nameCollisionLines, type TemplateHistory } from './name-collisions';
import { statefulRemovalLines } from './stateful-removals';
import { statefulReplacementLines } from './stateful-replacements';

/**
 * What the next deploy of the rendered templates does to data, one line each, in this order: stateful resources that
 * leave their stack (stateful-removals.ts), those replaced in place (stateful-replacements.ts), and those added
 * under a name the account may still hold (name-collisions.ts). `pnpm synth` prints them before it replaces the
 * committed templates; a synth that touches no stateful resource prints none.
 *
 * @param before each stack's template text as committed, by path below dist/ (`cloudformation/<stack>.template.json`)
 * @param after the same for the templates just rendered; a stack missing here left the app
 * @param history the committed versions of a template, newest first (none: no line about returning resources)
 */
export function statefulChangeLines(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
  history: TemplateHistory = () => [],
): string[] {
  return [
    ...statefulRemovalLines(before, after),
    ...statefulReplacementLines(before, after),
    ...nameCollisionLines(before, after, history),
  ];
}
