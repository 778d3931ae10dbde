import { edgeRoute } from './edge-routes';
import type { ModelIssue } from './model-issue';
import { type ModelParts, pick } from './model-parts';

/** RFC 1035 limits the Ingress host (a DNS-1123 subdomain) is held to. */
const HOST_MAX = 253;
const LABEL_MAX = 63;

/**
 * Edge routing: `edge` only on edge services; every edge service's route (edge-routes.ts) a host name Kubernetes
 * accepts, and no two edge services on the same host and path, where the ALB would send all requests to one.
 */
export function edgeIssues(parts: ModelParts): ModelIssue[] {
  const issues: ModelIssue[] = [];
  const services = parts.services.flatMap((part) => {
    const service = pick(part, 'exposure', 'edge');
    if (!service) return [];
    if (service.exposure !== 'edge') {
      if (service.edge !== undefined) {
        issues.push({
          path: `services.${part.label}.edge`,
          message: "only an edge service has an edge route; remove edge or set exposure: 'edge'",
        });
      }
      return [];
    }
    return [{ name: part.label, edge: service.edge }];
  });

  const collisions = new Map<string, ModelIssue>();
  for (const environment of parts.environments) {
    const edge = pick(environment, 'edge');
    if (!edge) continue;
    const taken = new Map<string, string>();
    for (const service of services) {
      const route = edgeRoute(edge, service);
      const tooLong = route.host.length > HOST_MAX || route.host.split('.').some((label) => label.length > LABEL_MAX);
      if (tooLong) {
        issues.push({
          path: `services.${service.name}.edge`,
          message: `the host ${route.host} in environment '${environment.label}' is longer than DNS allows (${HOST_MAX} characters, ${LABEL_MAX} per label); shorten edge.subdomain or the environment's edge.domain`,
        });
      }
      const key = `${route.host} ${route.path}`;
      const owner = taken.get(key);
      if (owner === undefined) {
        taken.set(key, service.name);
        continue;
      }
      // Reported once per pair: the routes differ between environments only in the domain.
      const id = `${service.name} ${owner}`;
      if (collisions.has(id)) continue;
      collisions.set(id, {
        path: `services.${service.name}.edge`,
        message: `has the same host and path as edge service '${owner}' (host ${route.host}, path ${route.path} in environment '${environment.label}'); each edge service needs a host of its own (edge.subdomain, by default the service name) or a path of its own (edge.path)`,
      });
    }
  }
  return [...issues, ...collisions.values()];
}
