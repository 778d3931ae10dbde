import { DATA_STORE_PORTS, type Environment, type EnvironmentNaming, type Service } from '@platform/model';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeManagedPolicies } from './acknowledge';
import { SECRETS_WITH_AWS_MANAGED_KEY, skipCheckov } from './checkov-skips';
import { ConnectionParameters } from './connection-parameters';
import { applyRetain, dataStoreRemovalPolicy, retainWithDataStore } from './data-removal';
import { DatabaseUser } from './database-users/database-user';
import { allowLogGroupEncryption } from './log-encryption';
import { SUBNET_GROUP_NAMES } from './platform-network';

/** The PostgreSQL major version every service database runs. */
export const POSTGRES_ENGINE_VERSION = rds.PostgresEngineVersion.VER_18;

/** Logs the instance exports to CloudWatch Logs. */
export const POSTGRES_LOG_EXPORTS = ['postgresql', 'upgrade'] as const;

/**
 * How often Enhanced Monitoring samples the instance's OS (CPU steal, memory, swap, per-process use),
 * which Performance Insights and CloudWatch's hypervisor metrics do not show. 60 s is the coarsest
 * interval RDS offers (1, 5, 10, 15, 30 or 60 s), priced by volume of RDSOSMetrics log data.
 */
export const ENHANCED_MONITORING_INTERVAL = Duration.seconds(60);

export interface ServiceDatabaseProps {
  readonly vpc: ec2.IVpc;
  readonly environment: Environment;
  readonly naming: EnvironmentNaming;
  readonly service: Service;
  /** Only this security group (the cluster's nodes) may connect. */
  readonly clientSecurityGroup: ec2.ISecurityGroup;
}

/**
 * A service's own PostgreSQL instance in the isolated subnets: encrypted with its own key, TLS
 * only, IAM authentication on, master credentials generated into Secrets Manager under the contract's
 * name and rotated (break-glass only), the service's own user (`user`, IAM authentication only; grant
 * its workload role may connect as it: `servicePolicyStatements`), connection facts published for External Secrets.
 */
export class ServiceDatabase extends Construct {
  public readonly instance: rds.DatabaseInstance;
  /** The user the service connects as (IAM authentication); the master user is for break-glass only. */
  public readonly user: DatabaseUser;

