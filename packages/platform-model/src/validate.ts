import type { z } from 'zod';
import { accessIssues } from './access-rules';
import { alarmIssues } from './alarm-rules';
import { alertingIssues } from './alerting-rules';
import { arnIssues } from './arn-rules';
import { clusterIssues } from './cluster-rules';
import { dataStoreIssues } from './data-store-rules';
import { gitopsTargetRevision } from './delivery';
import { deliveryIssues } from './delivery-rules';
import { contextIssuesOfParts, type DeploymentContext } from './deployment-context';
import { environmentFolder } from './dist-layout';
import { dnsIssues } from './dns-rules';
import { edgeIssues } from './edge-rules';
import { gitopsIssues } from './gitops-rules';
import { imageExpiryIssues } from './image-expiry-rules';
import { type ModelIssue, ModelValidationError } from './model-issue';
import { isRecord, type ModelParts, modelParts, type Part } from './model-parts';
import { nameIssues, reservedNameIssues } from './name-rules';
import { networkIssues } from './network-rules';
import { observabilityIssues } from './observability-rules';
import { partitionIssues } from './partition-rules';
import { quotaIssues } from './quota-rules';
import { releaseIssues } from './release-rules';
import { type PlatformModel, PlatformModelSchema } from './schema';
import { serviceIssues } from './service-rules';
import { sloIssues } from './slo-rules';
import { stackIdIssues } from './stack-rules';
import { teamIssues } from './team-rules';

export { formatIssues, type ModelIssue, ModelValidationError } from './model-issue';

/**
 * The one validator. Every entry point runs it: `pnpm validate`, `pnpm synth` and `synth:check`, the CDK app and
 * the cdk8s app. The schema checks each field's form; the rules (one file per concern, beside this one) check
 * what spans fields, entries and engines. Given the deployment context (cdk.json's `context`), it also checks
 * what synthesis reads from there.
 */

/** Checks the model (and the context, when given) and returns it typed, or throws one error listing every problem. */
export function loadModel(input: unknown, context?: DeploymentContext): PlatformModel {
  const result = validateModel(input, context);
  if (result.issues.length > 0) throw new ModelValidationError(result.issues);
  return result.model as PlatformModel;
}

/**
 * Every problem of the model at once: shape errors, and the rules over every well-formed field, so a malformed
 * field of an entry hides no problem of its other fields.
 */
export function validateModel(
  input: unknown,
  context?: DeploymentContext,
): { model?: PlatformModel; issues: ModelIssue[] } {
  const parsed = PlatformModelSchema.safeParse(input);
  const parts = modelParts(input);
  const issues = [
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => fromZodIssue(issue, input))),
    ...MODEL_RULES.flatMap((rule) => rule(parts)),
    ...(context ? contextIssuesOfParts(parts, context) : []),
  ];
  return parsed.success && issues.length === 0 ? { model: withGitopsPaths(parsed.data), issues } : { issues };
}

/**
 * The parsed model with each environment's `gitops.path` filled in (the folder synth writes it to, which a given
 * path must equal), and its `gitops.targetRevision` where the model gives none (delivery.ts `gitopsTargetRevision`;
 * a given one is checked by gitops-rules.ts). For a model the schema parsed without the rules, e.g. to test the
 * constructs.
 */
export function withGitopsPaths(parsed: z.infer<typeof PlatformModelSchema>): PlatformModel {
  return {
    ...parsed,
    environments: parsed.environments.map((environment, index) => ({
      ...environment,
      gitops: {
        ...environment.gitops,
        targetRevision:
          environment.gitops.targetRevision ?? gitopsTargetRevision(parsed.organization, environment.name, index),
        path: environmentFolder(environment.name),
      },
    })),
  };
}

/** The rules across fields, each over the well-formed parts of the model. */
const MODEL_RULES: readonly ((parts: ModelParts) => ModelIssue[])[] = [
  duplicateNameIssues,
  teamIssues,
  serviceIssues,
  releaseIssues,
  imageExpiryIssues,
  sloIssues,
  quotaIssues,
  edgeIssues,
  dnsIssues,
  networkIssues,
  clusterIssues,
  arnIssues,
  accessIssues,
  partitionIssues,
  dataStoreIssues,
  nameIssues,
  reservedNameIssues,
  stackIdIssues,
  gitopsIssues,
  alertingIssues,
  alarmIssues,
  deliveryIssues,
  observabilityIssues,
];

function duplicateNameIssues(parts: ModelParts): ModelIssue[] {
  const lists = {
    environments: parts.environments,
    teams: parts.teams,
    services: parts.services,
    queues: parts.queues,
  } satisfies Record<string, readonly Part<{ name: string }>[]>;
  return Object.entries(lists).flatMap(([list, items]) => {
    const seen = new Set<string>();
    const issues: ModelIssue[] = [];
    for (const { label, wellFormed } of items) {
      if (!wellFormed.has('name')) continue;
      if (seen.has(label))
        issues.push({ path: `${list}.${label}.name`, message: `'${label}' is defined more than once` });
      seen.add(label);
    }
    return issues;
  });
}

/** Names a list element by its `name` where it has one, so paths read `services.user-service.port`. */
function fromZodIssue(issue: z.core.$ZodIssue, input: unknown): ModelIssue {
  const segments: string[] = [];
  let node: unknown = input;
  for (const key of issue.path) {
    const child = isRecord(node) || Array.isArray(node) ? (node as Record<PropertyKey, unknown>)[key] : undefined;
    const name = typeof key === 'number' && isRecord(child) && typeof child.name === 'string' ? child.name : undefined;
    segments.push(name ?? String(key));
    node = child;
  }
  const message = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message;
  return { path: segments.join('.') || '(model)', message };
}
