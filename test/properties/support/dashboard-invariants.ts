/**
 * The Grafana dashboards of a generated model's rendering: in every environment, the checks of
 * test/guardrails/support/dashboard-checks.ts (one dashboard per service and the overview, SLO panels that match the
 * model and the alert rules, only series that exist, sizes a client-side apply records), and every panel query
 * parsed by promtool, one run for all environments.
 */
import { modelIn, type PlatformModel } from '@platform/model';
import { type DistObject, queriesAsRuleGroup } from '../../../tools/verify/dashboard-queries';
import { dashboardProblems, environmentQueries } from '../../guardrails/support/dashboard-checks';
import { checkRuleFiles } from '../../guardrails/support/promtool';
import type { RenderedDist } from './kubernetes-invariants';

export function dashboardInvariantProblems(model: PlatformModel, dist: RenderedDist): string[] {
  const problems: string[] = [];
  const files: Record<string, { groups: ReturnType<typeof queriesAsRuleGroup>[] }> = {};
  for (const { name } of model.environments) {
    const objects = dist.objects.filter((file) => file.environment === name).map((file) => file.object as DistObject);
    const found: Record<string, string[]> = { ...dashboardProblems(modelIn(model, name), name, objects) };
    for (const [concern, list] of Object.entries(found)) {
      problems.push(...list.map((problem) => `${concern}: ${problem}`));
    }
    files[`${name}.yaml`] = { groups: [queriesAsRuleGroup(name, environmentQueries(objects))] };
  }
  const run = checkRuleFiles(files);
  for (const [file, content] of Object.entries(files)) {
    const parsed = run.files.get(file)?.rulesFound;
    if (parsed !== content.groups[0].rules.length) {
      const findings = run.output.split('\n').filter((line) => line.startsWith(`${file}:`));
      problems.push(
        `promtool: ${file} parsed ${parsed ?? 0} of ${content.groups[0].rules.length} queries ${findings.join('; ')}`,
      );
    }
  }
  return problems;
}
