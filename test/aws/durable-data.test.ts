import { CONTROL_PLANE_LOG_RETENTION, PlatformClusterChecks } from '@platform/aws-platform';
import { environmentStackIds, queueStackId, serviceStackId } from '@platform/model';
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { testCdkApp } from '../support/cdk-app';
import { type CloudTemplates, MODEL_ENVIRONMENTS, resourcesOfType, shippedCloud } from './cloud-assembly';

/**
 * What a stack deletion or a removal from the model does to each stateful resource, read from the templates as
 * CloudFormation reads them (DeletionPolicy), and the cluster's own protections; expectations come from the model.
 */
const synthesized: CloudTemplates = shippedCloud();

describe.each(MODEL_ENVIRONMENTS)('%s', (name) => {
  const environment = () => synthesized.environment(name);
  const retains = () => environment().removalPolicy === 'retain';
  /** Every service stack of the environment as one template: its data stores. */
  const dataStores = () =>
    synthesized.combined(
      synthesized.model.services.map((service) => serviceStackId(name, service.name)),
      false,
    );

  test('every database and cache is snapshotted on removal, or retained where the model retains', () => {
    const data = dataStores();
    const stores = {
      ...resourcesOfType(data, 'AWS::RDS::DBInstance'),
      ...resourcesOfType(data, 'AWS::ElastiCache::ReplicationGroup'),
    };
    const expected =
      synthesized.model.services.filter((service) => service.dependencies.database).length +
      synthesized.model.services.filter((service) => service.dependencies.cache).length;
    expect(Object.keys(stores)).toHaveLength(expected);
    for (const [id, resource] of Object.entries(stores)) {
      expect([id, resource.DeletionPolicy, resource.UpdateReplacePolicy]).toEqual(
        retains() ? [id, 'Retain', 'Retain'] : [id, 'Snapshot', 'Snapshot'],
      );
    }
  });

  test('database credentials stay with the snapshot; cache tokens, security groups and subnet groups with a retained store', () => {
    const data = dataStores();
    const naming = synthesized.naming(name);
    for (const service of synthesized.model.services) {
      for (const store of ['postgres', 'redis'] as const) {
        if (!service.dependencies[store === 'postgres' ? 'database' : 'cache']) continue;
        const secret = Object.values(resourcesOfType(data, 'AWS::SecretsManager::Secret')).find(
          ({ Properties }) => Properties.Name === naming.credentialsSecretName(service.name, store),
        );
        expect(secret?.DeletionPolicy).toBe(store === 'postgres' || retains() ? 'Retain' : 'Delete');
      }
    }
    for (const type of ['AWS::EC2::SecurityGroup', 'AWS::RDS::DBSubnetGroup', 'AWS::ElastiCache::SubnetGroup']) {
      // The stores' own groups; the rotation function's security group goes with the function.
      const own = Object.values(resourcesOfType(data, type)).filter(
        ({ Properties }) =>
          type !== 'AWS::EC2::SecurityGroup' || /^(PostgreSQL|Valkey) of /.test(String(Properties.GroupDescription)),
      );
      expect(own.length).toBeGreaterThan(0);
      for (const resource of own) {
        if (retains()) expect(resource.DeletionPolicy).toBe('Retain');
      }
    }
  });

  test('where the model retains, no resource that holds data or a value set by hand goes with its stack', () => {
    if (!retains()) return;
    const holding = [
      'AWS::RDS::DBInstance',
      'AWS::ElastiCache::ReplicationGroup',
      'AWS::SQS::Queue',
      'AWS::SecretsManager::Secret',
      'AWS::KMS::Key',
      'AWS::Logs::LogGroup',
    ];
    const lost = environmentStackIds(synthesized.model, name)
      .slice(1)
      .flatMap((stack) =>
        holding.flatMap((type) =>
          Object.entries(resourcesOfType(synthesized.template(stack), type))
            .filter(([, resource]) => resource.DeletionPolicy !== 'Retain' && resource.DeletionPolicy !== 'Snapshot')
            // A queue that keeps messages 5 minutes at most (Karpenter's interruption notices) holds nothing to keep.
            .filter(
              ([, resource]) =>
                !(type === 'AWS::SQS::Queue' && Number(resource.Properties.MessageRetentionPeriod) <= 300),
            )
            .map(([id]) => `${stack}/${id} (${type})`),
        ),
      );
    expect(lost).toEqual([]);
  });

  test("automated backups are copied to the model's second region, if it names one", () => {
    const replication = environment().database.backupReplication;
    for (const { Properties } of Object.values(resourcesOfType(dataStores(), 'AWS::RDS::DBInstance'))) {
      expect(Properties.AutomaticBackupReplicationRegion).toBe(replication?.region);
      expect(Properties.AutomaticBackupReplicationKmsKeyId).toBe(replication?.kmsKeyArn);
    }
  });

  test('queues and their dead-letter queues (with their TLS-only policies) are retained where the model retains', () => {
    const messaging = synthesized.combined(
      synthesized.model.queues.map((queue) => queueStackId(name, queue.name)),
      false,
    );
    const queues = {
      ...resourcesOfType(messaging, 'AWS::SQS::Queue'),
      ...resourcesOfType(messaging, 'AWS::SQS::QueuePolicy'),
    };
    expect(Object.keys(queues).length).toBe(4 * synthesized.model.queues.length);
    for (const resource of Object.values(queues)) {
      expect(resource.DeletionPolicy).toBe(retains() ? 'Retain' : 'Delete');
    }
  });

  test('the cluster: deletion protection as the model says, standard support only, control-plane logs kept and encrypted', () => {
    const cluster = synthesized.template(`${name}-cluster`);
    const [[clusterId, resource]] = Object.entries(resourcesOfType(cluster, 'AWS::EKS::Cluster'));
    expect(resource.Properties.DeletionProtection).toBe(environment().cluster.deletionProtection);
    expect(resource.Properties.UpgradePolicy).toEqual({ SupportType: 'STANDARD' });
    const logGroupName = `/aws/eks/${synthesized.naming(name).clusterName}/cluster`;
    const [[logGroupId, logGroup]] = Object.entries(resourcesOfType(cluster, 'AWS::Logs::LogGroup')).filter(
      ([, candidate]) => candidate.Properties.LogGroupName === logGroupName,
    );
    expect(logGroup.Properties.RetentionInDays).toBe(CONTROL_PLANE_LOG_RETENTION);
    expect(logGroup.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
    expect(logGroup.DeletionPolicy).toBe('Retain');
    // EKS creates the group itself (no expiry, no key) unless ours exists first.
    expect(resource.DependsOn).toContain(logGroupId);
    expect(clusterId).toBeDefined();
  });
});

test('the platform cluster rules flag an aws-eks-v2 cluster left at its defaults, which cdk-nag does not check', () => {
  const app = testCdkApp();
  const stack = new Stack(app, 'bare', { env: { account: '111111111111', region: 'us-east-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc');
  new eks.Cluster(stack, 'Cluster', {
    version: eks.KubernetesVersion.V1_35,
    vpc,
    defaultCapacity: 0,
    defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
  });
  const report = new PlatformClusterChecks(app).validateScope(app);
  const rules = new Set(report.violations.map((violation) => violation.ruleName.replace(/\[.*$/, '')));
  expect([...rules].sort()).toEqual([
    'PlatformCluster-EKS1',
    'PlatformCluster-EKS2',
    'PlatformCluster-EKS3',
    'PlatformCluster-EKS4',
    'PlatformCluster-EKS5',
    'PlatformCluster-EKS6',
  ]);
});
