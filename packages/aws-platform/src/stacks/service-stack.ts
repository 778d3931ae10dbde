import {
  cacheAlarmThresholds,
  databaseAlarmThresholds,
  type Environment,
  EnvironmentNaming,
  type Organization,
  type Service,
  serviceAccountOf,
  serviceSecretReader,
} from '@platform/model';
import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import { acknowledgeWildcards } from '../acknowledge';
import { CacheAlarms, DatabaseAlarms } from '../data-store-alarms';
import { environmentAlarmTopic } from '../platform-alarm';
import { tagResources } from '../platform-tags';
import { SecretReaderRole } from '../secret-reader-roles';
import { ServiceCache } from '../service-cache';
import { ServiceDatabase } from '../service-database';
import { servicePolicyStatements } from '../service-permissions';
import { WorkloadIdentity } from '../workload-identity';

export interface ServiceStackProps extends StackProps {
  readonly organization: Organization;
  readonly environment: Environment;
  /** The one service whose resources the stack holds. */
  readonly service: Service;
  readonly vpc: ec2.IVpc;
  /** The cluster's node security group: the only client of the service's data stores. */
  readonly clientSecurityGroup: ec2.ISecurityGroup;
}

/**
 * Everything one service has of its own in one environment: its workload identity (IAM role and EKS Pod Identity
 * association), and when it declares them its PostgreSQL instance (`ServiceDatabase`, with its database user), its
 * Valkey group (`ServiceCache`) with their alarms (`DatabaseAlarms`, `CacheAlarms`) and the role External Secrets reads their connection facts with (`SecretReaderRole`). One stack per service keeps every stack far below CloudFormation's limits however
 * many services the catalog has, and keeps a service's logical IDs independent of every other service.
 *
 * The cluster is referred to by name (the naming contract); the caller makes the stack depend on the cluster stack,
 * which creates the cluster the Pod Identity association binds to.
 */
export class ServiceStack extends Stack {
  public readonly identity: WorkloadIdentity;
  public readonly database?: ServiceDatabase;
  public readonly cache?: ServiceCache;
  /** The role External Secrets assumes to read the service's secrets, when it has a data store. */
  public readonly secretReader?: SecretReaderRole;

  public constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const { environment, service } = props;
    const naming = new EnvironmentNaming(props.organization, environment);

    this.identity = new WorkloadIdentity(this, 'Identity', {
      clusterName: naming.clusterName,
      serviceAccount: serviceAccountOf(service),
      roleName: naming.workloadRoleName(service.name),
      description: `Pods of ${service.name} in ${naming.clusterName}`,
    });
    for (const statement of servicePolicyStatements(this, naming, service)) this.identity.addToPolicy(statement);
    if (service.dependencies.database) {
      acknowledgeWildcards(
        this.identity.role,
        `rds-db:connect names the user ${naming.databaseUserName(service.name)}, which only the service's own instance has (the naming contract makes it unique in the account); the wildcard stands for that instance's DbiResourceId.`,
      );
    }

    const common = { vpc: props.vpc, environment, naming, clientSecurityGroup: props.clientSecurityGroup, service };
    if (service.dependencies.database) this.database = new ServiceDatabase(this, 'Postgres', common);
    if (service.dependencies.cache) this.cache = new ServiceCache(this, 'Cache', common);
    if (this.database || this.cache) {
      // The alarms of the service's data stores sit beside them and notify the environment's topic by name: the
      // caller makes the stack depend on the messaging stack, which creates it.
      const notification = { topic: environmentAlarmTopic(this, environment), environment };
      if (this.database) {
        new DatabaseAlarms(this, 'PostgresAlarms', {
          instance: this.database.instance,
          instanceIdentifier: naming.databaseInstanceIdentifier(service.name),
          thresholds: databaseAlarmThresholds(environment),
          notification,
        });
      }
      if (this.cache) {
        new CacheAlarms(this, 'CacheAlarms', {
          replicationGroupId: naming.cacheReplicationGroupId(service.name),
          nodes: 1 + environment.cache.replicas,
          thresholds: cacheAlarmThresholds(environment),
          notification,
        });
      }
    }
    const reader = serviceSecretReader(naming, service);
    if (reader) {
      // The cluster stack (a dependency) creates the controller role this role's trust names.
      this.secretReader = new SecretReaderRole(this, 'SecretReader', {
        reader,
        controllerRoleArn: naming.addonRoleArn('externalSecrets'),
        clusterName: naming.clusterName,
      });
    }
    tagResources(this, environment.name, environment.tags);
  }
}
