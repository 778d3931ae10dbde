import { statefulReplacementLines } from '../../apps/cloud/src/stateful-replacements';
import { committedTemplates } from './cloud-assembly';

/**
 * A stateful resource that stays in its template under the same logical ID can still be replaced by the next deploy:
 * CloudFormation replaces a resource when a property that its resource type cannot update changes (the "Update
 * requires: Replacement" properties of the CloudFormation resource reference; some replace only in some cases, which
 * the lines call "may"). The expectations below are the reference's facts per property. `pnpm synth` names each such resource
 * before it replaces the committed templates: the deploy fails and rolls back when the custom name stays (CloudFormation
 * cannot create the replacement under a name the old one holds), and otherwise creates a new, empty resource and handles
 * the old one by its UpdateReplacePolicy. Each case edits every committed resource of its type, as a model or code
 * change would, and compares the committed templates with the edited ones.
 */
type Resource = {
  Type: string;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Properties: Record<string, unknown>;
};
type Template = { Resources: Record<string, Resource> };

const templates = new Map(
  committedTemplates().map(([stack, template]) => [`cloudformation/${stack}.template.json`, template as Template]),
);
const texts = (map: ReadonlyMap<string, Template>) =>
  new Map([...map].map(([path, template]) => [path, JSON.stringify(template)]));
/** The committed templates' texts, once: each case changes one template. */
const committedTexts = texts(templates);

/** Every committed resource of a type, with its template's path. */
function committedOfType(type: string): { path: string; id: string }[] {
  return [...templates].flatMap(([path, template]) =>
    Object.entries(template.Resources)
      .filter(([, resource]) => resource.Type === type)
      .map(([id]) => ({ path, id })),
  );
}

/** The lines for the committed templates against a copy of one template edited by `edit`. */
function linesAfter(path: string, edit: (resources: Record<string, Resource>) => void): string[] {
  const edited = structuredClone(templates.get(path) as Template);
  edit(edited.Resources);
  return statefulReplacementLines(committedTexts, new Map([...committedTexts, [path, JSON.stringify(edited)]]));
}

/** Another resource of a type in the same template, for a reference that changes target. */
function otherOfType(resources: Record<string, Resource>, type: string, not: string): string {
  const other = Object.keys(resources).find((id) => id !== not && resources[id].Type === type);
  if (!other) throw new Error(`the template holds no second ${type}`);
  return other;
}

/** The logical ID a property refers to with Ref or Fn::GetAtt. */
function target(value: unknown): string {
  const reference = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  const id = reference.Ref ?? reference['Fn::GetAtt']?.[0];
  if (!id) throw new Error(`not a reference: ${JSON.stringify(value)}`);
  return id;
}

type Edit = (resource: Resource, resources: Record<string, Resource>) => void;

/**
 * Changes that keep the custom name while a property whose change replaces the resource changes; `conditional` where
 * the reference says the property replaces the resource only in some cases (an RDS engine change, which RDS makes in
 * place between some engines; a restore source, which replaces only when set to a new value).
 */
