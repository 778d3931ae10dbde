import { addComplianceChecks } from '@platform/aws-platform';
import { exitOnUserError, platformModelInput } from '@platform/model';
import { App } from 'aws-cdk-lib';
import { buildCloudAppFromInput } from './cloud-app';

exitOnUserError(() => {
  const app = new App();
  buildCloudAppFromInput(app, platformModelInput);
  // An unacknowledged cdk-nag finding fails `cdk synth` and `cdk deploy`, not only the tests.
  addComplianceChecks(app);
  app.synth();
});
