import { ecrRepositoryName, type Organization, type Service } from '@platform/model';
import { Annotations, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeWildcards } from './acknowledge';

export interface ImageRegistryProps {
  readonly organization: Organization;
  readonly services: readonly Service[];
  /** Accounts whose clusters pull the images. */
  readonly pullAccounts: readonly string[];
  /**
   * Per service name, every image reference (tag or `sha256:` digest) the catalog or an environment's release
   * names (`referencedImages` of the model): these never expire.
   */
  readonly referencedImages: ReadonlyMap<string, readonly string[]>;
}

/** Actions a cluster's nodes need to pull an image. */
export const PULL_ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];

/**
 * The lifecycle rules of a repository whose referenced images are `references`, in the order ECR evaluates them.
 *
 * How ECR's lifecycle engine reads them (Amazon ECR User Guide, "Lifecycle policy evaluation rules"): rules run in
 * rulePriority order; a rule selects an image when ALL entries of its tagPatternList/tagPrefixList match one of the
 * image's tags (`tagged`) or when the image has no tag (`untagged`); an image selected by a rule can never be
 * expired by a later one, and an image is expired by at most one rule. So:
 * 1. one rule per referenced tag, selecting exactly that tag, keeping up to 1 image: tags are unique in a
 *    repository, so it never expires anything, and the image it selects is out of reach of the rules below
 *    even when it also carries a build tag;
 * 2. one rule per release tag pattern (`releaseTagPatterns`; one each, because ECR selects an image only when ALL
 *    patterns of a list match), keeping up to RELEASE_IMAGES_KEPT images: a release an environment named before a
 *    promotion stays pullable for a rollback, even when it also carries a build tag;
 * 3. images with a build tag (`<buildTagPrefix>*`) expire `buildTagDays` after push;
 * 4. untagged images expire `untaggedDays` after push.
 * No rule selects `any`, so a tag that is neither referenced nor a build tag never expires either.
 * Rules cannot select by digest: a repository any environment pins by digest gets no expiring rule at all
 * (an image referenced only by digest may carry no tag, or only a build tag).
 */
export function imageLifecycleRules(
  images: Organization['images'],
  references: readonly string[],
): ecr.LifecycleRule[] {
  if (references.some(isDigest)) return [];
  const keep = [...new Set(references)].sort().map(
    (tag, index): ecr.LifecycleRule => ({
      rulePriority: index + 1,
      description: `Keep ${tag}: an environment's model references it`,
      tagStatus: ecr.TagStatus.TAGGED,
      tagPatternList: [tag],
      maxImageCount: 1,
    }),
  );
  const releases = images.releaseTagPatterns.map(
    (pattern, index): ecr.LifecycleRule => ({
      rulePriority: keep.length + index + 1,
      description: `Keep release tags (${pattern}): a rollback may need them`,
      tagStatus: ecr.TagStatus.TAGGED,
      tagPatternList: [pattern],
      maxImageCount: RELEASE_IMAGES_KEPT,
    }),
  );
  const kept = keep.length + releases.length;
  return [
    ...keep,
    ...releases,
    {
      rulePriority: kept + 1,
      description: `Expire build tags (${images.buildTagPrefix}*) after ${images.buildTagDays} days`,
      tagStatus: ecr.TagStatus.TAGGED,
      tagPrefixList: [images.buildTagPrefix],
      maxImageAge: Duration.days(images.buildTagDays),
    },
    {
      rulePriority: kept + 2,
      description: `Expire untagged images after ${images.untaggedDays} days`,
      tagStatus: ecr.TagStatus.UNTAGGED,
      maxImageAge: Duration.days(images.untaggedDays),
    },
  ];
}

/**
 * How many images a release-pattern rule keeps: the default quota of images per repository (100,000, "Images per
 * repository", Amazon ECR User Guide, "Amazon ECR service quotas"). A repository holds no more images than that, so
 * the rule never has more to expire; ECR offers no rule that keeps without a count. Raise it with the quota.
 */
export const RELEASE_IMAGES_KEPT = 100_000;

const isDigest = (reference: string) => reference.startsWith('sha256:');

export interface ImageRepositoryProps {
  readonly organization: Organization;
  readonly service: Service;
  /** Accounts whose clusters pull the images. */
  readonly pullAccounts: readonly string[];
  /**
   * Every image reference (tag or `sha256:` digest) the catalog or an environment's release names for the service
   * (`referencedImages` of the model): these never expire.
   * @default the catalog's tag
   */
  readonly references?: readonly string[];
}

/**
 * A service's repository, shared by every environment (images are promoted by tag): tags are immutable, images are
 * scanned on push and KMS-encrypted; only untagged images and CI build tags expire, never an image a model references
 * or a release image (see imageLifecycleRules). The environments' accounts may pull.
 */
export class ImageRepository extends Construct {
  public readonly repository: ecr.Repository;

  public constructor(scope: Construct, id: string, props: ImageRepositoryProps) {
    super(scope, id);
    const { organization, service } = props;
    const references = props.references ?? [service.image.tag];
    this.repository = new ecr.Repository(this, 'Repository', {
      repositoryName: ecrRepositoryName(organization, service.name),
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      imageScanOnPush: true,
      encryption: ecr.RepositoryEncryption.KMS,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: imageLifecycleRules(organization.images, references),
    });
    if (references.some(isDigest)) {
      Annotations.of(this.repository).addWarningV2(
        '@platform/images:pinnedByDigest',
        `No image of ${ecrRepositoryName(organization, service.name)} expires while a model pins it by digest (${references.filter(isDigest).join(', ')}): ECR lifecycle rules select by tag only.`,
      );
    }
    this.repository.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'PullFromEnvironmentAccounts',
        actions: PULL_ACTIONS,
        principals: props.pullAccounts.map((account) => new iam.AccountPrincipal(account)),
      }),
    );
  }
}

/** ECR actions of pushing an image and reading it back (aws-cdk-lib `Repository.grantPullPush`), and `ecr:DescribeImages`. */
export const PUSH_ACTIONS = [
  ...PULL_ACTIONS,
  'ecr:PutImage',
  'ecr:InitiateLayerUpload',
  'ecr:UploadLayerPart',
  'ecr:CompleteLayerUpload',
  'ecr:DescribeImages',
] as const;

/**
 * Lets the grantee push images to every service repository of the organization and read what it pushed, and look an
 * image up by tag (`ecr:DescribeImages`: a re-run finds the image its first run pushed under an immutable tag). The
 * repositories are named by the naming contract (`ecrRepositoryName`: `<organization>/<service>`), so the grant names
 * them by that prefix in the grantee's stack: one statement however many services, and no reference to the
 * repositories' stacks.
 */
export function grantImagePush(role: iam.Role, organization: Organization): void {
  const prefix = ecrRepositoryName(organization, '');
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'PushServiceImages',
      actions: [...PUSH_ACTIONS],
      resources: [
        Stack.of(role).formatArn({
          service: 'ecr',
          resource: 'repository',
          resourceName: `${prefix}*`,
          account: organization.sharedServices.account,
          region: organization.sharedServices.region,
        }),
      ],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ sid: 'RegistryLogin', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
  );
  acknowledgeWildcards(
    role,
    `ecr:GetAuthorizationToken has no resource scope in IAM; pushing and pulling are limited to the repositories of the organization's services, named by the naming contract's prefix (${prefix}<service>), each in a stack of its own.`,
  );
}