const FAILING: [type: string, change: string, property: string, edit: Edit, conditional?: 'conditional'][] = [
  [
    'AWS::RDS::DBInstance',
    'storage encryption is switched off',
    'StorageEncrypted',
    (r) => {
      r.Properties.StorageEncrypted = false;
    },
  ],
  [
    'AWS::RDS::DBInstance',
    'another key encrypts the storage',
    'KmsKeyId',
    (r, all) => {
      // A service's stack may hold no other key: one is added.
      all.AnotherKey = { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: {} } };
      const key = otherOfType(all, 'AWS::KMS::Key', target(r.Properties.KmsKeyId));
      r.Properties.KmsKeyId = { 'Fn::GetAtt': [key, 'Arn'] };
    },
  ],
  [
    'AWS::RDS::DBInstance',
    'the engine changes',
    'Engine',
    (r) => {
      r.Properties.Engine = 'mysql';
    },
    'conditional',
  ],
  [
    'AWS::RDS::DBInstance',
    'the master user is renamed',
    'MasterUsername',
    (r) => {
      r.Properties.MasterUsername = 'break_glass';
    },
  ],
  [
    'AWS::RDS::DBInstance',
    'it is to be restored from a snapshot',
    'DBSnapshotIdentifier',
    (r) => {
      r.Properties.DBSnapshotIdentifier = 'final-snapshot';
    },
    'conditional',
  ],
  [
    'AWS::RDS::DBInstance',
    'its subnet group gets a name, which replaces the group',
    'DBSubnetGroupName (',
    (r, all) => {
      all[target(r.Properties.DBSubnetGroupName)].Properties.DBSubnetGroupName = 'named-subnet-group';
    },
  ],
  [
    'AWS::ElastiCache::ReplicationGroup',
    'encryption at rest is switched off',
    'AtRestEncryptionEnabled',
    (r) => {
      r.Properties.AtRestEncryptionEnabled = false;
    },
  ],
  [
    'AWS::ElastiCache::ReplicationGroup',
    'the engine changes',
    'Engine',
    (r) => {
      r.Properties.Engine = r.Properties.Engine === 'redis' ? 'valkey' : 'redis';
    },
  ],
  [
    'AWS::ElastiCache::ReplicationGroup',
    'the port changes',
    'Port',
    (r) => {
      r.Properties.Port = 6380;
    },
  ],
  [
    'AWS::ElastiCache::ReplicationGroup',
    'another key encrypts it',
    'KmsKeyId',
    (r, all) => {
      // A service's stack may hold no other key: one is added.
      all.AnotherKey = { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: {} } };
      const key = otherOfType(all, 'AWS::KMS::Key', target(r.Properties.KmsKeyId));
      r.Properties.KmsKeyId = { 'Fn::GetAtt': [key, 'Arn'] };
    },
  ],
  [
    'AWS::ElastiCache::ReplicationGroup',
    'its subnet group gets a name',
    'CacheSubnetGroupName (',
    (r, all) => {
      all[target(r.Properties.CacheSubnetGroupName)].Properties.CacheSubnetGroupName = 'named-subnet-group';
    },
  ],
  [
    'AWS::SQS::Queue',
    'it becomes a FIFO queue',
    'FifoQueue',
    (r) => {
      r.Properties.FifoQueue = true;
    },
  ],
  [
    'AWS::ECR::Repository',
    'its encryption changes',
    'EncryptionConfiguration',
    (r) => {
      r.Properties.EncryptionConfiguration = { EncryptionType: 'AES256' };
    },
  ],
  [
    'AWS::EKS::Cluster',
    'secrets encryption changes',
    'EncryptionConfig',
    (r) => {
      r.Properties.EncryptionConfig = [];
    },
  ],
  [
    'AWS::EKS::Cluster',
    // The specification knows replacement per top-level property: any change inside this one counts.
    'the service CIDR changes',
    'KubernetesNetworkConfig',
    (r) => {
      r.Properties.KubernetesNetworkConfig = {
        ...(r.Properties.KubernetesNetworkConfig as object),
        ServiceIpv4Cidr: '10.200.0.0/16',
      };
    },
  ],
  [
    'AWS::EKS::Cluster',
    'the self-managed add-ons are bootstrapped',
    'BootstrapSelfManagedAddons',
    (r) => {
      r.Properties.BootstrapSelfManagedAddons = true;
    },
  ],
  [
    'AWS::EKS::Cluster',
    'its role gets a path, which replaces the role',
    'RoleArn (',
    (r, all) => {
      all[target(r.Properties.RoleArn)].Properties.Path = '/eks/';
    },
  ],
];

describe.each(FAILING)('%s: when %s', (type, _change, property, edit, conditional) => {
  test.each(committedOfType(type).map(({ path, id }) => [`${path} ${id}`, path, id] as const))(
    `%s: the next deploy ${conditional ? 'may fail' : 'fails'} and rolls back`,
    (_name, path, id) => {
      const lines = linesAfter(path, (resources) => edit(resources[id], resources));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`(${id}) stays, but ${property}`);
      if (conditional) {
        expect(lines[0]).toContain(' changes, which may replace it ');
        expect(lines[0]).toMatch(/: if it does, the next deploy fails and rolls back$/);
      } else {
        expect(lines[0]).toContain(' changes, which replaces it, ');
        expect(lines[0]).toMatch(/: the next deploy fails and rolls back$/);
      }
    },
  );
});

