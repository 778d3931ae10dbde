import { CLOUDWATCH_LOGS_RETENTION_DAYS } from './aws-facts';
import { blockSize, cidrsOverlap, parseCidr } from './cidr';
import { IssueList, type ModelIssue } from './model-issue';
import { type ModelParts, pick } from './model-parts';
import { addressesNeeded } from './network-layout';

/** Each environment's zones, VPC range and flow-log retention, and that no two VPC ranges overlap. */
export function networkIssues(parts: ModelParts): ModelIssue[] {
  return [...parts.environments.flatMap(environmentNetworkIssues), ...overlappingNetworks(parts)];
}

function environmentNetworkIssues(part: ModelParts['environments'][number]): ModelIssue[] {
  const list = new IssueList(`environments.${part.label}`);
  const zones = pick(part, 'availabilityZones')?.availabilityZones;
  if (zones) {
    if (zones.length !== 3) list.add('availabilityZones', `needs exactly 3 availability zones, got ${zones.length}`);
    const region = pick(part, 'region')?.region;
    if (region) {
      const zonePattern = new RegExp(`^${region}[a-z]$`);
      zones.forEach((zone, index) => {
        if (!zonePattern.test(zone)) list.add(`availabilityZones.${index}`, `'${zone}' is not a zone of ${region}`);
      });
    }
    if (new Set(zones).size !== zones.length) list.add('availabilityZones', 'zones must be distinct');
  }

  const network = pick(part, 'network')?.network;
  if (!network) return list.issues;
  const vpc = parseCidr(network.vpcCidr);
  if (typeof vpc === 'string') list.add('network.vpcCidr', vpc);
  else if (zones) {
    const needed = addressesNeeded({ availabilityZones: zones, network });
    if (needed > blockSize(vpc.prefix)) {
      list.add(
        'network.vpcCidr',
        `a /${vpc.prefix} holds ${blockSize(vpc.prefix)} addresses but ${zones.length} AZs × 3 tiers of the given subnetPrefixes need ${needed}`,
      );
    }
  }
  if (!CLOUDWATCH_LOGS_RETENTION_DAYS.includes(network.flowLogRetentionDays)) {
    list.add(
      'network.flowLogRetentionDays',
      `${network.flowLogRetentionDays} is not a retention CloudWatch Logs offers; allowed: ${CLOUDWATCH_LOGS_RETENTION_DAYS.join(', ')}`,
    );
  }
  return list.issues;
}

function overlappingNetworks(parts: ModelParts): ModelIssue[] {
  const networks = parts.environments.flatMap((part) => {
    const network = pick(part, 'network')?.network;
    const cidr = network ? parseCidr(network.vpcCidr) : undefined;
    return network && cidr && typeof cidr !== 'string' ? [{ name: part.label, text: network.vpcCidr, cidr }] : [];
  });
  const issues: ModelIssue[] = [];
  networks.forEach((own, index) => {
    for (const earlier of networks.slice(0, index)) {
      if (cidrsOverlap(own.cidr, earlier.cidr)) {
        issues.push({
          path: `environments.${own.name}.network.vpcCidr`,
          message: `${own.text} overlaps ${earlier.text} of environment '${earlier.name}'; VPC ranges must be disjoint so the networks can be peered`,
        });
      }
    }
  });
  return issues;
}
