import { renderManifestFiles } from '@platform/k8s-platform';
import { loadModel, type PlatformModel } from '@platform/model';
import { buildClusterApp } from './cluster-app';
import { isTemplatePath, replaceDistDirectory } from './dist-directory';

/** Every manifest of every environment, keyed by its path below dist/. */
export function renderDist(model: PlatformModel): Map<string, string> {
  return renderManifestFiles(buildClusterApp(model));
}

/**
 * Validates the model, renders its manifests and swaps them into distDir, keeping the CloudFormation
 * templates that are there (the CDK app renders those). Any failure, from a model mistake to a failed
 * check, throws before distDir is touched.
 */
export function synthesizeDist(modelInput: unknown, distDir: string): ReadonlyMap<string, string> {
  const files = renderDist(loadModel(modelInput));
  replaceDistDirectory(distDir, files, { keep: isTemplatePath });
  return files;
}