/** Changes of the custom name itself, or of a resource without one: the deploy replaces the resource. */
const REPLACING: [type: string, nameProperty: string | undefined][] = [
  ['AWS::RDS::DBInstance', 'DBInstanceIdentifier'],
  ['AWS::ElastiCache::ReplicationGroup', 'ReplicationGroupId'],
  ['AWS::SQS::Queue', 'QueueName'],
  ['AWS::SecretsManager::Secret', 'Name'],
  ['AWS::Logs::LogGroup', 'LogGroupName'],
  ['AWS::ECR::Repository', 'RepositoryName'],
  ['AWS::EKS::Cluster', 'Name'],
];
/** What happens to the old resource, by its UpdateReplacePolicy (CloudFormation's UpdateReplacePolicy attribute). */
const OLD_ONE: Record<string, RegExp> = {
  Retain: /then keeps the old one, outside the stack$/,
  Snapshot: /then snapshots the old one, then deletes it/,
  Delete: /then deletes the old one and its data/,
};

describe.each(REPLACING)('%s renamed in its %s', (type, nameProperty) => {
  test.each(committedOfType(type).map(({ path, id }) => [`${path} ${id}`, path, id] as const))(
    '%s: the next deploy creates a new, empty one and handles the old one by its UpdateReplacePolicy',
    (_name, path, id) => {
      const resource = (templates.get(path) as Template).Resources[id];
      const renamed = `${typeof resource.Properties[nameProperty as string] === 'string' ? resource.Properties[nameProperty as string] : 'named'}-2`;
      const lines = linesAfter(path, (resources) => {
        resources[id].Properties[nameProperty as string] = renamed;
      });
      expect(lines).toHaveLength(1);
      // Named as the template names it: `<name> (<id>)`, or the ID alone where the name is an intrinsic.
      expect(lines[0]).toMatch(
        new RegExp(`[ (]${id}\\)? is replaced by the next deploy \\(${nameProperty} changes\\)`),
      );
      expect(lines[0]).toContain(`creates a new, empty `);
      expect(lines[0]).toContain(` ${renamed}, then`);
      expect(lines[0]).toMatch(OLD_ONE[resource.UpdateReplacePolicy ?? 'Delete']);
      if (type === 'AWS::RDS::DBInstance' && resource.UpdateReplacePolicy !== 'Retain') {
        expect(lines[0]).toContain('with its automated backups');
      }
    },
  );
});

test('the old resource goes by its UpdateReplacePolicy, not by its DeletionPolicy', () => {
  const [{ path, id }] = committedOfType('AWS::SQS::Queue');
  const lines = linesAfter(path, (resources) => {
    resources[id].DeletionPolicy = 'Retain';
    resources[id].UpdateReplacePolicy = 'Delete';
    resources[id].Properties.QueueName = 'renamed';
  });
  expect(lines).toEqual([expect.stringMatching(/then deletes the old one and its data$/)]);
});

/** Changes that CloudFormation makes in place: no line. */
const IN_PLACE: [type: string, change: string, edit: Edit][] = [
  [
    'AWS::RDS::DBInstance',
    'a larger instance class, storage, a new engine version, protection',
    (r) => {
      Object.assign(r.Properties, {
        DBInstanceClass: 'db.r7g.4xlarge',
        AllocatedStorage: '500',
        EngineVersion: '19',
        DeletionProtection: !r.Properties.DeletionProtection,
      });
    },
  ],
  [
    'AWS::RDS::DBInstance',
    'its key reference written again, equal as JSON',
    (r) => {
      r.Properties.KmsKeyId = JSON.parse(JSON.stringify(r.Properties.KmsKeyId));
    },
  ],
  [
    'AWS::ElastiCache::ReplicationGroup',
    'a new engine version, node type, replicas and transit encryption',
    (r) => {
      Object.assign(r.Properties, {
        EngineVersion: '9.0',
        CacheNodeType: 'cache.r7g.xlarge',
        NumCacheClusters: 5,
        TransitEncryptionEnabled: !r.Properties.TransitEncryptionEnabled,
      });
    },
  ],
  [
    'AWS::SQS::Queue',
    'new timeouts and retention',
    (r) => {
      Object.assign(r.Properties, { VisibilityTimeout: 900, MessageRetentionPeriod: 60 });
    },
  ],
  [
    'AWS::SecretsManager::Secret',
    'a new description',
    (r) => {
      r.Properties.Description = 'another description';
    },
  ],
  [
    'AWS::KMS::Key',
    'a new description, key policy and key spec',
    (r) => {
      Object.assign(r.Properties, { Description: 'another', KeyPolicy: {}, KeySpec: 'RSA_2048' });
    },
  ],
  [
    'AWS::Logs::LogGroup',
    'a new retention and key',
    (r) => {
      Object.assign(r.Properties, { RetentionInDays: 7, KmsKeyId: 'arn:aws:kms:us-east-1:111111111111:key/x' });
    },
  ],
  [
    'AWS::ECR::Repository',
    'new scanning and lifecycle',
    (r) => {
      Object.assign(r.Properties, { ImageScanningConfiguration: { ScanOnPush: false }, LifecyclePolicy: {} });
    },
  ],
  [
    'AWS::EKS::Cluster',
    'a new version, logging and endpoint access',
    (r) => {
      Object.assign(r.Properties, { Version: '1.99', Logging: {}, ResourcesVpcConfig: {} });
    },
  ],
];

