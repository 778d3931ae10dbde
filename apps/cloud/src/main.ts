import { addComplianceChecks } from '@platform/aws-platform';
import { exitOnUserError, loadPlatformModel } from '@platform/model';
import { App } from 'aws-cdk-lib';
import { buildCloudApp } from './cloud-app';

exitOnUserError(() => {
  const app = new App();
  buildCloudApp(app, loadPlatformModel());
  // An unacknowledged cdk-nag finding fails `cdk synth` and `cdk deploy`, not only the tests.
  addComplianceChecks(app);
  app.synth();
});
