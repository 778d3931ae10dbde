import { edgeRoute } from './edge-routes';
import type { ModelIssue } from './model-issue';
import { type ModelParts, pick } from './model-parts';
import type { Service } from './schema';

/** An edge service as the rules see it: its name as written and its well-formed `edge` route, if any. */
type EdgeService = Pick<Service, 'name' | 'edge'>;

/** RFC 1035 limits the Ingress host (a DNS-1123 subdomain) is held to. */
const HOST_MAX = 253;
const LABEL_MAX = 63;

/**
 * Edge routing: `edge` only on edge services; every edge service's route (edge-routes.ts) a host name Kubernetes
 * accepts, and no two edge services on the same host and path, where the ALB would send all requests to one.
 * Across environments (crossEnvironmentIssues), every host belongs to one environment.
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
    return [{ name: part.label, edge: service.edge } satisfies EdgeService];
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
  return [...issues, ...collisions.values(), ...crossEnvironmentIssues(parts, services)];
}

/**
 * Each environment is a cluster of its own, whose AWS Load Balancer Controller merges the Ingresses of the
 * IngressGroup into one ALB of that cluster (the group is per cluster; the ALB's name hashes the cluster name), with
 * the environment's certificate, which covers `<domain>` and `*.<domain>`. Two environments meet only in DNS, where a
 * name points to one load balancer: a host served by two environments reaches one of them, whatever the paths. So:
 * - no two environments have the same `edge.domain` (every default host `<service>.<domain>` would be both's);
 * - no host of an environment is another environment's `edge.domain`, the name that environment's certificate and
 *   DNS zone are for, and that it serves its path routes on (e.g. prod on `acme.example.com` with a service `dev`,
 *   while dev's domain is `dev.acme.example.com`).
 * Given distinct domains and one-label subdomains, these are all the ways two environments' hosts can be equal. A
 * domain one label below another's (dev's below prod's, as shipped) is allowed: prod's wildcard certificate also
 * covers it, but DNS sends that name to dev's ALB, which presents dev's certificate.
 */
function crossEnvironmentIssues(parts: ModelParts, services: readonly EdgeService[]): ModelIssue[] {
  const issues: ModelIssue[] = [];
  const domainOwner = new Map<string, string>();
  for (const environment of parts.environments) {
    const edge = pick(environment, 'edge')?.edge;
    if (!edge) continue;
    const owner = domainOwner.get(edge.domain);
    if (owner === undefined) {
      domainOwner.set(edge.domain, environment.label);
      continue;
    }
    issues.push({
      path: `environments.${environment.label}.edge.domain`,
      message: `${edge.domain} is the edge domain of environment '${owner}' too: both environments' ALBs would serve every edge host <service>.${edge.domain}, and DNS sends a name to one of them only; allowed: a domain no other environment has`,
    });
  }
  for (const environment of parts.environments) {
    const edge = pick(environment, 'edge');
    if (!edge) continue;
    for (const service of services) {
      const { host } = edgeRoute(edge, service);
      const owner = domainOwner.get(host);
      if (owner === undefined || owner === environment.label || host === edge.edge.domain) continue;
      issues.push({
        path: `services.${service.name}.edge`,
        message: `its host ${host} in environment '${environment.label}' is the edge domain of environment '${owner}', whose certificate, DNS zone and path routes are for that name, and DNS sends a name to one environment only; allowed: a host that is no other environment's edge.domain (another edge.subdomain for the service, or another edge.domain for '${owner}')`,
      });
    }
  }
  return issues;
}
