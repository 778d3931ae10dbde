import { renderManifestFiles } from '@platform/k8s-platform';
import { loadModel, type PlatformModel } from '@platform/model';
import { buildClusterApp } from './cluster-app';
import { replaceDistDirectory } from './dist-directory';

/** Every manifest of every environment, keyed by its path below dist/. */
export function renderDist(model: PlatformModel): Map<string, string> {
  return renderManifestFiles(buildClusterApp(model));
}

/**
 * Validates the model, renders it and swaps the result into distDir. Any failure, from a model
 * mistake to a failed check, throws before distDir is touched.
 */
export function synthesizeDist(modelInput: unknown, distDir: string): ReadonlyMap<string, string> {
  const files = renderDist(loadModel(modelInput));
  replaceDistDirectory(distDir, files);
  return files;
}
