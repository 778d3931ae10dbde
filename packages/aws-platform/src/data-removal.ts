import type { Environment } from '@platform/model';
import { RemovalPolicy } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * What CloudFormation does with a database or cache when its stack is deleted or its service leaves the model
 * (the resource leaves the template): `environment.removalPolicy` `retain` keeps it in the account, `snapshot`
 * (every other environment) deletes it after a final snapshot. Never DESTROY: a removal never loses data silently.
 * aws-cdk-lib writes the policy as both DeletionPolicy and UpdateReplacePolicy, so when a deploy replaces the store
 * (a new name, or a create-only property that changes along with it), the old one is snapshotted or kept the same way.
 */
export function dataStoreRemovalPolicy(environment: Environment): RemovalPolicy {
  return environment.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.SNAPSHOT;
}

/**
 * Keeps what a retained data store still uses (its security group, subnet group, parameter group, credentials)
 * when the environment retains its data stores: deleting them would fail (in use) or lock clients out.
 * Does nothing in an environment that snapshots.
 */
export function retainWithDataStore(environment: Environment, ...constructs: (IConstruct | undefined)[]): void {
  if (environment.removalPolicy !== 'retain') return;
  for (const construct of constructs) construct && applyRetain(construct);
}

/** RETAIN on the construct's CloudFormation resource (its default child, or itself). */
export function applyRetain(construct: IConstruct): void {
  const resource = construct.node.defaultChild ?? construct;
  if ('applyRemovalPolicy' in resource && typeof resource.applyRemovalPolicy === 'function') {
    resource.applyRemovalPolicy(RemovalPolicy.RETAIN);
  }
}