  public constructor(scope: Construct, id: string, props: ServiceDatabaseProps) {
    super(scope, id);
    const { environment, naming, service } = props;
    const settings = environment.database;
    const port = DATA_STORE_PORTS.postgres;
    const engine = rds.DatabaseInstanceEngine.postgres({ version: POSTGRES_ENGINE_VERSION });

    const key = new kms.Key(this, 'StorageKey', {
      description: `Storage of the ${service.name} database in ${naming.prefix}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `PostgreSQL of ${service.name}, admits the cluster nodes only`,
      allowAllOutbound: false,
    });
    securityGroup.addIngressRule(props.clientSecurityGroup, ec2.Port.tcp(port), 'PostgreSQL from the cluster');

    const instanceIdentifier = naming.databaseInstanceIdentifier(service.name);
    // Created here rather than by RDS so retention is set without a log-retention function, and
    // encrypted with the instance's key: PostgreSQL logs can quote the data of failed statements.
    const logGroupPrefix = `/aws/rds/instance/${instanceIdentifier}/`;
    allowLogGroupEncryption(key, `${logGroupPrefix}*`);
    const logGroups = POSTGRES_LOG_EXPORTS.map(
      (log) =>
        new logs.LogGroup(this, `${log}-logs`, {
          logGroupName: `${logGroupPrefix}${log}`,
          retention: logs.RetentionDays.ONE_MONTH,
          encryptionKey: key,
          removalPolicy: RemovalPolicy.RETAIN,
        }),
    );
    const credentials = rds.Credentials.fromGeneratedSecret(naming.databaseName(service.name), {
      secretName: naming.credentialsSecretName(service.name, 'postgres'),
    });
    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: `TLS-only PostgreSQL for ${service.name}`,
      parameters: { 'rds.force_ssl': '1' },
    });
    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      engine,
      instanceType: new ec2.InstanceType(settings.instanceClass.replace(/^db\./, '')),
      instanceIdentifier,
      vpc: props.vpc,
      vpcSubnets: { subnetGroupName: SUBNET_GROUP_NAMES.isolated },
      securityGroups: [securityGroup],
      port,
      databaseName: naming.databaseName(service.name),
      credentials,
      parameterGroup,
      allocatedStorage: settings.allocatedStorageGiB,
      maxAllocatedStorage: settings.maxAllocatedStorageGiB,
      storageType: rds.StorageType.GP3,
      storageEncrypted: true,
      storageEncryptionKey: key,
      multiAz: settings.multiAz,
      deletionProtection: settings.deletionProtection,
      // A final snapshot, or the instance kept (environment.removalPolicy): a removal never silently loses data.
      removalPolicy: dataStoreRemovalPolicy(environment),
      backupRetention: Duration.days(settings.backupRetentionDays),
      iamAuthentication: true,
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: key,
      monitoringInterval: ENHANCED_MONITORING_INTERVAL,
      cloudwatchLogsExports: [...POSTGRES_LOG_EXPORTS],
      autoMinorVersionUpgrade: true,
      copyTagsToSnapshot: true,
      publiclyAccessible: false,
    });
    for (const logGroup of logGroups) this.instance.node.addDependency(logGroup);
    // A snapshot restores the master password it was taken with, which only this secret holds: kept always.
    const secret = this.instance.node.tryFindChild('Secret');
    if (secret) applyRetain(secret);
    retainWithDataStore(environment, securityGroup, parameterGroup, this.instance.node.tryFindChild('SubnetGroup'));
    const replication = settings.backupReplication;
    if (replication) {
      // RDS copies the automated backups (snapshots and transaction logs) to the second region, kept as long as here.
      const resource = this.instance.node.defaultChild as rds.CfnDBInstance;
      resource.automaticBackupReplicationRegion = replication.region;
      resource.automaticBackupReplicationKmsKeyId = replication.kmsKeyArn;
    }
    this.acknowledgeFindings(environment);
    this.instance.addRotationSingleUser({
      automaticallyAfter: Duration.days(30),
      vpcSubnets: { subnetGroupName: SUBNET_GROUP_NAMES.private },
    });

    this.user = new DatabaseUser(this, 'ServiceUser', {
      instance: this.instance,
      vpc: props.vpc,
      databaseName: naming.databaseName(service.name),
      userName: naming.databaseUserName(service.name),
    });

    new ConnectionParameters(this, 'ConnectionParameters', {
      naming,
      serviceName: service.name,
      store: 'postgres',
      facts: {
        host: this.instance.dbInstanceEndpointAddress,
        port: String(port),
        database: naming.databaseName(service.name),
      },
    });
  }

  private acknowledgeFindings(environment: Environment): void {
    const monitoringRole = this.instance.node.tryFindChild('MonitoringRole');
    if (monitoringRole) {
      acknowledgeManagedPolicies(
        monitoringRole,
        'AmazonRDSEnhancedMonitoringRole is the policy RDS documents for Enhanced Monitoring: it lets RDS write OS metrics to the RDSOSMetrics log group, nothing else.',
      );
    }
    // instance.secret is the secret's attachment to the instance; the generated secret is the child 'Secret'.
    const secret = this.instance.node.tryFindChild('Secret');
    if (secret instanceof secretsmanager.Secret) skipCheckov(secret, 'CKV_AWS_149', SECRETS_WITH_AWS_MANAGED_KEY);
    acknowledge(
      this.instance,
      'AwsSolutions-RDS11',
      'PostgreSQL listens on its standard port: the port is part of the naming contract (DATA_STORE_PORTS) that the Kubernetes network policies use, and only the cluster node security group may reach it.',
    );
    if (!environment.database.multiAz) {
      acknowledge(
        this.instance,
        'AwsSolutions-RDS3',
        `The model runs ${environment.name} databases in one AZ (database.multiAz: false) to save cost; backups cover its data.`,
      );
      skipCheckov(
        this.instance,
        'CKV_AWS_157',
        `The model runs ${environment.name} databases in one AZ (database.multiAz: false) to save cost; automated backups and the final snapshot cover its data.`,
      );
    }
    if (!environment.database.deletionProtection) {
      acknowledge(
        this.instance,
        'AwsSolutions-RDS10',
        `The model turns deletion protection off in ${environment.name} (database.deletionProtection: false) so it can be torn down; a final snapshot is still taken.`,
      );
    }
  }
}
