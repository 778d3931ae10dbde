import { sameValue, type TemplateResource, type TemplateResources } from './stateful-resources';

/**
 * A property whose change makes CloudFormation replace the resource (a new physical resource, then the old one goes
 * by its UpdateReplacePolicy). `path` is the property, or a property inside it (`KubernetesNetworkConfig/IpFamily`).
 * `replaces`, for a property that replaces only under a condition, says whether this change does; without it every
 * change does.
 */
export interface ReplacingProperty {
  readonly path: string;
  readonly replaces?: (before: unknown, after: unknown, properties: { before: Props; after: Props }) => boolean;
}

type Props = Readonly<Record<string, unknown>>;

const always = (...paths: string[]): ReplacingProperty[] => paths.map((path) => ({ path }));

/** A restore source (snapshot, point in time, source instance): replaces the instance when set to a new value. */
const setToNewValue = (path: string): ReplacingProperty => ({
  path,
  replaces: (before, after) => after !== undefined && after !== '' && after !== false && !sameValue(before, after),
});

/**
 * Engine changes RDS makes in place (aurora to aurora-mysql, oracle-se/se1 to oracle-se2, a non-CDB Oracle to its
 * CDB); any other engine change replaces the instance.
 */
const IN_PLACE_ENGINE_CHANGES: readonly (readonly [string, string])[] = [
  ['aurora', 'aurora-mysql'],
  ['oracle-se', 'oracle-se2'],
  ['oracle-se1', 'oracle-se2'],
  ['oracle-ee', 'oracle-ee-cdb'],
  ['oracle-se2', 'oracle-se2-cdb'],
];

/**
 * Per resource type, the properties whose change replaces the resource: the `createOnlyProperties` of the type's
 * CloudFormation resource schema (`aws cloudformation describe-type --type RESOURCE --type-name <type>`; the
 * schemas of December 2025, as cfn-lint bundles them), the types of the stateful resources and of the resources
 * their create-only properties refer to. AWS::RDS::DBInstance also lists `conditionalCreateOnlyProperties`; which
 * changes of those replace an instance is decided by the RDS resource provider (aws-cloudformation-resource-providers-rds,
 * aws-rds-dbinstance `ImmutabilityHelper.isChangeMutable`): an engine change other than the in-place ones above, a new
 * Performance Insights key once one is set, a new availability zone unless the instance becomes Multi-AZ without one,
 * and a new restore source. The conditional properties it lets change in place (storage type, Multi-AZ, backup
 * retention, parameter group, maintenance window, minor version upgrades) are left out. AWS::KMS::Key has no
 * create-only property: no property change replaces a key. A type missing here is never judged replaced.
 */
export const REPLACING_PROPERTIES: Readonly<Record<string, readonly ReplacingProperty[]>> = {
  'AWS::RDS::DBInstance': [
    ...always(
      'BackupTarget',
      'CharacterSetName',
      'CustomIAMInstanceProfile',
      'DBClusterIdentifier',
      'DBInstanceIdentifier',
      'DBName',
      'DBSubnetGroupName',
      'DBSystemId',
      'KmsKeyId',
      'MasterUsername',
      'NcharCharacterSetName',
      'SourceRegion',
      'StorageEncrypted',
      'Timezone',
    ),
    {
      path: 'Engine',
      replaces: (before, after) =>
        !sameValue(before, after) && !IN_PLACE_ENGINE_CHANGES.some(([from, to]) => before === from && after === to),
    },
    {
      path: 'PerformanceInsightsKMSKeyId',
      replaces: (before, after) => before !== undefined && before !== '' && !sameValue(before, after),
    },
    {
      path: 'AvailabilityZone',
      replaces: (before, after, { after: properties }) =>
        !sameValue(before, after) && !((after === undefined || after === '') && properties.MultiAZ === true),
    },
    ...[
      'DBSnapshotIdentifier',
      'DBClusterSnapshotIdentifier',
      'RestoreTime',
      'UseLatestRestorableTime',
      'SourceDBInstanceAutomatedBackupsArn',
      'SourceDbiResourceId',
      'SourceDBInstanceIdentifier',
      'SourceDBClusterIdentifier',
    ].map(setToNewValue),
  ],
  'AWS::ElastiCache::ReplicationGroup': always(
    'KmsKeyId',
    'Port',
    'SnapshotArns',
    'SnapshotName',
    'CacheSubnetGroupName',
    'NetworkType',
    'DataTieringEnabled',
    'AtRestEncryptionEnabled',
    'ReplicationGroupId',
    'GlobalReplicationGroupId',
    'ReplicasPerNodeGroup',
    'PreferredCacheClusterAZs',
  ),
  'AWS::SQS::Queue': always('FifoQueue', 'QueueName'),
  'AWS::SecretsManager::Secret': always('Name'),
  'AWS::KMS::Key': [],
  'AWS::Logs::LogGroup': always('LogGroupName'),
  'AWS::ECR::Repository': always('RepositoryName', 'EncryptionConfiguration'),
  'AWS::EKS::Cluster': always(
    'OutpostConfig',
    'EncryptionConfig',
    'KubernetesNetworkConfig/IpFamily',
    'KubernetesNetworkConfig/ServiceIpv4Cidr',
    'AccessConfig/BootstrapClusterCreatorAdminPermissions',
    'Name',
    'RoleArn',
    'BootstrapSelfManagedAddons',
  ),
  // Referred to by create-only properties above (DBSubnetGroupName, CacheSubnetGroupName, RoleArn).
  'AWS::RDS::DBSubnetGroup': always('DBSubnetGroupName'),
  'AWS::ElastiCache::SubnetGroup': always('CacheSubnetGroupName'),
  'AWS::IAM::Role': always('Path', 'RoleName'),
};

