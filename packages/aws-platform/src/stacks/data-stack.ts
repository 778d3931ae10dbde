import { type Environment, EnvironmentNaming, type Organization, type Service } from '@platform/model';
import { CfnWaitConditionHandle, Stack, type StackProps } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import { tagResources } from '../platform-tags';
import { ServiceCache } from '../service-cache';
import { ServiceDatabase } from '../service-database';

export interface DataStackProps extends StackProps {
  readonly organization: Organization;
  readonly environment: Environment;
  readonly services: readonly Service[];
  readonly vpc: ec2.IVpc;
  /** The cluster's node security group: the only client of the data stores. */
  readonly clientSecurityGroup: ec2.ISecurityGroup;
}

/** One PostgreSQL instance per service that declares a database, one Valkey group per service that declares a cache. */
export class DataStack extends Stack {
  public readonly databases: ReadonlyMap<string, ServiceDatabase>;
  public readonly caches: ReadonlyMap<string, ServiceCache>;

  public constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const naming = new EnvironmentNaming(props.organization, props.environment);
    const common = {
      vpc: props.vpc,
      environment: props.environment,
      naming,
      clientSecurityGroup: props.clientSecurityGroup,
    };
    const databases = new Map<string, ServiceDatabase>();
    const caches = new Map<string, ServiceCache>();
    for (const service of props.services) {
      if (service.dependencies.database) {
        databases.set(service.name, new ServiceDatabase(this, `${service.name}-postgres`, { ...common, service }));
      }
      if (service.dependencies.cache) {
        caches.set(service.name, new ServiceCache(this, `${service.name}-cache`, { ...common, service }));
      }
    }
    this.databases = databases;
    this.caches = caches;
    if (databases.size + caches.size === 0) {
      // CloudFormation rejects a template without resources; the stack stays deployed (and empty) so that
      // removing the last data store deletes it through a stack update, and adding one needs no new stack.
      new CfnWaitConditionHandle(this, 'NoDataStores');
    }
    tagResources(this, props.environment.name, props.environment.tags);
  }
}
