/**
 * The DNS records of the edge hosts, as external-dns keeps them in an environment's hosted zone
 * (`environments[].edge.hostedZone`). Per edge host (edge-routes.ts `edgeHosts`) an alias record of each type of
 * `EDGE_RECORD_TYPES` pointing at the environment's ALB, and beside each an ownership TXT record naming the
 * environment's owner ID (`EnvironmentNaming.dnsRecordOwnerId`): external-dns changes and deletes only records whose
 * ownership record carries its owner ID, so two clusters, or a record made by hand, are never taken over.
 */

/**
 * The record types external-dns 0.22.0 writes for an Ingress whose load balancer is an ALB: an alias A record and its
 * AAAA counterpart (provider/aws/aws.go `AdjustEndpoints`; an AAAA alias answers nothing while the ALB is IPv4 only).
 */
export const EDGE_RECORD_TYPES = ['A', 'AAAA'] as const;

/**
 * external-dns's `--txt-prefix`: the ownership record of `<host>` of type T is `_edns-<t>.<host>`, a name below the
 * host. `%{record_type}` puts the type into the prefix, and the trailing dot makes the prefix a label of its own
 * (docs/registry/txt.md at v0.22.0, "apex domains"), so the ownership record of a host that is the zone's apex stays in
 * the zone, and no TXT record shares a name with an alias record. The underscore keeps it apart from every host name
 * (a DNS label of the model has none). Never change it once records exist: external-dns would no longer recognise
 * its own records.
 */
export const DNS_OWNERSHIP_RECORD_PREFIX = '_edns-%{record_type}.';

/** The name of the ownership TXT record of `host`'s record of `recordType`, as external-dns 0.22.0 derives it. */
export function ownershipRecordName(host: string, recordType: string): string {
  return `${DNS_OWNERSHIP_RECORD_PREFIX.replace('%{record_type}', recordType.toLowerCase())}${host}`;
}

/** Whether `name` is `zone` or a name below it (case-sensitive: the model's names are lowercase). */
export function isInZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}
