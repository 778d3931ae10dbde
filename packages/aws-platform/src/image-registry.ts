import { ecrRepositoryName, imageTagOf, type Organization, type Service } from '@platform/model';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';

export interface ImageRegistryProps {
  readonly organization: Organization;
  readonly services: readonly Service[];
  /** Accounts whose clusters pull the images. */
  readonly pullAccounts: readonly string[];
  /**
   * Per service name, every image tag the catalog or an environment's release names, without a digest it pins
   * (`referencedImages` of the model): these never expire.
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
 * Rules cannot select by digest, so the model pins an image by tag and digest (`<tag>@sha256:…`, image-reference.ts):
 * the tag keeps it, the digest fixes what is pulled; a bare digest is refused by the validator.
 */
export function imageLifecycleRules(
  images: Organization['images'],
  references: readonly string[],
): ecr.LifecycleRule[] {
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

/**
 * One repository per service, shared by every environment (images are promoted by tag): tags are
 * immutable, images are scanned on push and KMS-encrypted; only untagged images and CI build tags
 * expire, never an image a model references or a release image (see imageLifecycleRules).
 */
export class ImageRegistry extends Construct {
  public readonly repositories: ReadonlyMap<string, ecr.Repository>;

  public constructor(scope: Construct, id: string, props: ImageRegistryProps) {
    super(scope, id);
    const repositories = new Map<string, ecr.Repository>();
    for (const service of props.services) {
      const references = props.referencedImages.get(service.name) ?? [imageTagOf(service.image.tag)];
      const repository = new ecr.Repository(this, service.name, {
        repositoryName: ecrRepositoryName(props.organization, service.name),
        imageTagMutability: ecr.TagMutability.IMMUTABLE,
        imageScanOnPush: true,
        encryption: ecr.RepositoryEncryption.KMS,
        removalPolicy: RemovalPolicy.RETAIN,
        lifecycleRules: imageLifecycleRules(props.organization.images, references),
      });
      repository.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'PullFromEnvironmentAccounts',
          actions: PULL_ACTIONS,
          principals: props.pullAccounts.map((account) => new iam.AccountPrincipal(account)),
        }),
      );
      repositories.set(service.name, repository);
    }
    this.repositories = repositories;
  }

  /**
   * Lets the grantee push images to the repositories of `serviceNames` and to no other, read what it pushed, tag a
   * pushed image (`ecr:PutImage` of its manifest) and look an image up by tag (`ecr:DescribeImages`: a re-run finds
   * the image its first run pushed under an immutable tag). `ecr:GetAuthorizationToken` has no resource scope.
   *
   * @throws Error naming a service without a repository here
   */
  public grantPush(grantee: iam.IGrantable, serviceNames: readonly string[]): void {
    for (const name of serviceNames) {
      const repository = this.repositories.get(name);
      if (!repository) throw new Error(`ImageRegistry: no repository of the service '${name}'`);
      repository.grantPullPush(grantee);
      repository.grant(grantee, 'ecr:DescribeImages');
    }
    const policy =
      grantee.grantPrincipal instanceof iam.Role
        ? grantee.grantPrincipal.node.tryFindChild('DefaultPolicy')
        : undefined;
    if (policy) {
      acknowledge(
        policy,
        'AwsSolutions-IAM5[Resource::*]',
        'ecr:GetAuthorizationToken has no resource scope in IAM; pushing and pulling are limited to the granted service repositories.',
      );
    }
  }
}
