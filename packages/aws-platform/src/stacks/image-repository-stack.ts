import type { Organization, Service } from '@platform/model';
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ImageRepository } from '../image-registry';
import { tagResources } from '../platform-tags';

export interface ImageRepositoryStackProps extends StackProps {
  readonly organization: Organization;
  /** The one service whose repository the stack holds. */
  readonly service: Service;
  /** Accounts whose clusters pull the images. */
  readonly pullAccounts: readonly string[];
  /** Every image reference the catalog or a release names for the service: these never expire. */
  readonly references: readonly string[];
}

/**
 * One service's image repository in the shared-services account (`ImageRepository`). The CI push role of the
 * shared-services stack may push to it by the naming contract's repository prefix, so neither stack refers to the
 * other; the caller makes the stack depend on the shared-services stack, whose deploy role deploys it.
 */
export class ImageRepositoryStack extends Stack {
  public readonly repository: ImageRepository;

  public constructor(scope: Construct, id: string, props: ImageRepositoryStackProps) {
    super(scope, id, props);
    this.repository = new ImageRepository(this, 'Image', props);
    tagResources(this, 'shared', props.organization.tags);
  }
}
