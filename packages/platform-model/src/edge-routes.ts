import type { Environment, Service } from './schema';

/** Where the environment's ALB sends a request to an edge service: a host, and a path prefix on it. */
export interface EdgeRoute {
  readonly host: string;
  /** Path prefix (Ingress pathType `Prefix`); `/` is every path. */
  readonly path: string;
}

/**
 * The route of an edge service (`exposure: 'edge'`). A service gets a host of its own,
 * `<edge.subdomain>.<environment edge.domain>` with the subdomain defaulting to the service name; a service
 * that names an `edge.path` and no subdomain is served below that path on the environment's domain itself.
 * The path defaults to `/`. The validator rejects two edge services with the same route.
 */
export function edgeRoute(
  environment: Pick<Environment, 'edge'>,
  service: Pick<Service, 'name'> & Partial<Pick<Service, 'edge'>>,
): EdgeRoute {
  const subdomain = service.edge?.subdomain ?? (service.edge?.path === undefined ? service.name : undefined);
  return {
    host: subdomain === undefined ? environment.edge.domain : `${subdomain}.${environment.edge.domain}`,
    path: service.edge?.path ?? '/',
  };
}

/** The distinct hosts of the edge services (`exposure: 'edge'`) in an environment, sorted: one DNS name each. */
export function edgeHosts(
  environment: Pick<Environment, 'edge'>,
  services: readonly (Pick<Service, 'name' | 'exposure'> & Partial<Pick<Service, 'edge'>>)[],
): string[] {
  const hosts = services
    .filter((service) => service.exposure === 'edge')
    .map((service) => edgeRoute(environment, service).host);
  return [...new Set(hosts)].sort();
}
