import { SNAPSHOT_CONTROLLER_ADDON, VELERO_POLICY_REFERENCE } from '@platform/aws-platform';
import { CLOUD_HALF_CRD_RELEASES, platformAddons, VELERO_AWS_PLUGIN_IMAGE } from '@platform/k8s-platform';
import {
  EnvironmentNaming,
  environmentStackId,
  loadModel,
  type PlatformModel,
  partitionOf,
  platformModelInput,
} from '@platform/model';
import { PROJECT_CONTEXT } from '../model/support/drafts';
import {
  type CloudTemplates,
  MODEL_ENVIRONMENTS,
  resourcesOfType,
  shippedCloud,
  synthesizeCloud,
} from './cloud-assembly';

/**
 * The AWS side of the backups, for the shipped model and for one that sets every backup field: each environment's
 * bucket (versioned, KMS-encrypted with its own key, private, TLS only, expiring after the model's retention, kept
 * where the model retains data) and Velero's role, which reaches that bucket and its key through S3 only and
 * nothing else. Expectations come from the model and from what velero-plugin-for-aws documents.
 */

// biome-ignore lint/suspicious/noExplicitAny: templates are walked as plain JSON.
type Json = any;

const DEFAULT_RETENTION_DAYS = 30;

function customModel(): PlatformModel {
  const input = structuredClone(platformModelInput) as PlatformModel;
  input.environments.forEach((environment, index) => {
    (environment as { backup?: unknown }).backup = { retentionDays: 7 + index, teamNamespacesEveryHours: 4 };
  });
  return loadModel(input, PROJECT_CONTEXT);
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const logicalIdOf = (value: Json): string | undefined => value?.['Fn::GetAtt']?.[0] ?? value?.Ref;

describe.each([
  ['the shipped model', () => shippedCloud()],
  ['a model that sets every backup field', () => synthesizeCloud({ model: customModel() })],
])('backups of %s', (_, cloudOf) => {
  const cloud: CloudTemplates = cloudOf();

  describe.each(MODEL_ENVIRONMENTS)('in %s', (name) => {
    const environment = cloud.environment(name);
    const template = () => cloud.template(environmentStackId(name, 'backup'));
    const only = (type: string) => {
      const found = Object.entries(resourcesOfType(template(), type));
      expect(found).toHaveLength(1);
      return found[0];
    };

    test('the bucket is named by the contract, versioned, encrypted with its own rotating key, private', () => {
      const [, bucket] = only('AWS::S3::Bucket');
      const [keyId, key] = only('AWS::KMS::Key');
      const props = bucket.Properties as Json;
      expect(props.BucketName).toBe(`${cloud.model.organization.name}-${name}-backups-${environment.account}`);
      expect(props.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      const [rule] = props.BucketEncryption.ServerSideEncryptionConfiguration;
      expect(rule.ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
      expect(logicalIdOf(rule.ServerSideEncryptionByDefault.KMSMasterKeyID)).toBe(keyId);
      expect(rule.BucketKeyEnabled).toBe(true);
      expect((key.Properties as Json).EnableKeyRotation).toBe(true);
      expect(key.DeletionPolicy).toBe('Retain');
      expect(props.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(props.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    });

    test('the bucket refuses requests without TLS', () => {
      const [, policy] = only('AWS::S3::BucketPolicy');
      const statements: Json[] = (policy.Properties as Json).PolicyDocument.Statement;
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Principal: { AWS: '*' },
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    });

    test("the bucket's lifecycle expires objects after the retention, and old versions", () => {
      const [, bucket] = only('AWS::S3::Bucket');
      const days = environment.backup?.retentionDays ?? DEFAULT_RETENTION_DAYS;
      const rules: Json[] = (bucket.Properties as Json).LifecycleConfiguration.Rules;
      const expiring = rules.filter((rule) => rule.ExpirationInDays !== undefined);
      expect(expiring).toHaveLength(1);
      // Velero deletes an expired backup itself; the bucket removes what is left within days, never before.
      expect(expiring[0].ExpirationInDays).toBeGreaterThan(days);
      expect(expiring[0].ExpirationInDays).toBeLessThanOrEqual(days + 7);
      expect(expiring[0].NoncurrentVersionExpiration.NoncurrentDays).toBeGreaterThan(0);
      expect(expiring[0].AbortIncompleteMultipartUpload.DaysAfterInitiation).toBeGreaterThan(0);
      for (const rule of rules) expect(rule.Status).toBe('Enabled');
    });

    test('the bucket is kept with its backups where the model retains data, and never emptied by the stack', () => {
      const [, bucket] = only('AWS::S3::Bucket');
      const policy = environment.removalPolicy === 'retain' ? 'Retain' : 'Delete';
      expect([bucket.DeletionPolicy, bucket.UpdateReplacePolicy]).toEqual([policy, policy]);
      // No custom resource that deletes the objects (autoDeleteObjects): S3 refuses to delete a bucket with data.
      expect(Object.keys(resourcesOfType(template(), 'Custom::S3AutoDeleteObjects'))).toEqual([]);
    });

    test("Velero's role reaches that bucket and its key only, with the plugin's documented S3 actions", () => {
      const [bucketId] = only('AWS::S3::Bucket');
      const [keyId] = only('AWS::KMS::Key');
      const [roleId, role] = only('AWS::IAM::Role');
      expect((role.Properties as Json).RoleName).toBe(`${cloud.model.organization.name}-${name}-velero`);
      const [, policy] = only('AWS::IAM::Policy');
      expect(asList((policy.Properties as Json).Roles).map(logicalIdOf)).toEqual([roleId]);
      const statements: Json[] = (policy.Properties as Json).PolicyDocument.Statement;
      const actions = statements.flatMap((statement) => asList(statement.Action));
      const documented = VELERO_POLICY_REFERENCE.statements.flatMap((statement) => statement.actions);
      expect([...actions].sort()).toEqual([...documented, 'kms:Decrypt', 'kms:GenerateDataKey'].sort());
      for (const statement of statements) {
        expect(statement.Effect).toBe('Allow');
        for (const resource of asList(statement.Resource)) {
          const target = resource['Fn::Join'] ? resource['Fn::Join'][1][0] : resource;
          const suffix = resource['Fn::Join'] ? resource['Fn::Join'][1].slice(1).join('') : '';
          if (asList(statement.Action).every((action: string) => action.startsWith('kms:'))) {
            expect(logicalIdOf(target)).toBe(keyId);
            expect(statement.Condition.StringEquals['kms:ViaService']).toBeDefined();
          } else {
            expect(logicalIdOf(target)).toBe(bucketId);
            expect(['', '/*']).toContain(suffix);
          }
        }
      }
    });

    test("Velero's role is assumed by Velero's service account of this cluster only, bound in the cluster stack", () => {
      const [, role] = only('AWS::IAM::Role');
      const roleName = (role.Properties as Json).RoleName;
      const clusterName = `${cloud.model.organization.name}-${name}`;
      const trust: Json[] = (role.Properties as Json).AssumeRolePolicyDocument.Statement;
      expect(trust).toEqual([
        expect.objectContaining({
          Principal: { Service: 'pods.eks.amazonaws.com' },
          Condition: {
            StringEquals: {
              'aws:RequestTag/eks-cluster-name': clusterName,
              'aws:RequestTag/kubernetes-namespace': 'velero',
              'aws:RequestTag/kubernetes-service-account': 'velero',
            },
          },
        }),
      ]);
      // The backup stack needs no cluster: it deploys first, and the cluster stack holds the association.
      expect(Object.keys(resourcesOfType(template(), 'AWS::EKS::PodIdentityAssociation'))).toEqual([]);
      expect(JSON.stringify(template().toJSON())).not.toContain('Fn::ImportValue');
      const cluster = cloud.template(environmentStackId(name, 'cluster'));
      const associations = Object.values(resourcesOfType(cluster, 'AWS::EKS::PodIdentityAssociation')).filter(
        (association) => (association.Properties as Json).Namespace === 'velero',
      );
      expect(associations).toHaveLength(1);
      const association = associations[0].Properties as Json;
      expect(association.ServiceAccount).toBe('velero');
      expect(association.RoleArn).toBe(
        `arn:${partitionOf(environment.region)}:iam::${environment.account}:role/${roleName}`,
      );
      const [clusterId] = Object.entries(resourcesOfType(cluster, 'AWS::EKS::Cluster')).find(
        ([, resource]) => (resource.Properties as Json).Name === clusterName,
      ) ?? [undefined];
      expect(association.ClusterName).toEqual({ Ref: clusterId });
      const values = platformAddons({
        environment,
        naming: new EnvironmentNaming(cloud.model.organization, environment),
      }).find((addon) => addon.name === 'velero')?.values as Json;
      expect(values.serviceAccount.server.name).toBe(association.ServiceAccount);
    });

    test('the cluster installs the snapshot controller, which brings the CRD of the VolumeSnapshotClass', () => {
      const addons = Object.values(
        resourcesOfType(cloud.template(environmentStackId(name, 'cluster')), 'AWS::EKS::Addon'),
      );
      const names = addons.map((addon) => (addon.Properties as Json).AddonName);
      expect(names).toContain('aws-ebs-csi-driver');
      expect(names).toContain(SNAPSHOT_CONTROLLER_ADDON);
      expect(CLOUD_HALF_CRD_RELEASES.snapshotController.release).toBe(SNAPSHOT_CONTROLLER_ADDON);
    });
  });
});

describe('the Velero permissions reference', () => {
  test('is read at the plugin version the add-on runs', () => {
    expect(
      VELERO_AWS_PLUGIN_IMAGE.endsWith(
        `/${VELERO_POLICY_REFERENCE.plugin.image.split('/')[1]}:${VELERO_POLICY_REFERENCE.plugin.version}`,
      ),
    ).toBe(true);
  });

  test('leaves out only what the plugin needs for features the platform does not use, each with its reason', () => {
    const upstream = [
      'ec2:DescribeVolumes',
      'ec2:DescribeSnapshots',
      'ec2:CreateTags',
      'ec2:CreateVolume',
      'ec2:CreateSnapshot',
      'ec2:DeleteSnapshot',
      's3:GetObject',
      's3:DeleteObject',
      's3:PutObject',
      's3:PutObjectTagging',
      's3:AbortMultipartUpload',
      's3:ListMultipartUploadParts',
      's3:ListBucket',
    ];
    const granted = VELERO_POLICY_REFERENCE.statements.flatMap((statement) => statement.actions);
    expect([...granted, ...Object.keys(VELERO_POLICY_REFERENCE.omitted)].sort()).toEqual([...upstream].sort());
  });
});
