import {
  ENVIRONMENT_STACKS,
  environmentStackId,
  imageRepositoryStackId,
  queueStackId,
  SHARED_SERVICES_STACK,
  serviceStackId,
} from './delivery';
import type { ModelIssue } from './model-issue';
import { type ModelParts, pick } from './model-parts';

/**
 * Every stack construct ID the model gives (delivery.ts) is unique: `cdk deploy` selects stacks by these IDs, and the
 * CDK app cannot hold two of one name. Names built from two parts can meet, e.g. the service `x-ci` of environment
 * `dev` (`dev-service-x-ci`) and the `ci` stack of an environment `dev-service-x`. One problem per stack ID that a
 * second owner takes, at that owner's name, naming the first.
 */
export function stackIdIssues(parts: ModelParts): ModelIssue[] {
  const owners: [string, string][] = [[SHARED_SERVICES_STACK, 'the shared-services stack']];
  const services = parts.services.flatMap((part) => (pick(part, 'name') ? [part.label] : []));
  const queues = parts.queues.flatMap((part) => (pick(part, 'name') ? [part.label] : []));
  for (const service of services) owners.push([imageRepositoryStackId(service), `services.${service}.name`]);
  for (const part of parts.environments) {
    const environment = pick(part, 'name')?.name;
    if (environment === undefined) continue;
    for (const stack of ENVIRONMENT_STACKS) {
      owners.push([environmentStackId(environment, stack), `environments.${part.label}.name`]);
    }
    for (const service of services) owners.push([serviceStackId(environment, service), `services.${service}.name`]);
    for (const queue of queues) owners.push([queueStackId(environment, queue), `queues.${queue}.name`]);
  }
  const first = new Map<string, string>();
  const issues: ModelIssue[] = [];
  for (const [id, path] of owners) {
    const earlier = first.get(id);
    if (earlier === undefined) first.set(id, path);
    // The same entry named twice is the duplicate-name rule's problem.
    else if (earlier !== path) {
      issues.push({
        path,
        message: `gives the stack ID '${id}', which ${earlier === 'the shared-services stack' ? earlier : earlier.replace(/\.name$/, '')} gives too: cdk deploy selects stacks by ID; rename one of them`,
      });
    }
  }
  return issues;
}
