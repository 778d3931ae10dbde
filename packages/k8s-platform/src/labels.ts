import type { Environment, Organization, Service } from '@platform/model';

/** Label keys that say which team owns an object and which environment it belongs to. */
export const TEAM_LABEL = 'platform.io/team';
export const ENVIRONMENT_LABEL = 'platform.io/environment';

/** Value of `app.kubernetes.io/managed-by` on everything this package renders. */
export const MANAGED_BY = 'cdk8s';

/** The Kubernetes recommended labels of a service, plus its team and environment. */
export function serviceLabels(
  organization: Organization,
  environment: Environment,
  service: Service,
): Record<string, string> {
  return {
    ...serviceSelector(service),
    'app.kubernetes.io/version': labelValue(service.image.tag),
    'app.kubernetes.io/component': service.exposure === 'edge' ? 'edge-api' : 'internal-api',
    'app.kubernetes.io/part-of': organization.name,
    'app.kubernetes.io/managed-by': MANAGED_BY,
    [TEAM_LABEL]: service.team,
    [ENVIRONMENT_LABEL]: environment.name,
  };
}

/** The labels that select a service's pods: stable across releases, so selectors never change. */
export function serviceSelector(service: Service): Record<string, string> {
  return { 'app.kubernetes.io/name': service.name, 'app.kubernetes.io/instance': service.name };
}

/** Labels of an object that belongs to the platform rather than to one service. */
export function platformLabels(
  organization: Organization,
  environment: Environment,
  component: string,
): Record<string, string> {
  return {
    'app.kubernetes.io/name': component,
    'app.kubernetes.io/instance': `${component}-${environment.name}`,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': organization.name,
    'app.kubernetes.io/managed-by': MANAGED_BY,
    [ENVIRONMENT_LABEL]: environment.name,
  };
}

/**
 * A label value (at most 63 characters of [A-Za-z0-9_.-]) for an image tag or digest:
 * a digest `sha256:<hex>` becomes `sha256-<first 12 hex digits>`.
 */
export function labelValue(tag: string): string {
  const value = tag.startsWith('sha256:') ? `sha256-${tag.slice('sha256:'.length, 'sha256:'.length + 12)}` : tag;
  return value.slice(0, 63).replace(/[^A-Za-z0-9_.-]/g, '-');
}
