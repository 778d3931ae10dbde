import { imageTagProblem } from './image-reference';
import { IssueList, type ModelIssue } from './model-issue';
import { type ModelParts, pick } from './model-parts';
import { resourceIssues } from './service-rules';

/**
 * Rules of `releases`: each names a known environment and service, an immutable image, a replica range whose
 * minimum does not exceed its maximum, and requests within limits. Paths read `releases.<environment>.<service>.<field>`.
 */
export function releaseIssues(parts: ModelParts): ModelIssue[] {
  const environments = parts.environments.map((part) => part.label);
  const services = parts.services.map((part) => part.label);
  const issues: ModelIssue[] = [];
  for (const [environment, releases] of parts.releases) {
    if (!environments.includes(environment)) {
      issues.push({
        path: `releases.${environment}`,
        message: `unknown environment '${environment}'; known: ${environments.join(', ')}`,
      });
    }
    for (const [service, part] of releases) {
      const list = new IssueList(`releases.${environment}.${service}`);
      if (!services.includes(service)) list.add('', `unknown service '${service}'; known: ${services.join(', ')}`);
      const image = pick(part, 'image')?.image;
      const tagProblem = image && imageTagProblem(image.tag);
      if (tagProblem) list.add('image.tag', tagProblem);
      const replicas = pick(part, 'replicas')?.replicas;
      if (replicas && replicas.min > replicas.max) {
        list.add('replicas', `min (${replicas.min}) must not exceed max (${replicas.max})`);
      }
      const resources = pick(part, 'resources')?.resources;
      if (resources) resourceIssues(resources, list);
      issues.push(...list.issues);
    }
  }
  return issues;
}
