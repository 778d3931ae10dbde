import { type PlatformModel, referencedImages } from '@platform/model';
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CiPushIdentity } from '../ci-push-identity';
import { ImageRegistry } from '../image-registry';
import { tagResources } from '../platform-tags';

export interface SharedServicesStackProps extends StackProps {
  readonly model: PlatformModel;
}

/** The image registry every environment pulls from, and the CI identity that pushes to it. */
export class SharedServicesStack extends Stack {
  public readonly registry: ImageRegistry;
  public readonly ciPushIdentity: CiPushIdentity;

  public constructor(scope: Construct, id: string, props: SharedServicesStackProps) {
    super(scope, id, props);
    const { model } = props;
    this.registry = new ImageRegistry(this, 'ImageRegistry', {
      organization: model.organization,
      services: model.services,
      pullAccounts: [...new Set(model.environments.map((environment) => environment.account))].sort(),
      referencedImages: referencedImages(model),
    });
    this.ciPushIdentity = new CiPushIdentity(this, 'CiPushIdentity', { organization: model.organization });
    this.registry.grantPush(this.ciPushIdentity);
    tagResources(this, 'shared', model.organization.tags);
  }
}
