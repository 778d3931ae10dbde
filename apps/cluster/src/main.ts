/**
 * The cdk8s app as `cdk8s synth` runs it (cdk8s.yaml), which passes its output folder in CDK8S_OUTDIR:
 * every environment's manifests. `pnpm synth` writes dist/ itself, with the CloudFormation templates.
 */
import { runEntryPoint } from '@platform/model/entry-point';

runEntryPoint(async () => {
  // Loaded only now: these load the model data, whose syntax errors runEntryPoint reports.
  const { platformModelInput } = await import('@platform/model');
  const { synthesizeDist } = await import('./synthesize-dist.ts');
  synthesizeDist(platformModelInput, process.env.CDK8S_OUTDIR ?? 'dist');
});
