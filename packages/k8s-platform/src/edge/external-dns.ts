import { ADDON_SERVICE_ACCOUNTS, DNS_OWNERSHIP_RECORD_PREFIX, PLATFORM_NAMESPACES } from '@platform/model';
import type { Addon, AddonContext } from '../argocd/addon-catalog';
import { EDGE_INGRESS_CLASS } from './edge-ingress';

/** The chart that installs external-dns, and its pinned version (external-dns 0.22.0, its `appVersion`). */
export const EXTERNAL_DNS_CHART = {
  repoUrl: 'https://kubernetes-sigs.github.io/external-dns',
  chart: 'external-dns',
  version: '1.22.0',
} as const;

/**
 * The port external-dns serves /metrics and its health on: the chart's container port and Service port `http`
 * (kubernetes-sigs/external-dns charts/external-dns/templates/{deployment,service,servicemonitor}.yaml at v0.22.0).
 */
export const EXTERNAL_DNS_METRICS_PORT = 7979;

/** The labels of external-dns's pods (the chart's `external-dns.selectorLabels`, release `external-dns`). */
export const EXTERNAL_DNS_POD_LABELS = {
  'app.kubernetes.io/name': 'external-dns',
  'app.kubernetes.io/instance': 'external-dns',
} as const;

/**
 * How often external-dns compares the edge Ingresses with the zone besides on every change of an Ingress (`--events`):
 * Route 53 answers five requests a second per account, shared with every other caller (docs/tutorials/aws.md,
 * "Throttling"), and a change of an Ingress is acted on within seconds anyway.
 */
export const EXTERNAL_DNS_INTERVAL_MINUTES = 5;

/** EXTERNAL_DNS_INTERVAL_MINUTES as the chart's `interval` (a Go duration). */
export const EXTERNAL_DNS_INTERVAL = `${EXTERNAL_DNS_INTERVAL_MINUTES}m`;

/**
 * external-dns, which keeps two alias record sets (A and AAAA) per edge host in the environment's hosted zone, pointing
 * at the ALB the AWS Load Balancer Controller wrote into the Ingress's status, each with its TXT ownership record; `undefined` when the model names no zone
 * (`edge.hostedZone`), where the records are made by hand (docs/kubernetes.md, "DNS of the edge").
 *
 * - Sources: the Ingresses of class `alb` (the edge ones); the edge has no Service of type LoadBalancer.
 * - Only the zone the model names (`--zone-id-filter`), and in it only names under the edge domain (`domainFilters`);
 *   a zone that is a parent of the domain needs `--aws-zone-match-parent` to pass the domain filter.
 * - Policy `sync`: a record whose host leaves the model is deleted, so no record keeps pointing at the ALB for a host
 *   nobody serves; `upsert-only` would keep it until someone deletes it by hand. Sync deletes only records whose
 *   ownership record names this environment (`txtOwnerId`, `EnvironmentNaming.dnsRecordOwnerId`): records made by
 *   hand or by another cluster are never touched.
 * - Ownership records (TXT registry) named by `DNS_OWNERSHIP_RECORD_PREFIX`, one label below each host, so none shares
 *   a name with an alias record and the apex's stays in the zone.
 * - `AWS_REGION`: pods cannot reach the instance metadata service (hop limit 1), from which the AWS SDK would read it.
 * - One replica: external-dns 0.22.0 has no leader election, and its chart refuses more (values.schema.json).
 *   Credentials come from its Pod Identity role (`ADDON_SERVICE_ACCOUNTS.externalDns`), which the cloud stack scopes
 *   to the zone.
 */
export function externalDnsAddon({ environment, naming }: AddonContext): Addon | undefined {
  const zone = environment.edge.hostedZone;
  if (!zone) return undefined;
  return {
    name: 'external-dns',
    namespace: PLATFORM_NAMESPACES.externalDns,
    ...EXTERNAL_DNS_CHART,
    // Its CRDs (DNSEndpoint, DNSRecord) serve the `crd` source and registry, which are not used: no unused API types.
    skipCrds: true,
    values: {
      provider: { name: 'aws' },
      sources: ['ingress'],
      policy: 'sync',
      registry: 'txt',
      txtOwnerId: naming.dnsRecordOwnerId,
      txtPrefix: DNS_OWNERSHIP_RECORD_PREFIX,
      domainFilters: [environment.edge.domain],
      interval: EXTERNAL_DNS_INTERVAL,
      triggerLoopOnEvent: true,
      extraArgs: [
        `--zone-id-filter=${zone.id}`,
        `--ingress-class=${EDGE_INGRESS_CLASS}`,
        // A zone that is a parent of the edge domain fails the domain filter, and external-dns skips it without this
        // (provider/aws/aws.go `zones` at v0.22.0).
        ...(zone.name === environment.edge.domain ? [] : ['--aws-zone-match-parent']),
      ],
      env: [{ name: 'AWS_REGION', value: environment.region }],
      serviceAccount: { create: true, name: ADDON_SERVICE_ACCOUNTS.externalDns.name },
      resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '128Mi' } },
      // Its metrics (/metrics on the Service port `http`, EXTERNAL_DNS_METRICS_PORT), for the external-dns alerts.
      serviceMonitor: { enabled: true },
    },
  };
}
