import {
  githubOidcProviderStacks,
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
 * The image registry every environment pulls from, the CI identities that push to it (one role per service
 * repository, pushing to its service's repository only), the account's GitHub OIDC provider, and the role the deploy workflow deploys this stack with (GitHub Environment `shared-services`).
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
      existingOidcProvider: !githubOidcProviderStacks(model).has(model.organization.sharedServices.account),
    });
    // Each repository has exactly one pushing role: its service's own repository's, else the organization's.
    this.registry.grantPush(
      this.ciPushIdentity,
      model.services.filter((service) => !service.ci).map((service) => service.name),
    );
    for (const [service, role] of this.ciPushIdentity.serviceRoles) this.registry.grantPush(role, [service]);
    this.deployIdentity = new CiDeployIdentity(this, 'DeployIdentity', {
      provider: this.ciPushIdentity.provider,
      roleName: sharedServicesDeployRoleName(model.organization),
      ci: model.organization.ci,
      githubEnvironment: SHARED_SERVICES_DEPLOYMENT,
    });
    tagResources(this, 'shared', model.organization.tags);
  }
}
