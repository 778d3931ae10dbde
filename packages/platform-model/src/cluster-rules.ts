import { instanceArchitecture } from './aws-facts';
import { parseCidr } from './cidr';
import { IssueList, type ModelIssue } from './model-issue';
import { type ModelParts, pick } from './model-parts';

/** Each environment's API endpoint CIDRs and node groups: sizes in order, readable types, one architecture each. */
export function clusterIssues(parts: ModelParts): ModelIssue[] {
  return parts.environments.flatMap((part) => {
    const cluster = pick(part, 'cluster')?.cluster;
    if (!cluster) return [];
    const list = new IssueList(`environments.${part.label}.cluster`);
    if (cluster.endpointAccess.mode === 'public-and-private') {
      cluster.endpointAccess.publicCidrs.forEach((text, index) => {
        const cidr = parseCidr(text);
        if (typeof cidr === 'string') list.add(`endpointAccess.publicCidrs.${index}`, cidr);
      });
    }
    for (const [group, sizes] of Object.entries(cluster.nodeGroups)) {
      if (!(sizes.minSize <= sizes.desiredSize && sizes.desiredSize <= sizes.maxSize)) {
        list.add(
          `nodeGroups.${group}`,
          `sizes must satisfy minSize ≤ desiredSize ≤ maxSize (got ${sizes.minSize}, ${sizes.desiredSize}, ${sizes.maxSize})`,
        );
      }
      const architectures = new Map<string, string[]>();
      sizes.instanceTypes.forEach((type, index) => {
        const architecture = instanceArchitecture(type);
        if (!architecture) {
          list.add(
            `nodeGroups.${group}.instanceTypes.${index}`,
            `'${type}' is not an EC2 instance type such as m7g.large (family, generation, capabilities, '.', size)`,
          );
        } else architectures.set(architecture, [...(architectures.get(architecture) ?? []), type]);
      });
      if (architectures.size > 1) {
        const mix = [...architectures].map(([architecture, types]) => `${architecture}: ${types.join(', ')}`);
        list.add(
          `nodeGroups.${group}.instanceTypes`,
          `mixes ARM and x86 types (${mix.join('; ')}); a node group runs one AMI, so use one architecture per group`,
        );
      }
    }
    if (cluster.nodeGroups.spot.instanceTypes.length < 2) {
      list.add('nodeGroups.spot.instanceTypes', 'a spot group needs several instance types to ride out interruptions');
    }
    return list.issues;
  });
}
