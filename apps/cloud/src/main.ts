/**
 * The CDK app as `cdk synth` / `cdk deploy` run it (cdk.json). `pnpm synth` synthesizes the same app in
 * process (synthesize-cloud.ts) so that both halves come from one model object.
 */
import { runEntryPoint } from '@platform/model/entry-point';

runEntryPoint(async () => {
  // Loaded only now: these load the model data, whose syntax errors runEntryPoint reports.
  const { addComplianceChecks } = await import('@platform/aws-platform');
  const { platformModelInput } = await import('@platform/model');
  const { App } = await import('aws-cdk-lib');
  const { buildCloudAppFromInput } = await import('./cloud-app.ts');
  const app = new App();
  buildCloudAppFromInput(app, platformModelInput);
  // An unacknowledged cdk-nag finding fails `cdk synth` and `cdk deploy`, not only the tests.
  addComplianceChecks(app);
  app.synth();
});
