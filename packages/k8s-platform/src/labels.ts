import { createHash } from 'node:crypto';
import { type Environment, imageTagOf, type Organization, type Service } from '@platform/model';

/** Label keys that say which team owns an object and which environment it belongs to. */
export const TEAM_LABEL = 'platform.io/team';
export const ENVIRONMENT_LABEL = 'platform.io/environment';

/** Value of `app.kubernetes.io/managed-by` on everything this package renders. */
export const MANAGED_BY = 'cdk8s';

/** Label key of the release a workload runs: the image tag (see {@link labelValue}). */
export const VERSION_LABEL = 'app.kubernetes.io/version';

/**
 * The labels of every object of a service: the Kubernetes recommended labels that stay the same from one
 * release to the next, plus its team and environment. No value here may change with a release, so that a
 * tag bump rewrites only the Deployment (see {@link workloadLabels}).
 */
export function serviceLabels(
  organization: Organization,
  environment: Environment,
  service: Service,
): Record<string, string> {
  return {
    ...serviceSelector(service),
    'app.kubernetes.io/component': service.exposure === 'edge' ? 'edge-api' : 'internal-api',
    'app.kubernetes.io/part-of': organization.name,
    'app.kubernetes.io/managed-by': MANAGED_BY,
    [TEAM_LABEL]: service.team,
    [ENVIRONMENT_LABEL]: environment.name,
  };
}

/**
 * The labels of a service's Deployment and its pod template: {@link serviceLabels} plus
 * `app.kubernetes.io/version`, the release the pods run. Only the workload carries the version: on every
 * other object it would change each object on each release without telling anyone anything.
 */
export function workloadLabels(
  organization: Organization,
  environment: Environment,
  service: Service,
): Record<string, string> {
  return { ...serviceLabels(organization, environment, service), [VERSION_LABEL]: labelValue(service.image.tag) };
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
 * The label value (at most 63 characters of [A-Za-z0-9_.-], starting and ending with a letter or digit, never
 * empty: the recommended-labels policy requires one) for an image reference: its tag, without the digest it may
 * pin (`1.4.2@sha256:…` → `1.4.2`), cut to 63 characters and loses the `_`, `.` and `-` at its ends
 * (`1.0-rc_` → `1.0-rc`); a tag of only those characters (`__`) becomes `tag-<12 hex digits of its SHA-256>`.
 * The rules are the API server's (k8s.io/apimachinery v0.35 pkg/util/validation IsValidLabelValue).
 */
export function labelValue(tag: string): string {
  const readable = imageTagOf(tag);
  const value = readable
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return value !== '' ? value : `tag-${createHash('sha256').update(tag).digest('hex').slice(0, 12)}`;
}
