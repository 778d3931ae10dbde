import { partitionOf } from './aws-facts';
import { IssueList, type ModelIssue } from './model-issue';
import { type ModelParts, pick } from './model-parts';

interface Arn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

function parseArn(text: string): Arn | undefined {
  const match = /^arn:([^:]+):([^:]+):([^:]*):([^:]*):(.+)$/.exec(text);
  if (!match) return undefined;
  const [, partition, service, region, account, resource] = match;
  return { partition, service, region, account, resource };
}

/**
 * The environment's certificate and admin role belong to it: the ALB can only use an ACM certificate of its own
 * account and region (certificates are regional), and the cluster's admin role is a role of the environment's
 * account (IAM ARNs name no region). Backups copied to a second region are encrypted with a key of the
 * environment's account in that region, not the environment's own region.
 */
export function arnIssues(parts: ModelParts): ModelIssue[] {
  return parts.environments.flatMap((part) => {
    const place = pick(part, 'account', 'region');
    if (!place) return [];
    const { account, region } = place;
    const partition = partitionOf(region);
    const list = new IssueList(`environments.${part.label}`);
    const certificate = pick(part, 'edge')?.edge.certificateArn;
    if (certificate !== undefined) {
      const expected = `${partition}:acm:${region}:${account}:certificate/…`;
      const arn = parseArn(certificate);
      const problems = arn
        ? [
            arn.partition !== partition && `partition ${arn.partition}`,
            arn.service !== 'acm' && `service ${arn.service}`,
            arn.region !== region && `region ${arn.region || '(none)'}`,
            arn.account !== account && `account ${arn.account || '(none)'}`,
            !arn.resource.startsWith('certificate/') && `resource ${arn.resource}`,
          ].filter((problem) => problem !== false)
        : ['its form'];
      if (problems.length > 0) {
        list.add(
          'edge.certificateArn',
          `differs from the environment in ${problems.join(', ')}: the ALB needs an ACM certificate of its own account and region (ACM certificates are regional); allowed: arn:${expected}`,
        );
      }
    }
    const role = pick(part, 'cluster')?.cluster.adminRoleArn;
    if (role !== undefined) {
      const expected = `${partition}:iam::${account}:role/…`;
      const arn = parseArn(role);
      const problems = arn
        ? [
            arn.partition !== partition && `partition ${arn.partition}`,
            arn.service !== 'iam' && `service ${arn.service}`,
            arn.region !== '' && `region ${arn.region} (IAM ARNs name no region)`,
            arn.account !== account && `account ${arn.account || '(none)'}`,
            !arn.resource.startsWith('role/') && `resource ${arn.resource}`,
          ].filter((problem) => problem !== false)
        : ['its form'];
      if (problems.length > 0) {
        list.add(
          'cluster.adminRoleArn',
          `differs from the environment in ${problems.join(', ')}: the admin role is an IAM role of the environment's account; allowed: arn:${expected}`,
        );
      }
    }
    const replication = pick(part, 'database')?.database.backupReplication;
    if (replication !== undefined) {
      if (replication.region === region) {
        list.add(
          'database.backupReplication.region',
          `is the environment's own region (${region}); backups are copied to a second region, so name another`,
        );
      }
      const expected = `${partition}:kms:${replication.region}:${account}:key/…`;
      const arn = parseArn(replication.kmsKeyArn);
      const problems = arn
        ? [
            arn.partition !== partition && `partition ${arn.partition}`,
            arn.service !== 'kms' && `service ${arn.service}`,
            arn.region !== replication.region && `region ${arn.region || '(none)'}`,
            arn.account !== account && `account ${arn.account || '(none)'}`,
            !arn.resource.startsWith('key/') && `resource ${arn.resource}`,
          ].filter((problem) => problem !== false)
        : ['its form'];
      if (problems.length > 0) {
        list.add(
          'database.backupReplication.kmsKeyArn',
          `differs from the replication target in ${problems.join(', ')}: RDS encrypts the copied backups with a KMS key (its key ARN, not an alias) of the environment's account in the replication region; allowed: arn:${expected}`,
        );
      }
    }
    return list.issues;
  });
}
