import { imageTagProblem } from './image-reference';
import type { Releases } from './schema';
import type { KnownNames, ModelIssue } from './validate';

/**
 * Rules of `releases`: each names a known environment and service, an immutable image and a replica range
 * whose minimum does not exceed its maximum. Paths read `releases.<environment>.<service>.<field>`.
 */
export function releaseIssues(releases: Releases | undefined, known: KnownNames): ModelIssue[] {
  const issues: ModelIssue[] = [];
  for (const [environment, services] of Object.entries(releases ?? {})) {
    if (!known.environments.includes(environment)) {
      issues.push({
        path: `releases.${environment}`,
        message: `unknown environment '${environment}'; known: ${known.environments.join(', ')}`,
      });
    }
    for (const [service, release] of Object.entries(services)) {
      const at = `releases.${environment}.${service}`;
      if (!known.services.includes(service)) {
        issues.push({ path: at, message: `unknown service '${service}'; known: ${known.services.join(', ')}` });
      }
      const tagProblem = release.image && imageTagProblem(release.image.tag);
      if (tagProblem) issues.push({ path: `${at}.image.tag`, message: tagProblem });
      if (release.replicas && release.replicas.min > release.replicas.max) {
        issues.push({
          path: `${at}.replicas`,
          message: `min (${release.replicas.min}) must not exceed max (${release.replicas.max})`,
        });
      }
    }
  }
  return issues;
}
