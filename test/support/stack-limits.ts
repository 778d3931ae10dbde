import { statSync } from 'node:fs';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';

/**
 * CloudFormation's per-template quotas (AWS CloudFormation User Guide, "Understand CloudFormation quotas"). The body
 * limit is that of a template read from S3: `cdk deploy` passes a TemplateURL whenever the stack's template is an
 * asset of the bootstrap bucket (DefaultStackSynthesizer, `stackTemplateAssetObjectUrl`), and the inline 51,200 bytes
 * apply only to a TemplateBody, which the CLI sends for a synthesizer without that bucket.
 */
export const CLOUDFORMATION_LIMITS = {
  resources: 500,
  outputs: 200,
  parameters: 200,
  mappings: 200,
  templateBytes: 1_048_576,
} as const;

export type LimitName = keyof typeof CLOUDFORMATION_LIMITS;

/**
 * The share of each limit a stack may use here: far enough below that the catalog's growth is never what brings a
 * stack to the limit (a per-service stack's size does not depend on the number of services).
 */
export const LIMIT_HEADROOM = 0.5;

export interface StackUsage {
  readonly stack: string;
  readonly usage: Readonly<Record<LimitName, number>>;
}

/** What each stack of the assembly uses of every limit, as CloudFormation counts it (the template as synthesized). */
export function stackUsages(assembly: CloudAssembly): StackUsage[] {
  return assembly.stacks.map((stack) => {
    const template = stack.template as Record<string, Record<string, unknown> | undefined>;
    const count = (section: string) => Object.keys(template[section] ?? {}).length;
    return {
      stack: stack.hierarchicalId,
      usage: {
        resources: count('Resources'),
        outputs: count('Outputs'),
        parameters: count('Parameters'),
        mappings: count('Mappings'),
        // What the CLI uploads: the template file as synthesized.
        templateBytes: statSync(stack.templateFullPath).size,
      },
    };
  });
}

/** One line per stack and limit where the stack uses more than `LIMIT_HEADROOM` of the limit. */
export function stackLimitProblems(assembly: CloudAssembly, headroom = LIMIT_HEADROOM): string[] {
  return stackUsages(assembly).flatMap(({ stack, usage }) =>
    (Object.keys(CLOUDFORMATION_LIMITS) as LimitName[])
      .filter((limit) => usage[limit] > CLOUDFORMATION_LIMITS[limit] * headroom)
      .map((limit) => `${stack}: ${limit} ${usage[limit]} of ${CLOUDFORMATION_LIMITS[limit]}`),
  );
}
