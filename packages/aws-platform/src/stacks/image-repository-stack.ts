import { ciImagePushRoleName, ciServiceImagePushRoleName, type Organization, type Service } from '@platform/model';
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CiServicePushIdentity } from '../ci-push-identity';
import { importedGitHubOidcProvider } from '../github-oidc';
import { ImageRepository } from '../image-registry';
import { tagResources } from '../platform-tags';

export interface ImageRepositoryStackProps extends StackProps {
  readonly organization: Organization;
  /** The one service whose repository the stack holds. */
  readonly service: Service;
  /** Accounts whose clusters pull the images. */
  readonly pullAccounts: readonly string[];
  /** Every image tag the catalog or a release names for the service: these never expire. */
  readonly references: readonly string[];
}

/**
 * One service's image repository in the shared-services account (`ImageRepository`) and, when the service has a
 * repository of its own (`services[].ci`), the role that repository pushes with (`CiServicePushIdentity`, through
 * the account's GitHub OIDC provider, imported by ARN). The repository's policy denies every image write to every
 * principal but its one push role: the service's own, else the organization's (which may push to every repository by
 * the naming contract's prefix, and is so denied the repositories with a push role of their own). Neither stack refers to the other by a
 * CloudFormation reference; the caller makes the stack depend on the shared-services stack, which creates the
 * provider and whose deploy role deploys it.
 */
export class ImageRepositoryStack extends Stack {
  public readonly repository: ImageRepository;
  /** The push role of the service's own repository, if it has one. */
  public readonly servicePushIdentity?: CiServicePushIdentity;

  public constructor(scope: Construct, id: string, props: ImageRepositoryStackProps) {
    super(scope, id, props);
    const { organization, service } = props;
    // Its one push role, by name: the repository's policy exempts it from denying every image write to everyone.
    const pusher = service.ci
      ? ciServiceImagePushRoleName(organization, service.name)
      : ciImagePushRoleName(organization);
    this.repository = new ImageRepository(this, 'Image', {
      ...props,
      pusherRoleArn: this.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: pusher }),
    });
    if (service.ci) {
      this.servicePushIdentity = new CiServicePushIdentity(this, 'CiPushIdentity', {
        organization,
        service,
        provider: importedGitHubOidcProvider(this, 'GitHubOidcProvider'),
      });
    }
    tagResources(this, 'shared', organization.tags);
  }
}
