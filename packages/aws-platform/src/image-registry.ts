import { ecrRepositoryName, type Organization, type Service } from '@platform/model';
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
}

/** Actions a cluster's nodes need to pull an image. */
export const PULL_ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];

/**
 * One repository per service, shared by every environment (images are promoted by tag): tags are
 * immutable, images are scanned on push and KMS-encrypted, untagged images expire.
 */
export class ImageRegistry extends Construct {
  public readonly repositories: ReadonlyMap<string, ecr.Repository>;

  public constructor(scope: Construct, id: string, props: ImageRegistryProps) {
    super(scope, id);
    const repositories = new Map<string, ecr.Repository>();
    for (const service of props.services) {
      const repository = new ecr.Repository(this, service.name, {
        repositoryName: ecrRepositoryName(props.organization, service.name),
        imageTagMutability: ecr.TagMutability.IMMUTABLE,
        imageScanOnPush: true,
        encryption: ecr.RepositoryEncryption.KMS,
        removalPolicy: RemovalPolicy.RETAIN,
        lifecycleRules: [
          {
            rulePriority: 1,
            description: 'Expire untagged images',
            tagStatus: ecr.TagStatus.UNTAGGED,
            maxImageAge: Duration.days(7),
          },
          {
            rulePriority: 2,
            description: `Keep the last ${props.organization.imagesKept} tagged images`,
            tagStatus: ecr.TagStatus.ANY,
            maxImageCount: props.organization.imagesKept,
          },
        ],
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

  /** Lets the grantee push images (and read what it pushed) to every service repository. */
  public grantPush(grantee: iam.IGrantable): void {
    for (const repository of this.repositories.values()) repository.grantPullPush(grantee);
    const policy =
      grantee.grantPrincipal instanceof iam.Role
        ? grantee.grantPrincipal.node.tryFindChild('DefaultPolicy')
        : undefined;
    if (policy) {
      acknowledge(
        policy,
        'AwsSolutions-IAM5[Resource::*]',
        'ecr:GetAuthorizationToken has no resource scope in IAM; pushing and pulling are limited to the service repositories.',
      );
    }
  }
}
