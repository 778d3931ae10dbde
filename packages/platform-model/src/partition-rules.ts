import { partitionOf } from './aws-facts';
import type { ModelIssue } from './model-issue';
import { type ModelParts, pick } from './model-parts';

/**
 * Every environment is in the partition of the shared services: its nodes pull images from the shared ECR
 * registry, whose repository policy grants each environment's account (`arn:<partition>:iam::<account>:root`, in
 * the registry's partition), and IAM grants nothing across partitions (aws, aws-cn, aws-us-gov are separate
 * account spaces). A model that needs a second partition needs shared services there too.
 */
export function partitionIssues(parts: ModelParts): ModelIssue[] {
  const shared = pick(parts.organization, 'sharedServices')?.sharedServices;
  if (!shared) return [];
  const partition = partitionOf(shared.region);
  return parts.environments.flatMap((part) => {
    const region = pick(part, 'region')?.region;
    if (region === undefined || partitionOf(region) === partition) return [];
    return [
      {
        path: `environments.${part.label}.region`,
        message: `${region} is in the partition ${partitionOf(region)}, the shared services (organization.sharedServices.region ${shared.region}) in ${partition}: its nodes could not pull from the shared registry, as IAM grants nothing across partitions; allowed: a region of the partition ${partition}`,
      },
    ];
  });
}
