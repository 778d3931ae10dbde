import { exitOnUserError, loadPlatformModel } from '@platform/model';
import { App } from 'aws-cdk-lib';
import { buildCloudApp } from './cloud-app';

exitOnUserError(() => {
  const app = new App();
  buildCloudApp(app, loadPlatformModel());
  app.synth();
});
