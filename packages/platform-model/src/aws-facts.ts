/**
 * Facts about AWS that model rules need, kept here because the model package depends on nothing but zod.
 * Each names its upstream; test/model/aws-facts.test.ts compares them with aws-cdk-lib, so drift fails.
 */

/**
 * Retention periods (days) CloudWatch Logs accepts, as aws-cdk-lib 2.276.0 lists them in `logs.RetentionDays`
 * (aws-logs/lib/log-group.ts), without `INFINITE`: the CloudWatch Logs API `PutRetentionPolicy` refuses others.
 */
export const CLOUDWATCH_LOGS_RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/**
 * The blocks EKS assigns Kubernetes Service addresses from when a cluster names none (the platform's clusters do
 * not): one or the other, whichever does not overlap the VPC. The API server's in-cluster address
 * (`kubernetes.default.svc`) is in it. EKS API reference, KubernetesNetworkConfigRequest `serviceIpv4Cidr`.
 */
export const EKS_DEFAULT_SERVICE_IPV4_CIDRS: readonly string[] = ['10.100.0.0/16', '172.20.0.0/16'];

/**
 * The shape of an EC2 instance type that aws-cdk-lib 2.276.0 can read (`InstanceType.architecture`,
 * aws-ec2/lib/instance-types.ts): family letters, a generation of 1–2 digits, capability letters, '.', size.
 */
const INSTANCE_TYPE = /^([a-z]+)(\d{1,2})([a-z-]*)\.([a-z0-9-]+)$/;

export type InstanceArchitecture = 'arm64' | 'x86_64';

/**
 * The CPU architecture of an EC2 instance type, by aws-cdk-lib 2.276.0's rule (`InstanceType.architecture`):
 * the `a` family and every type with a `g` among its capabilities (Graviton) are ARM, the rest x86.
 * Undefined when the type has a shape aws-cdk-lib cannot read (it would throw).
 */
export function instanceArchitecture(instanceType: string): InstanceArchitecture | undefined {
  const match = INSTANCE_TYPE.exec(instanceType);
  if (!match) return undefined;
  const [, family, , capabilities] = match;
  return family === 'a' || capabilities.includes('g') ? 'arm64' : 'x86_64';
}

/** AWS's limits on names the contract derives (characters), from each service's API reference. */
export const AWS_NAME_LIMITS = {
  /** IAM `CreateRole`: RoleName. */
  iamRole: 64,
  /** SQS `CreateQueue`: QueueName. */
  sqsQueue: 80,
  /** ElastiCache `CreateReplicationGroup`: ReplicationGroupId (letter first, no '--', no trailing '-'). */
  elastiCacheReplicationGroup: 40,
  /** RDS `CreateDBInstance`: DBInstanceIdentifier (letter first, no '--', no trailing '-'). */
  rdsInstance: 63,
  /** PostgreSQL identifiers (role names): NAMEDATALEN - 1 bytes; longer names are truncated, not refused. */
  postgresIdentifier: 63,
  /** S3 `CreateBucket`: Bucket (3 to 63 lowercase letters, digits, '-' and '.'). */
  s3Bucket: 63,
} as const;

/**
 * The ARN partition of a region: `aws-us-gov` for GovCloud (`us-gov-*`), `aws-cn` for China (`cn-*`), `aws` for the
 * other regions the schema accepts (the ISO partitions' regions it refuses). Every ARN the model builds or checks
 * takes its partition from here; aws-cdk-lib 2.276.0 `RegionInfo.partition` (region-info) agrees, which
 * test/model/aws-facts.test.ts checks for every region it knows.
 */
export function partitionOf(region: string): string {
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('cn-')) return 'aws-cn';
  return 'aws';
}

/**
 * The DNS suffix of a region's service endpoints (ECR registries, SQS queue URLs): `amazonaws.com.cn` in China,
 * `amazonaws.com` in the other regions the schema accepts, as aws-cdk-lib 2.276.0 `RegionInfo.domainSuffix` gives it.
 */
export function dnsSuffixOf(region: string): string {
  return partitionOf(region) === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
}

/**
 * PostgreSQL's reserved key words (PostgreSQL 18 documentation, Appendix C "SQL Key Words", the entries marked
 * reserved, including "reserved (can be function or type)"). RDS `CreateDBInstance` refuses them as DBName and
 * MasterUsername ("Can't be a word reserved by the database engine"); a service's database and its user are
 * named after the service (naming.ts `databaseName`).
 */
export const POSTGRES_RESERVED_WORDS: ReadonlySet<string> = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate collation ' +
    'column concurrently constraint create cross current_catalog current_date current_role current_schema ' +
    'current_time current_timestamp current_user default deferrable desc distinct do else end except false fetch ' +
    'for foreign freeze from full grant group having ilike in initially inner intersect into is isnull join lateral ' +
    'leading left like limit localtime localtimestamp natural not notnull null offset on only or order outer ' +
    'overlaps placing primary references returning right select session_user similar some symmetric system_user ' +
    'table tablesample then to trailing true union unique user using variadic verbose when where window with'
  ).split(' '),
);
