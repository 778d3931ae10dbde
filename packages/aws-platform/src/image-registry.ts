import { ecrRepositoryName, imageTagOf, type Organization, type Service } from '@platform/model';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeWildcards } from './acknowledge';
import { skipCheckov } from './checkov-skips';

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

export interface ImageRepositoryProps {
  readonly organization: Organization;
  readonly service: Service;
  /** Accounts whose clusters pull the images. */
  readonly pullAccounts: readonly string[];
  /**
   * Every image tag the catalog or an environment's release names for the service (`referencedImages` of the model;
   * a release pins `<tag>@sha256:<digest>`, whose tag is named here): these never expire.
   * @default the catalog's tag
   */
  readonly references?: readonly string[];
  /**
   * The ARN of the one role that may change the repository's images (`arn:<partition>:iam::<account>:role/<name>`, no
   * path): the service's own push role where it has one (`services[].ci`), else the organization's. The repository's
   * policy denies every ECR image write (`ECR_IMAGE_CHANGE_ACTIONS`) to every other principal, whatever its own IAM
   * policies allow (see `ImageRepository`).
   */
  readonly pusherRoleArn: string;
}

/**
 * A service's repository, shared by every environment (images are promoted by tag): tags are immutable, images are
 * scanned on push and KMS-encrypted; only untagged images and CI build tags expire, never an image a model references
 * or a release image (see imageLifecycleRules). The environments' accounts may pull; one role may change its images
 * (`pusherRoleArn`), every other principal is denied by the repository's policy.
 */
export class ImageRepository extends Construct {
  public readonly repository: ecr.Repository;

  public constructor(scope: Construct, id: string, props: ImageRepositoryProps) {
    super(scope, id);
    const { organization, service } = props;
    const references = props.references ?? [imageTagOf(service.image.tag)];
    this.repository = new ecr.Repository(this, 'Repository', {
      repositoryName: ecrRepositoryName(organization, service.name),
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      imageScanOnPush: true,
      encryption: ecr.RepositoryEncryption.KMS,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: imageLifecycleRules(organization.images, references),
    });
    this.repository.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'PullFromEnvironmentAccounts',
        actions: PULL_ACTIONS,
        principals: props.pullAccounts.map((account) => new iam.AccountPrincipal(account)),
      }),
    );
    // IAM evaluation (IAM User Guide, "Policy evaluation logic"): an explicit Deny in the resource-based policy wins
    // over any Allow, for a principal of this account as for any other, administrators and the CloudFormation
    // execution role included. For an assumed role's session `aws:PrincipalArn` is the role's ARN (IAM User Guide,
    // "AWS global condition context keys"), so the push role's sessions are exempt and nothing else is. By condition,
    // not NotPrincipal: ECR would resolve a principal to the role's unique ID, stale once the role is replaced.
    // ECR's lifecycle expiry is ECR's own work, no principal's request: the Deny does not reach it. The statement
    // leaves the repository's configuration (its policy, lifecycle policy, tags) to CloudFormation and to
    // administrators, who can lift the Deny by changing this policy: a change the deploy pipeline reviews.
    this.repository.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyThePushRoleChangesImages',
        effect: iam.Effect.DENY,
        actions: [...ECR_IMAGE_CHANGE_ACTIONS],
        principals: [new iam.AnyPrincipal()],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': props.pusherRoleArn } },
      }),
    );
    skipCheckov(
      this.repository,
      'CKV_AWS_32',
      "The policy's only statement with the principal '*' is the Deny of image writes to all but the push role; the one Allow names the environment accounts, so nothing is public (checkov reads any '*' principal as public, whatever the effect).",
    );
  }
}

/** ECR actions that write to a repository: any one of them puts content there. */
export const ECR_WRITE_ACTIONS = [
  'ecr:PutImage',
  'ecr:InitiateLayerUpload',
  'ecr:UploadLayerPart',
  'ecr:CompleteLayerUpload',
] as const;

/**
 * Every ECR action that changes a repository's images or tags (Service Authorization Reference, "Actions defined by
 * Amazon Elastic Container Registry"): the writes of a push (a tag is added by `ecr:PutImage`), `ecr:BatchDeleteImage`
 * (removes an image or a tag: a released image would vanish) and `ecr:BatchImportUpstreamImage` (a pull-through cache
 * importing an image). Only the repository's push role may do any of them.
 */
export const ECR_IMAGE_CHANGE_ACTIONS = [
  ...ECR_WRITE_ACTIONS,
  'ecr:BatchDeleteImage',
  'ecr:BatchImportUpstreamImage',
] as const;

/** ECR actions of pushing an image and reading it back (aws-cdk-lib `Repository.grantPullPush`), and `ecr:DescribeImages`. */
export const PUSH_ACTIONS = [...PULL_ACTIONS, ...ECR_WRITE_ACTIONS, 'ecr:DescribeImages'] as const;

/**
 * Lets the role push images and read what it pushed, and look an image up by tag (`ecr:DescribeImages`: a re-run
 * finds the image its first run pushed under an immutable tag): to the repository of `serviceName`, or, without it,
 * to every service repository of the organization. The repositories are named by the naming contract
 * (`ecrRepositoryName`: `<organization>/<service>`), so the grant names them in the role's stack (by that prefix for
 * every repository): one statement however many services, and no reference to the repositories' stacks. A
 * repository whose service has a push role of its own denies the organization-wide one (`ImageRepositoryProps`
 * `pusherRoleArn`: every repository denies its writes to all but its one push role). `ecr:GetAuthorizationToken` has no resource scope.
 */
export function grantImagePush(role: iam.Role, organization: Organization, serviceName?: string): void {
  const prefix = ecrRepositoryName(organization, '');
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'PushServiceImages',
      actions: [...PUSH_ACTIONS],
      resources: [
        Stack.of(role).formatArn({
          service: 'ecr',
          resource: 'repository',
          resourceName: serviceName === undefined ? `${prefix}*` : ecrRepositoryName(organization, serviceName),
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
    serviceName === undefined
      ? `ecr:GetAuthorizationToken has no resource scope in IAM; pushing and pulling are limited to the repositories of the organization's services, named by the naming contract's prefix (${prefix}<service>), each in a stack of its own; a repository with a push role of its own denies this role.`
      : `ecr:GetAuthorizationToken has no resource scope in IAM; pushing and pulling are limited to the repository of ${serviceName}.`,
  );
}
