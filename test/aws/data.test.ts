import { CACHE_ENGINE, POSTGRES_LOG_EXPORTS } from '@platform/aws-platform';
import { CONNECTION_PARAMETERS, DATA_STORE_PORTS, serviceStackId } from '@platform/model';
import { Match } from 'aws-cdk-lib/assertions';
import { type CloudTemplates, MODEL_ENVIRONMENTS, resourcesOfType, shippedCloud } from './cloud-assembly';

let synthesized: CloudTemplates;
beforeAll(() => {
  synthesized = shippedCloud();
});

const servicesWith = (store: 'database' | 'cache') =>
  synthesized.model.services.filter((service) => service.dependencies[store]).map((service) => service.name);

/**
 * The data stores of an environment: the resources of every service stack in one template, each stack's logical IDs
 * behind its stack ID (`stackPrefix`).
 */
const dataStores = (name: string) =>
  synthesized.combined(
    synthesized.model.services.map((service) => serviceStackId(name, service.name)),
    false,
  );

/** The logical ID prefix of a service's stack in `dataStores`. */
const stackPrefix = (name: string, service: string) => serviceStackId(name, service).replace(/[^A-Za-z0-9]/g, '');

/** Every ingress rule of the data stores' security groups, inline or separate, as "source -> port". */
function ingressRules(name: string): string[] {
  const template = dataStores(name);
  const inline = Object.values(resourcesOfType(template, 'AWS::EC2::SecurityGroup')).flatMap(
    ({ Properties }) => (Properties.SecurityGroupIngress ?? []) as Record<string, unknown>[],
  );
  const separate = Object.values(resourcesOfType(template, 'AWS::EC2::SecurityGroupIngress')).map(
    ({ Properties }) => Properties,
  );
  return [...inline, ...separate].map((rule) => `${sourceOf(rule)} -> ${portOf(rule.FromPort)}`).sort();
}

