import {
  AWS_NAME_LIMITS,
  DATA_STORE_PORTS,
  type Environment,
  type EnvironmentNaming,
  type Service,
  UserError,
} from '@platform/model';
import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';
import { SECRETS_WITH_AWS_MANAGED_KEY, skipCheckov } from './checkov-skips';
import { ConnectionParameters } from './connection-parameters';
import { dataStoreRemovalPolicy, retainWithDataStore } from './data-removal';
import { SUBNET_GROUP_NAMES } from './platform-network';

/** Valkey, the open-source Redis-compatible engine ElastiCache recommends; clients speak the Redis protocol. */
export const CACHE_ENGINE = { engine: 'valkey', engineVersion: '8.1' } as const;

/** The user name clients present with the auth token (Valkey's default user). */
export const CACHE_USERNAME = 'default';

export interface ServiceCacheProps {
  readonly vpc: ec2.IVpc;
  readonly environment: Environment;
  readonly naming: EnvironmentNaming;
  readonly service: Service;
  /** Only this security group (the cluster's nodes) may connect. */
  readonly clientSecurityGroup: ec2.ISecurityGroup;
}

/**
 * A service's own Valkey replication group in the isolated subnets: TLS in transit with an auth
 * token generated into Secrets Manager under the contract's name, encrypted at rest with its own
 * key, automatic failover across AZs whenever the model gives it a replica.
 */
export class ServiceCache extends Construct {
  public readonly replicationGroup: elasticache.CfnReplicationGroup;
  public readonly authToken: secretsmanager.Secret;

  public constructor(scope: Construct, id: string, props: ServiceCacheProps) {
    super(scope, id);
    const { environment, naming, service } = props;
    const settings = environment.cache;
    const port = DATA_STORE_PORTS.redis;
    const highlyAvailable = settings.replicas > 0;

    const key = new kms.Key(this, 'StorageKey', {
      description: `Storage of the ${service.name} cache in ${naming.prefix}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.authToken = new secretsmanager.Secret(this, 'AuthToken', {
      secretName: naming.credentialsSecretName(service.name, 'redis'),
      description: `Auth token of the ${service.name} cache`,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: CACHE_USERNAME }),
        generateStringKey: 'password',
        // ElastiCache auth tokens allow printable characters except these.
        excludePunctuation: true,
        passwordLength: 64,
      },
    });
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Valkey of ${service.name}, admits the cluster nodes only`,
      allowAllOutbound: false,
    });
    securityGroup.addIngressRule(props.clientSecurityGroup, ec2.Port.tcp(port), 'Valkey from the cluster');
    const subnetGroup = new elasticache.CfnSubnetGroup(this, 'SubnetGroup', {
      description: `Isolated subnets of the ${service.name} cache`,
      subnetIds: props.vpc.selectSubnets({ subnetGroupName: SUBNET_GROUP_NAMES.isolated }).subnetIds,
    });

    this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'ReplicationGroup', {
      replicationGroupId: replicationGroupId(environment, naming.cacheReplicationGroupId(service.name)),
      replicationGroupDescription: `Cache of ${service.name} in ${naming.prefix}`,
      engine: CACHE_ENGINE.engine,
      engineVersion: CACHE_ENGINE.engineVersion,
      cacheNodeType: settings.nodeType,
      numCacheClusters: 1 + settings.replicas,
      automaticFailoverEnabled: highlyAvailable,
      multiAzEnabled: highlyAvailable,
      port,
      cacheSubnetGroupName: subnetGroup.ref,
      securityGroupIds: [securityGroup.securityGroupId],
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      authToken: this.authToken.secretValueFromJson('password').unsafeUnwrap(),
      atRestEncryptionEnabled: true,
      kmsKeyId: key.keyArn,
      snapshotRetentionLimit: settings.snapshotRetentionDays,
      autoMinorVersionUpgrade: true,
    });

    // A final snapshot, or the group kept (environment.removalPolicy). A restored snapshot gets a new auth token,
    // so the token is kept only with a kept group.
    this.replicationGroup.applyRemovalPolicy(dataStoreRemovalPolicy(environment));
    retainWithDataStore(environment, this.authToken, securityGroup, subnetGroup);

    skipCheckov(this.authToken, 'CKV_AWS_149', SECRETS_WITH_AWS_MANAGED_KEY);
    acknowledge(
      this.authToken,
      'AwsSolutions-SMG4',
      'An ElastiCache auth token is changed with a ROTATE-then-SET update of the replication group, which Secrets Manager rotation cannot drive; rotate it with a stack update (see docs/aws.md).',
    );
    if (!highlyAvailable) {
      acknowledge(
        this.replicationGroup,
        'AwsSolutions-AEC4',
        `The model gives ${environment.name} caches no replica (cache.replicas: 0), so there is nothing to fail over to; environments with replicas run Multi-AZ.`,
      );
    }

    new ConnectionParameters(this, 'ConnectionParameters', {
      naming,
      serviceName: service.name,
      store: 'redis',
      facts: { host: this.replicationGroup.attrPrimaryEndPointAddress, port: String(port) },
    });
  }
}

/** ElastiCache replication group IDs have at most 40 characters: the validator's rule, asserted where the ID is used. */
function replicationGroupId(environment: Environment, id: string): string {
  if (id.length > AWS_NAME_LIMITS.elastiCacheReplicationGroup) {
    throw new UserError(
      `environment '${environment.name}': the cache ID '${id}' (organization-environment-service) has ${id.length} characters; ElastiCache allows 40. Shorten the service or environment name.`,
    );
  }
  return id;
}
