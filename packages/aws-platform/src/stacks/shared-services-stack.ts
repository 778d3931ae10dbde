import { type PlatformModel, SHARED_SERVICES_DEPLOYMENT, sharedServicesDeployRoleName } from '@platform/model';
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CiDeployIdentity } from '../ci-deploy-identity';
import { CiPushIdentity } from '../ci-push-identity';
import { grantImagePush } from '../image-registry';
import { tagResources } from '../platform-tags';

export interface SharedServicesStackProps extends StackProps {
  readonly model: PlatformModel;
}

/**
 * The CI identity that pushes to the image registry (each service's repository has a stack of its own,
 * `ImageRepositoryStack`), the account's GitHub OIDC provider, and the role the deploy workflow deploys the
 * account's stacks with (GitHub Environment `shared-services`).
 */
export class SharedServicesStack extends Stack {
  public readonly ciPushIdentity: CiPushIdentity;
  public readonly deployIdentity: CiDeployIdentity;

  public constructor(scope: Construct, id: string, props: SharedServicesStackProps) {
    super(scope, id, props);
    const { model } = props;
    this.ciPushIdentity = new CiPushIdentity(this, 'CiPushIdentity', {
      organization: model.organization,
      services: model.services,
    });
    grantImagePush(this.ciPushIdentity.role, model.organization);
    this.deployIdentity = new CiDeployIdentity(this, 'DeployIdentity', {
      provider: this.ciPushIdentity.provider,
      roleName: sharedServicesDeployRoleName(model.organization),
      githubRepository: model.organization.ci.githubRepository,
      githubEnvironment: SHARED_SERVICES_DEPLOYMENT,
    });
    tagResources(this, 'shared', model.organization.tags);
  }
}
