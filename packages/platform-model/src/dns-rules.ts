import { EDGE_RECORD_TYPES, isInZone, ownershipRecordName } from './dns-records';
import { edgeRoute } from './edge-routes';
import type { ModelIssue } from './model-issue';
import { type ModelParts, pick } from './model-parts';

/** RFC 1035's limit on a name, which Route 53 holds every record name to. */
const NAME_MAX = 253;

/**
 * The hosted zone of each environment's edge (`edge.hostedZone`), where external-dns keeps the edge hosts' records:
 * - its name is the environment's `edge.domain` or a parent of it, so every edge host (`<subdomain>.<domain>` or the
 *   domain itself) is a name in the zone, and its ownership record (dns-records.ts) too;
 * - each ownership record's name fits DNS's 253 characters (it is the host with one label more);
 * - a zone ID two environments name is one zone: of one account (the role of each environment's external-dns can
 *   reach zones of its own account only) and of one name.
 */
export function dnsIssues(parts: ModelParts): ModelIssue[] {
  const issues: ModelIssue[] = [];
  const edgeServices = parts.services.flatMap((part) => {
    const service = pick(part, 'exposure', 'edge');
    return service?.exposure === 'edge' ? [{ name: part.label, edge: service.edge }] : [];
  });
  const zones = new Map<string, { environment: string; account?: string; name: string }>();
  for (const environment of parts.environments) {
    const edge = pick(environment, 'edge')?.edge;
    const zone = edge?.hostedZone;
    if (!edge || !zone) continue;
    const path = `environments.${environment.label}.edge.hostedZone`;
    if (!isInZone(edge.domain, zone.name)) {
      issues.push({
        path: `${path}.name`,
        message: `the zone ${zone.name} does not hold the edge domain ${edge.domain} of environment '${environment.label}'; allowed: ${edge.domain} or a parent of it`,
      });
    }
    for (const service of edgeServices) {
      const { host } = edgeRoute({ edge }, service);
      const longest = EDGE_RECORD_TYPES.map((type) => ownershipRecordName(host, type)).sort(
        (a, b) => b.length - a.length,
      )[0];
      if (longest.length > NAME_MAX && host.length <= NAME_MAX) {
        issues.push({
          path: `services.${service.name}.edge`,
          message: `the ownership record ${longest} of its host in environment '${environment.label}' is longer than DNS allows (${NAME_MAX} characters); shorten edge.subdomain or the environment's edge.domain`,
        });
      }
    }
    const account = pick(environment, 'account')?.account;
    const other = zones.get(zone.id);
    if (!other) {
      zones.set(zone.id, { environment: environment.label, account, name: zone.name });
      continue;
    }
    if (other.name !== zone.name) {
      issues.push({
        path: `${path}.id`,
        message: `the zone ${zone.id} is named ${other.name} in environment '${other.environment}' and ${zone.name} here; one zone has one name`,
      });
    }
    if (account !== undefined && other.account !== undefined && other.account !== account) {
      issues.push({
        path: `${path}.id`,
        message: `the zone ${zone.id} is named by environment '${other.environment}' too, in account ${other.account}: a zone belongs to one account, and each environment's external-dns may change zones of its own account (${account}) only; allowed: a zone of this environment's account`,
      });
    }
  }
  return issues;
}