function sourceOf(rule: Record<string, unknown>): string {
  const text = JSON.stringify(rule.SourceSecurityGroupId ?? rule.CidrIp ?? rule.CidrIpv6 ?? rule.SourcePrefixListId);
  if (/^\{"Fn::ImportValue":".*PlatformNodeSecurityGroup.*GroupId/.test(text)) return 'cluster nodes';
  const rotation = /^\{"Fn::GetAtt":\["(\w+)InstanceRotationSingleUserSecurityGroup\w+","GroupId"\]\}$/.exec(text);
  if (rotation) return `rotation of ${rotation[1]}`;
  if (/^\{"Fn::GetAtt":\["\w*DatabaseUserProviderSecurityGroup\w+","GroupId"\]\}$/.test(text))
    return 'database user function';
  return text;
}

function portOf(port: unknown): string {
  return /^\{"Fn::GetAtt":\["\w+Instance\w+","Endpoint.Port"\]\}$/.test(JSON.stringify(port))
    ? 'instance port'
    : String(port);
}

describe.each(MODEL_ENVIRONMENTS)('%s data stores', (name) => {
  const template = () => dataStores(name);
  const database = () => synthesized.environment(name).database;

  test('one PostgreSQL instance per service that declares a database, with its contract database name', () => {
    const instances = Object.values(resourcesOfType(template(), 'AWS::RDS::DBInstance')).map(
      ({ Properties }) => Properties,
    );
    expect(instances.map((instance) => instance.DBName).sort()).toEqual(
      servicesWith('database')
        .map((service) => synthesized.naming(name).databaseName(service))
        .sort(),
    );
  });

  test('PostgreSQL is hardened: current major, encrypted, IAM auth, Performance Insights, log exports, isolated subnets', () => {
    const instances = Object.values(resourcesOfType(template(), 'AWS::RDS::DBInstance'));
    for (const { Properties, DeletionPolicy, UpdateReplacePolicy } of instances) {
      expect(Properties).toMatchObject({
        Engine: 'postgres',
        EngineVersion: '18',
        StorageEncrypted: true,
        EnableIAMDatabaseAuthentication: true,
        EnablePerformanceInsights: true,
        EnableCloudwatchLogsExports: [...POSTGRES_LOG_EXPORTS],
        PubliclyAccessible: false,
        Port: String(DATA_STORE_PORTS.postgres),
        DBInstanceClass: database().instanceClass,
        MultiAZ: database().multiAz,
        DeletionProtection: database().deletionProtection,
        BackupRetentionPeriod: database().backupRetentionDays,
        AllocatedStorage: String(database().allocatedStorageGiB),
        MaxAllocatedStorage: database().maxAllocatedStorageGiB,
        StorageType: 'gp3',
        CopyTagsToSnapshot: true,
        AutoMinorVersionUpgrade: true,
        PerformanceInsightsRetentionPeriod: 7,
        // The admin user is named after the database: `<service>` with '_' for '-'.
        MasterUsername: Properties.DBName,
      });
      expect(Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/StorageKey/), 'Arn'] });
      const logGroups = Object.values(resourcesOfType(template(), 'AWS::Logs::LogGroup'))
        .map((logGroup) => logGroup.Properties)
        .filter(({ LogGroupName }) =>
          String(LogGroupName).startsWith(`/aws/rds/instance/${Properties.DBInstanceIdentifier}/`),
        );
      expect(logGroups.map(({ LogGroupName }) => String(LogGroupName).split('/').pop()).sort()).toEqual(
        [...POSTGRES_LOG_EXPORTS].sort(),
      );
      for (const logGroup of logGroups) {
        expect(logGroup).toMatchObject({ RetentionInDays: 30, KmsKeyId: Properties.KmsKeyId });
      }
      const removal = synthesized.environment(name).removalPolicy === 'retain' ? 'Retain' : 'Snapshot';
      expect(DeletionPolicy).toBe(removal);
      expect(UpdateReplacePolicy).toBe(removal);
    }
    template().hasResourceProperties('AWS::RDS::DBSubnetGroup', {
      SubnetIds: Match.arrayWith([Match.objectLike({ 'Fn::ImportValue': Match.stringLikeRegexp('isolatedSubnet1') })]),
    });
  });

  test('TLS is enforced through the parameter group', () => {
    template().hasResourceProperties('AWS::RDS::DBParameterGroup', { Parameters: { 'rds.force_ssl': '1' } });
  });

  test('credentials are generated under the contract secret name and rotated', () => {
    const secrets = Object.values(resourcesOfType(template(), 'AWS::SecretsManager::Secret')).map(
      ({ Properties }) => Properties.Name,
    );
    for (const service of servicesWith('database')) {
      expect(secrets).toContain(synthesized.naming(name).credentialsSecretName(service, 'postgres'));
    }
    template().resourceCountIs('AWS::SecretsManager::RotationSchedule', servicesWith('database').length);
    for (const { Properties } of Object.values(resourcesOfType(template(), 'AWS::SecretsManager::RotationSchedule'))) {
      expect(Properties.RotationRules).toEqual({ ScheduleExpression: 'rate(30 days)' });
    }
  });

  test('the data stores reach nothing themselves: their security groups allow no egress', () => {
    const groups = Object.values(resourcesOfType(template(), 'AWS::EC2::SecurityGroup'))
      .map(({ Properties }) => Properties)
      .filter(({ GroupDescription }) => /admits the cluster nodes only/.test(String(GroupDescription)));
    expect(groups).toHaveLength(servicesWith('database').length + servicesWith('cache').length);
    for (const group of groups) {
      // CDK's placeholder for "no egress": one ICMP rule to 255.255.255.255/32 that matches nothing.
      expect(group.SecurityGroupEgress).toEqual([
        expect.objectContaining({
          CidrIp: '255.255.255.255/32',
          IpProtocol: 'icmp',
          Description: 'Disallow all traffic',
        }),
      ]);
    }
  });

  test('only the cluster nodes reach PostgreSQL and Valkey, plus each database its own rotation function and the database user function', () => {
    const logicalPrefix = (service: string) => `${stackPrefix(name, service)}Postgres`;
    expect(ingressRules(name)).toEqual(
      [
        ...servicesWith('database').map(() => `cluster nodes -> ${DATA_STORE_PORTS.postgres}`),
        ...servicesWith('database').map((service) => `rotation of ${logicalPrefix(service)} -> instance port`),
        ...servicesWith('database').map(() => 'database user function -> instance port'),
        ...servicesWith('cache').map(() => `cluster nodes -> ${DATA_STORE_PORTS.redis}`),
      ].sort(),
    );
  });

  test('each database gets its service user, named per environment, created with the master secret of its instance', () => {
    const naming = synthesized.naming(name);
    const instanceOf = (service: string) =>
      Object.entries(resourcesOfType(template(), 'AWS::RDS::DBInstance')).find(
        ([, { Properties }]) => Properties.DBInstanceIdentifier === naming.databaseInstanceIdentifier(service),
      )?.[0];
    const users = Object.values(resourcesOfType(template(), 'Custom::DatabaseUser')).map(({ Properties }) => ({
      user: Properties.UserName,
      database: Properties.DatabaseName,
      host: Properties.Host,
      secret: Properties.MasterSecretArn,
      version: Properties.HandlerVersion,
    }));
    expect(users).toEqual(
      servicesWith('database').map((service) => {
        const instance = instanceOf(service);
        expect(instance).toBeDefined();
        return {
          user: `${service.replaceAll('-', '_')}_${name.replaceAll('-', '_')}`,
          database: service.replaceAll('-', '_'),
          host: { 'Fn::GetAtt': [instance, 'Endpoint.Address'] },
          secret: {
            Ref: expect.stringMatching(new RegExp(`^${instance?.replace(/[0-9A-F]{8}$/, '')}SecretAttachment`)),
          },
          version: expect.stringMatching(/^[0-9a-f]{32}$/),
        };
      }),
    );
    // Who logs in as it is the workload role's to say (cluster.test.ts): no other policy names a database user.
    const others = Object.values(resourcesOfType(template(), 'AWS::IAM::Policy')).filter(
      ({ Properties }) => !JSON.stringify(Properties.Roles).includes('IdentityRole'),
    );
    expect(others.length).toBeGreaterThan(0);
    expect(JSON.stringify(others)).not.toContain('rds-db');
  });

  test('the database user function reaches only its database and HTTPS, from the private subnets', () => {
    for (const service of synthesized.model.services) {
      const prefix = `${stackPrefix(name, service.name)}DatabaseUserProviderSecurityGroup`;
      const groups = Object.entries(resourcesOfType(template(), 'AWS::EC2::SecurityGroup')).filter(([id]) =>
        id.startsWith(prefix),
      );
      if (!service.dependencies.database) {
        expect(groups).toEqual([]);
        continue;
      }
      expect(groups).toHaveLength(1);
      const egress = [
        ...((groups[0]?.[1].Properties.SecurityGroupEgress ?? []) as Record<string, unknown>[]),
        ...Object.values(resourcesOfType(template(), 'AWS::EC2::SecurityGroupEgress'))
          .map(({ Properties }) => Properties)
          .filter((rule) => JSON.stringify(rule.GroupId).includes(prefix)),
      ].map((rule) => `${rule.CidrIp ?? 'database'} ${portOf(rule.FromPort)}`);
      expect(egress.sort()).toEqual(['0.0.0.0/0 443', 'database instance port']);
    }
  });

  test('connection facts are published under the contract parameter names', () => {
    const parameters = Object.values(resourcesOfType(template(), 'AWS::SSM::Parameter')).map(
      ({ Properties }) => Properties,
    );
    const naming = synthesized.naming(name);
    const expectedNames = [
      ...servicesWith('database').flatMap((service) =>
        CONNECTION_PARAMETERS.postgres.map((key) => naming.connectionParameterName(service, 'postgres', key)),
      ),
      ...servicesWith('cache').flatMap((service) =>
        CONNECTION_PARAMETERS.redis.map((key) => naming.connectionParameterName(service, 'redis', key)),
      ),
    ];
    expect(parameters.map((parameter) => parameter.Name).sort()).toEqual(expectedNames.sort());
    const parameterValue = (parameterName: string) =>
      parameters.find((parameter) => parameter.Name === parameterName)?.Value;
    for (const service of servicesWith('database')) {
      expect(parameterValue(naming.connectionParameterName(service, 'postgres', 'port'))).toBe('5432');
      expect(parameterValue(naming.connectionParameterName(service, 'postgres', 'database'))).toBe(
        service.replaceAll('-', '_'),
      );
      expect(parameterValue(naming.connectionParameterName(service, 'postgres', 'host'))).toEqual({
        'Fn::GetAtt': [
          expect.stringMatching(new RegExp(`^${stackPrefix(name, service)}PostgresInstance`)),
          'Endpoint.Address',
        ],
      });
    }
    for (const service of servicesWith('cache')) {
      expect(parameterValue(naming.connectionParameterName(service, 'redis', 'port'))).toBe('6379');
    }
  });

  test('Valkey: TLS with an auth token from Secrets Manager, KMS at rest, failover and Multi-AZ when the model gives replicas', () => {
    const cache = synthesized.environment(name).cache;
    const groups = Object.values(resourcesOfType(template(), 'AWS::ElastiCache::ReplicationGroup')).map(
      ({ Properties }) => Properties,
    );
    expect(groups).toHaveLength(servicesWith('cache').length);
    for (const service of servicesWith('cache')) {
      const group = groups.find(
        ({ ReplicationGroupId }) => ReplicationGroupId === `${synthesized.naming(name).prefix}-${service}`,
      );
      expect(group).toBeDefined();
      expect(group).toMatchObject({
        Engine: CACHE_ENGINE.engine,
        TransitEncryptionEnabled: true,
        TransitEncryptionMode: 'required',
        AtRestEncryptionEnabled: true,
        CacheNodeType: cache.nodeType,
        NumCacheClusters: 1 + cache.replicas,
        AutomaticFailoverEnabled: cache.replicas > 0,
        MultiAZEnabled: cache.replicas > 0,
        SnapshotRetentionLimit: cache.snapshotRetentionDays,
        Port: DATA_STORE_PORTS.redis,
      });
      expect(JSON.stringify(group?.AuthToken)).toMatch(
        new RegExp(
          `^\\{"Fn::Join":\\["",\\["\\{\\{resolve:secretsmanager:",\\{"Ref":"${stackPrefix(name, service)}CacheAuthToken`,
        ),
      );
      expect(JSON.stringify(group?.AuthToken)).toContain(':SecretString:password::}}');
      expect(group?.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/StorageKey/), 'Arn'] });
      expect(group?.AutoMinorVersionUpgrade).toBe(true);
      template().hasResourceProperties('AWS::SecretsManager::Secret', {
        Name: synthesized.naming(name).credentialsSecretName(service, 'redis'),
        GenerateSecretString: Match.objectLike({ GenerateStringKey: 'password', ExcludePunctuation: true }),
      });
    }
  });
});
