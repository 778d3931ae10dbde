import { imageTagProblem } from './image-reference';
import { IssueList, type ModelIssue } from './model-issue';
import { type ModelParts, type Part, pick } from './model-parts';
import type { Service } from './schema';
import { quantityUnits } from './workload-capacity';

/** Names as written, well-formed or not, so a broken entry is not also reported as unknown where it is used. */
interface KnownNames {
  readonly services: readonly string[];
  readonly queues: readonly string[];
  readonly teams: readonly string[];
}

/** Each service's references (team, calls, queues), replica range, ports, image and resources. */
export function serviceIssues(parts: ModelParts): ModelIssue[] {
  const labels = (list: readonly Part<unknown>[]) => list.map((part) => part.label);
  const known = { services: labels(parts.services), queues: labels(parts.queues), teams: labels(parts.teams) };
  return parts.services.flatMap((part) => issuesOf(part, known));
}

function issuesOf(part: Part<Service>, known: KnownNames): ModelIssue[] {
  const list = new IssueList(`services.${part.label}`);
  const add = list.add.bind(list);

  const owner = pick(part, 'team');
  if (owner && !known.teams.includes(owner.team)) {
    add('team', `unknown team '${owner.team}'; known: ${known.teams.join(', ')}`);
  }
  const dependencies = pick(part, 'dependencies')?.dependencies;
  dependencies?.calls.forEach((callee, index) => {
    if (callee === part.label) add(`dependencies.calls.${index}`, 'a service may not call itself');
    else if (!known.services.includes(callee)) {
      add(`dependencies.calls.${index}`, `unknown service '${callee}'; known: ${known.services.join(', ')}`);
    }
  });
  for (const direction of ['publishes', 'consumes'] as const) {
    dependencies?.[direction].forEach((queue, index) => {
      if (!known.queues.includes(queue)) {
        add(
          `dependencies.${direction}.${index}`,
          `unknown queue '${queue}'; known: ${known.queues.join(', ') || '(none)'}`,
        );
      }
    });
  }
  const replicas = pick(part, 'replicas')?.replicas;
  if (replicas && replicas.min > replicas.max) {
    add('replicas', `min (${replicas.min}) must not exceed max (${replicas.max})`);
  }
  const ports = pick(part, 'port', 'metricsPort');
  if (ports && ports.port === ports.metricsPort) {
    add('metricsPort', `must differ from port (${ports.port}); each port of a service is unique`);
  }
  const image = pick(part, 'image')?.image;
  const tagProblem = image && imageTagProblem(image.tag);
  if (tagProblem) add('image.tag', tagProblem);
  const resources = pick(part, 'resources')?.resources;
  if (resources) resourceIssues(resources, list);
  return list.issues;
}

/** The API server refuses a pod whose request exceeds its limit: each request at most its limit. */
export function resourceIssues(resources: Service['resources'], list: IssueList): void {
  const { requests, limits } = resources;
  for (const kind of ['memory', 'cpu'] as const) {
    const limit = limits[kind];
    if (limit === undefined) continue;
    if ((quantityUnits(requests[kind], kind) ?? 0) > (quantityUnits(limit, kind) ?? Number.POSITIVE_INFINITY)) {
      list.add(
        `resources.requests.${kind}`,
        `${requests[kind]} exceeds limits.${kind} (${limit}); a request must be at most its limit`,
      );
    }
  }
}
