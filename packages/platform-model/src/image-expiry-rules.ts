import { imageTagOf, imageTagProblem, parseImageReference } from './image-reference';
import type { ModelIssue } from './model-issue';
import { type ModelParts, pick } from './model-parts';

/**
 * Whether the ECR tag pattern (`*` for any characters, possibly none) matches the tag: ECR matches a tagPatternList
 * entry against the whole tag (Amazon ECR User Guide, "Lifecycle policy properties").
 */
export function tagMatchesPattern(tag: string, pattern: string): boolean {
  const expression = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${expression}$`, 's').test(tag);
}

/**
 * Why a release tag pattern could select a CI build tag (`<prefix>…`), or undefined when none it matches starts
 * with the prefix as far as the pattern alone decides. The characters before the first `*` are what every tag it
 * matches starts with: when they are a prefix of the build-tag prefix or start with it, build tags match; a
 * pattern of `*` only matches every tag. A pattern that starts with `*` and holds other characters (`*.*.*`)
 * matches only the build tags that hold them too: CI's build tags must not (docs/model.md).
 */
export function buildTagCollision(pattern: string, prefix: string): string | undefined {
  if (/^\*+$/.test(pattern)) return 'matches every tag, build tags included';
  const head = pattern.split('*')[0];
  if (head !== '' && (head.startsWith(prefix) || (pattern.includes('*') && prefix.startsWith(head)))) {
    return `matches build tags such as '${prefix}…'`;
  }
  return undefined;
}

/**
 * ECR's lifecycle policy (image-registry.ts) expires images by `organization.images.buildTagPrefix` and keeps every
 * image with a tag matching `organization.images.releaseTagPatterns`, so:
 * - no image tag a service or release names may start with the build-tag prefix (it could expire while it runs);
 * - every such tag must match a release pattern (so it never expires after a promotion moves past it: a rollback
 *   must still find it);
 * - no release pattern may match build tags (`buildTagCollision`): CI's builds would never expire;
 * - a tag pinned to a digest (`<tag>@sha256:…`) is pinned to the same digest wherever a service's references pin it.
 * Paths read `services.<service>.image.tag`, `releases.<environment>.<service>.image.tag` and
 * `organization.images.releaseTagPatterns.<index>`. A reference pinned by digest (`<tag>@sha256:…`) is checked by its
 * tag, which is what the rules keep.
 */
export function imageExpiryIssues(parts: ModelParts): ModelIssue[] {
  const images = pick(parts.organization, 'images')?.images;
  if (images === undefined) return [];
  const { buildTagPrefix: prefix, releaseTagPatterns: patterns } = images;
  const issues: ModelIssue[] = patterns.flatMap((pattern, index) => {
    const collision = buildTagCollision(pattern, prefix);
    return collision === undefined
      ? []
      : [
          {
            path: `organization.images.releaseTagPatterns.${index}`,
            message: `'${pattern}' ${collision} (organization.images.buildTagPrefix '${prefix}'), which would then never expire; allowed: a pattern whose text before the first * neither starts with '${prefix}' nor is a beginning of it, e.g. '*.*.*' or 'v*'`,
          },
        ];
  });
  const check = (path: string, reference: string | undefined) => {
    // A malformed reference is the image-reference rule's to report.
    if (reference === undefined || imageTagProblem(reference) !== undefined) return;
    const tag = imageTagOf(reference);
    if (tag.startsWith(prefix)) {
      issues.push({
        path,
        message: `'${tag}' starts with the build-tag prefix '${prefix}' (organization.images.buildTagPrefix), whose images ECR expires; release under a tag without that prefix (e.g. a version such as '1.4.2', pinned by digest or not)`,
      });
    } else if (!patterns.some((pattern) => tagMatchesPattern(tag, pattern))) {
      issues.push({
        path,
        message: `'${tag}' matches no release tag pattern (organization.images.releaseTagPatterns: ${patterns.map((p) => `'${p}'`).join(', ')}), so ECR would keep it only while a model names it; allowed: a tag matching one of them (pinned by digest or not)`,
      });
    }
  };
  // ECR's tags are immutable: one tag of a service's repository names one image, so every reference that pins it
  // must pin the same digest.
  const pinned = new Map<string, { digest: string; path: string }>();
  const checkPin = (service: string, path: string, reference: string | undefined) => {
    if (reference === undefined || imageTagProblem(reference) !== undefined) return;
    const { tag, digest } = parseImageReference(reference);
    if (digest === undefined) return;
    const first = pinned.get(`${service}:${tag}`);
    if (first === undefined) {
      pinned.set(`${service}:${tag}`, { digest, path });
    } else if (first.digest !== digest) {
      issues.push({
        path,
        message: `'${reference}' pins the tag '${tag}' to another digest than ${first.path} (${first.digest}); ECR's tags are immutable, so one tag names one image: allowed: '${tag}@${first.digest}', '${tag}' or another tag`,
      });
    }
  };
  for (const part of parts.services) {
    const path = `services.${part.label}.image.tag`;
    const reference = pick(part, 'image')?.image.tag;
    check(path, reference);
    checkPin(part.label, path, reference);
  }
  for (const [environment, releases] of parts.releases) {
    for (const [service, part] of releases) {
      const path = `releases.${environment}.${service}.image.tag`;
      const reference = pick(part, 'image')?.image?.tag;
      check(path, reference);
      checkPin(service, path, reference);
    }
  }
  return issues;
}
