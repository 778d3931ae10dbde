import {
  type PlatformModel,
  referencedImages,
  SHARED_SERVICES_DEPLOYMENT,
  sharedServicesDeployRoleName,
} from '@platform/model';
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CiDeployIdentity } from '../ci-deploy-identity';
import { CiPushIdentity } from '../ci-push-identity';
import { ImageRegistry } from '../image-registry';
import { tagResources } from '../platform-tags';

export interface SharedServicesStackProps extends StackProps {
  readonly model: PlatformModel;
}

/**
 * The image registry every environment pulls from, the CI identity that pushes to it, the account's GitHub OIDC
 * provider, and the role the deploy workflow deploys this stack with (GitHub Environment `shared-services`).
 */
export class SharedServicesStack extends Stack {
  public readonly registry: ImageRegistry;
  public readonly ciPushIdentity: CiPushIdentity;
  public readonly deployIdentity: CiDeployIdentity;

  public constructor(scope: Construct, id: string, props: SharedServicesStackProps) {
    super(scope, id, props);
    const { model } = props;
    this.registry = new ImageRegistry(this, 'ImageRegistry', {
      organization: model.organization,
      services: model.services,
      pullAccounts: [...new Set(model.environments.map((environment) => environment.account))].sort(),
      referencedImages: referencedImages(model),
    });
    this.ciPushIdentity = new CiPushIdentity(this, 'CiPushIdentity', {
      organization: model.organization,
      services: model.services,
    });
    this.registry.grantPush(this.ciPushIdentity);
    this.deployIdentity = new CiDeployIdentity(this, 'DeployIdentity', {
      provider: this.ciPushIdentity.provider,
      roleName: sharedServicesDeployRoleName(model.organization),
      githubRepository: model.organization.ci.githubRepository,
      githubEnvironment: SHARED_SERVICES_DEPLOYMENT,
    });
    tagResources(this, 'shared', model.organization.tags);
  }
}
