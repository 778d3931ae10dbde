import {
  githubOidcProviderStacks,
  type PlatformModel,
  SHARED_SERVICES_DEPLOYMENT,
  sharedServicesDeployRoleName,
} from '@platform/model';
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CiDeployIdentity } from '../ci-deploy-identity';
import { CiPushIdentity } from '../ci-push-identity';
import { tagResources } from '../platform-tags';

export interface SharedServicesStackProps extends StackProps {
  readonly model: PlatformModel;
}

/**
 * The CI identity of the model's repository that pushes to the image registry (each service's repository has a stack
 * of its own, `ImageRepositoryStack`, with the push role of the service's own repository if it has one), the
 * account's GitHub OIDC provider, and the role the deploy workflow deploys the account's stacks with (GitHub
 * Environment `shared-services`).
 */
export class SharedServicesStack extends Stack {
  public readonly ciPushIdentity: CiPushIdentity;
  public readonly deployIdentity: CiDeployIdentity;

  public constructor(scope: Construct, id: string, props: SharedServicesStackProps) {
    super(scope, id, props);
    const { model } = props;
    this.ciPushIdentity = new CiPushIdentity(this, 'CiPushIdentity', {
      organization: model.organization,
      existingOidcProvider: !githubOidcProviderStacks(model).has(model.organization.sharedServices.account),
    });
    this.deployIdentity = new CiDeployIdentity(this, 'DeployIdentity', {
      provider: this.ciPushIdentity.provider,
      roleName: sharedServicesDeployRoleName(model.organization),
      ci: model.organization.ci,
      githubEnvironment: SHARED_SERVICES_DEPLOYMENT,
    });
    tagResources(this, 'shared', model.organization.tags);
  }
}
