import type { Environment } from '@platform/model';
import { Tags } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Tag keys every resource carries, for cost allocation and ownership. */
export const PLATFORM_TAG_KEYS = { environment: 'environment', owner: 'owner', costCenter: 'cost-center' } as const;

export function tagResources(scope: IConstruct, environmentName: string, tags: Environment['tags']): void {
  Tags.of(scope).add(PLATFORM_TAG_KEYS.environment, environmentName);
  Tags.of(scope).add(PLATFORM_TAG_KEYS.owner, tags.owner);
  Tags.of(scope).add(PLATFORM_TAG_KEYS.costCenter, tags.costCenter);
}