/** Why a resource is replaced: the replacing properties that change, each with the replaced resource it refers to. */
export interface Replacement {
  /** Each changing property, e.g. `StorageEncrypted` or `DBSubnetGroupName (SubnetGroup is replaced)`. */
  readonly reasons: readonly string[];
}

/**
 * The resources of one stack that the next deploy replaces, by logical ID: those that keep their logical ID and type
 * while a replacing property changes as the template writes it (intrinsics compared as written, not resolved), and
 * those whose replacing property refers (Ref, Fn::GetAtt) to a resource that is replaced, whose value changes with it.
 * A resource whose type changes, or that is added or removed, is not a replacement.
 */
export function replacedResources(before: TemplateResources, after: TemplateResources): Map<string, Replacement> {
  const replaced = new Map<string, string[]>();
  for (const [id, now] of Object.entries(after)) {
    const then = before[id];
    if (!then || then.Type !== now.Type) continue;
    const reasons = (REPLACING_PROPERTIES[String(now.Type)] ?? [])
      .filter((property) => replacesOn(property, then, now))
      .map((property) => property.path);
    if (reasons.length > 0) replaced.set(id, reasons);
  }
  // A replaced resource gets a new physical ID and attributes: what refers to it in a replacing property follows.
  for (let changed = true; changed; ) {
    changed = false;
    for (const [id, now] of Object.entries(after)) {
      const then = before[id];
      if (!then || then.Type !== now.Type) continue;
      for (const property of REPLACING_PROPERTIES[String(now.Type)] ?? []) {
        for (const target of referencesIn(valueAt(now.Properties, property.path))) {
          if (target === id || !replaced.has(target)) continue;
          const reason = `${property.path} (${target} is replaced)`;
          const reasons = replaced.get(id) ?? [];
          if (reasons.some((known) => known === property.path || known === reason)) continue;
          replaced.set(id, [...reasons, reason]);
          changed = true;
        }
      }
    }
  }
  return new Map([...replaced].map(([id, reasons]) => [id, { reasons }]));
}

function replacesOn(property: ReplacingProperty, before: TemplateResource, after: TemplateResource): boolean {
  const then = valueAt(before.Properties, property.path);
  const now = valueAt(after.Properties, property.path);
  if (property.replaces) {
    return property.replaces(then, now, { before: before.Properties ?? {}, after: after.Properties ?? {} });
  }
  return !sameValue(then, now);
}

function valueAt(properties: Props | undefined, path: string): unknown {
  let value: unknown = properties;
  for (const key of path.split('/')) {
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value;
}

/** The logical IDs a template value refers to with Ref or Fn::GetAtt (pseudo parameters are not resources). */
function referencesIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencesIn);
  if (typeof value !== 'object' || value === null) return [];
  const object = value as Record<string, unknown>;
  const own: string[] = [];
  if (typeof object.Ref === 'string' && !object.Ref.startsWith('AWS::')) own.push(object.Ref);
  const getAtt = object['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') own.push(getAtt[0]);
  else if (typeof getAtt === 'string') own.push(getAtt.split('.')[0]);
  return [...own, ...Object.values(object).flatMap(referencesIn)];
}
