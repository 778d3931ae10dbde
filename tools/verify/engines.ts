import { actionlintEngine } from './actionlint';
import { apiServerEngine } from './apiserver';
import { cfnLintEngine } from './cfn-lint';
import { checkovEngine } from './checkov';
import type { Engine } from './engine';
import { kyvernoEngine } from './kyverno';
import { promtoolEngine } from './promtool';

/** The engines `npm run verify` runs, in this order: cheapest first, so a quick failure shows early. */
export const ENGINES: readonly Engine[] = [
  actionlintEngine,
  promtoolEngine,
  cfnLintEngine,
  checkovEngine,
  kyvernoEngine,
  apiServerEngine,
];
