import { exitOnUserError, platformModelInput } from '@platform/model';
import { synthesizeDist } from './synthesize-dist';

// `cdk8s synth` passes its output folder in CDK8S_OUTDIR.
exitOnUserError(() => {
  synthesizeDist(platformModelInput, process.env.CDK8S_OUTDIR ?? 'dist');
});
