import type { ModelIssue } from './model-issue';
import { type ModelParts, pick } from './model-parts';

/**
 * No image tag a service or release names may start with `organization.images.buildTagPrefix`: the ECR lifecycle
 * policy expires images by that prefix (image-registry.ts), so a release tag of that form could be expired while an
 * environment runs it. Paths read `services.<service>.image.tag` and `releases.<environment>.<service>.image.tag`.
 */
export function imageExpiryIssues(parts: ModelParts): ModelIssue[] {
  const prefix = pick(parts.organization, 'images')?.images.buildTagPrefix;
  if (prefix === undefined) return [];
  const message = (tag: string) =>
    `'${tag}' starts with the build-tag prefix '${prefix}' (organization.images.buildTagPrefix), whose images ECR expires; release under a tag without that prefix (e.g. a version such as '1.4.2') or a sha256 digest`;
  const issues: ModelIssue[] = [];
  for (const part of parts.services) {
    const tag = pick(part, 'image')?.image.tag;
    if (tag?.startsWith(prefix)) issues.push({ path: `services.${part.label}.image.tag`, message: message(tag) });
  }
  for (const [environment, releases] of parts.releases) {
    for (const [service, part] of releases) {
      const tag = pick(part, 'image')?.image?.tag;
      if (tag?.startsWith(prefix)) {
        issues.push({ path: `releases.${environment}.${service}.image.tag`, message: message(tag) });
      }
    }
  }
  return issues;
}
