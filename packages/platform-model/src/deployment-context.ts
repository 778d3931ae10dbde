import { type ModelIssue, ModelValidationError } from './model-issue';
import { type ModelParts, modelParts, pick } from './model-parts';
import type { Environment, PlatformModel } from './schema';

/**
 * The CDK context a deployment is synthesized with: cdk.json's (and cdk.context.json's) `context` record, as
 * `app.node.getAllContext()` returns it in the CDK app and the tools read it with `cdkCliSettings` (apps/cloud/src/cdk-cli-context.ts), as the CDK CLI gives it.
 */
export type DeploymentContext = Readonly<Record<string, unknown>>;

/** Context key that fixes "today" for the Kubernetes support warnings (ISO date); defaults to the real date. */
export const TODAY_CONTEXT_KEY = 'platform:today';

/**
 * The context key under which the CDK keeps an account/region's availability zones (aws-cdk-lib's
 * `availability-zones` context provider, cx-api `AVAILABILITY_ZONE_FALLBACK_CONTEXT_KEY` format).
 */
export function availabilityZoneContextKey(environment: Pick<Environment, 'account' | 'region'>): string {
  return `availability-zones:account=${environment.account}:region=${environment.region}`;
}

/**
 * The day the Kubernetes support warnings are judged on: the context's `platform:today`, else the real date.
 * @throws ModelValidationError when `platform:today` is set but no ISO date
 */
export function todayOfContext(context: DeploymentContext): Date {
  const problem = todayIssue(context);
  if (problem) throw new ModelValidationError([problem]);
  const value = context[TODAY_CONTEXT_KEY];
  return typeof value === 'string' ? new Date(`${value}T00:00:00Z`) : new Date();
}

function todayIssue(context: DeploymentContext): ModelIssue | undefined {
  const value = context[TODAY_CONTEXT_KEY];
  if (value === undefined) return undefined;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value))) {
    return undefined;
  }
  return {
    path: `context.${TODAY_CONTEXT_KEY}`,
    message: `${JSON.stringify(value)} is no date; allowed: an ISO date such as 2026-11-22 (or leave it out for today)`,
  };
}

/**
 * What synthesis needs from the context besides the model: synthesis looks nothing up, so each environment's
 * zones must be committed as its account/region's availability-zone context, and `platform:today`, when set,
 * must be a date. The CDK app runs this on its context; `pnpm validate` on cdk.json's.
 */
export function deploymentContextIssues(model: PlatformModel, context: DeploymentContext): ModelIssue[] {
  return contextIssuesOfParts(modelParts(model), context);
}

export function contextIssuesOfParts(parts: ModelParts, context: DeploymentContext): ModelIssue[] {
  const issues: ModelIssue[] = [];
  const today = todayIssue(context);
  if (today) issues.push(today);
  for (const part of parts.environments) {
    const environment = pick(part, 'account', 'region', 'availabilityZones');
    if (!environment) continue;
    const key = availabilityZoneContextKey(environment);
    const committed = context[key];
    const path = `environments.${part.label}.availabilityZones`;
    const where = `account ${environment.account}, ${environment.region}`;
    if (!Array.isArray(committed) || !committed.every((zone) => typeof zone === 'string')) {
      issues.push({
        path,
        message:
          `cdk.json has no availability-zone context for ${where}: add "${key}": ${JSON.stringify(environment.availabilityZones)} ` +
          `to its "context" (or run 'cdk context' with credentials for that account) and commit it`,
      });
      continue;
    }
    const missing = environment.availabilityZones.filter((zone) => !committed.includes(zone));
    if (missing.length > 0) {
      issues.push({
        path,
        message: `${missing.join(', ')} not in the committed context "${key}"; allowed: ${committed.join(', ')}`,
      });
    }
  }
  return issues;
}
