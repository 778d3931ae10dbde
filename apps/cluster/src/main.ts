import { renderManifestFiles } from '@platform/k8s-platform';
import { exitOnUserError, loadPlatformModel } from '@platform/model';
import { buildClusterApp } from './cluster-app';
import { replaceDistDirectory } from './dist-directory';

// `cdk8s synth` passes its output folder in CDK8S_OUTDIR.
exitOnUserError(() => {
  const files = renderManifestFiles(buildClusterApp(loadPlatformModel()));
  replaceDistDirectory(process.env.CDK8S_OUTDIR ?? 'dist', files);
});
