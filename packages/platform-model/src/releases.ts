import type { PlatformModel, Service, ServiceRelease } from './schema';

/**
 * A service as one environment runs it: the catalog entry with that environment's release applied
 * (`releases.<environment>.<service>`). Each field of the release replaces the catalog's whole field:
 * a release that names `replicas` gives both `min` and `max`.
 *
 * @param model the validated model
 * @param environmentName an environment of the model; a name without releases gets the catalog as it is
 * @returns every service of the catalog, in catalog order
 */
export function servicesIn(model: PlatformModel, environmentName: string): Service[] {
  const releases = model.releases?.[environmentName] ?? {};
  return model.services.map((service) => withRelease(service, releases[service.name]));
}

/**
 * The model as one environment sees it: `services` resolved by {@link servicesIn}. Everything rendered for an
 * environment reads this view, so a release of one environment changes nothing of another.
 */
export function modelIn(model: PlatformModel, environmentName: string): PlatformModel {
  return { ...model, services: servicesIn(model, environmentName) };
}

function withRelease(service: Service, release: ServiceRelease | undefined): Service {
  if (!release) return service;
  return {
    ...service,
    image: release.image ?? service.image,
    replicas: release.replicas ?? service.replicas,
    resources: release.resources ?? service.resources,
  };
}