describe.each(IN_PLACE)('%s: %s', (type, _change, edit) => {
  test.each(committedOfType(type).map(({ path, id }) => [`${path} ${id}`, path, id] as const))(
    '%s: prints nothing',
    (_name, path, id) => {
      expect(linesAfter(path, (resources) => edit(resources[id], resources))).toEqual([]);
    },
  );
});

/**
 * Multi-AZ, the backup retention and the storage type replace an RDS instance only in some cases (the reference's
 * "Some interruptions" or conditional replacement: RDS decides by the values, and makes these changes in place for the
 * instances here). The lines say "may", with the outcome if it does; the name stays, so that outcome is a failed deploy.
 */
test.each(committedOfType('AWS::RDS::DBInstance').map(({ path, id }) => [`${path} ${id}`, path, id] as const))(
  '%s: Multi-AZ, backups and the storage type may replace the instance',
  (_name, path, id) => {
    const lines = linesAfter(path, (resources) => {
      const r = resources[id];
      Object.assign(r.Properties, { MultiAZ: !r.Properties.MultiAZ, BackupRetentionPeriod: 35, StorageType: 'io2' });
    });
    expect(lines).toEqual([
      expect.stringContaining(
        `(${id}) stays, but BackupRetentionPeriod, MultiAZ, StorageType change, which may replace it `,
      ),
    ]);
    expect(lines[0]).toMatch(/: if it does, the next deploy fails and rolls back$/);
  },
);

test('a rename that may replace, without one that does, says "may be replaced" and what happens if it is', () => {
  const [{ path, id }] = committedOfType('AWS::RDS::DBInstance');
  const resource = (templates.get(path) as Template).Resources[id];
  // An instance without a custom name, before and after; only a conditional property changes.
  const unnamed = structuredClone(templates.get(path) as Template);
  delete unnamed.Resources[id].Properties.DBInstanceIdentifier;
  const changed = structuredClone(unnamed);
  changed.Resources[id].Properties.MultiAZ = !changed.Resources[id].Properties.MultiAZ;
  const lines = statefulReplacementLines(
    texts(new Map([...templates, [path, unnamed]])),
    texts(new Map([...templates, [path, changed]])),
  );
  expect(lines).toEqual([
    expect.stringMatching(
      new RegExp(
        `: database ${id} may be replaced by the next deploy \\(MultiAZ changes, which replaces it in some cases\\): if it is, CloudFormation creates a new, empty database, then `,
      ),
    ),
  ]);
  expect(lines[0]).toMatch(OLD_ONE[resource.UpdateReplacePolicy ?? 'Delete']);
});

test('every stateful type has a replacing case and an in-place case above', () => {
  const types = new Set(
    committedTemplates().flatMap(([, template]) =>
      Object.values((template as Template).Resources).map((resource) => resource.Type),
    ),
  );
  for (const type of [...FAILING.map(([t]) => t), ...REPLACING.map(([t]) => t), ...IN_PLACE.map(([t]) => t)]) {
    expect(types).toContain(type);
  }
  expect(new Set(IN_PLACE.map(([t]) => t))).toEqual(new Set([...REPLACING.map(([t]) => t), 'AWS::KMS::Key']));
});

test('an unchanged set of templates, and resources added or removed, give no replacement line', () => {
  expect(statefulReplacementLines(texts(templates), texts(templates))).toEqual([]);
  const [{ path, id }] = committedOfType('AWS::RDS::DBInstance');
  expect(linesAfter(path, (resources) => delete resources[id])).toEqual([]);
});
