import type { Environment } from '@platform/model';
import { Stack, Tags } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Tag keys every resource carries, for cost allocation and ownership. */
export const PLATFORM_TAG_KEYS = { environment: 'environment', owner: 'owner', costCenter: 'cost-center' } as const;

/**
 * Tags every resource below the scope and, when the scope is a stack, the stack itself: with
 * `@aws-cdk/core:explicitStackTags` a stack gets only the tags set on it, and CloudFormation
 * passes stack tags on to resources the template cannot tag (those of nested stacks, for one).
 */
export function tagResources(scope: IConstruct, environmentName: string, tags: Environment['tags']): void {
  const values = {
    [PLATFORM_TAG_KEYS.environment]: environmentName,
    [PLATFORM_TAG_KEYS.owner]: tags.owner,
    [PLATFORM_TAG_KEYS.costCenter]: tags.costCenter,
  };
  for (const [key, value] of Object.entries(values)) {
    Tags.of(scope).add(key, value);
    if (Stack.isStack(scope)) scope.tags.setTag(key, value);
  }
}
