/** Alertmanager settings for the kube-prometheus-stack chart's values (`alertmanager:` key). */
export function alertmanagerValues(): Record<string, unknown> {
  return {};
}
