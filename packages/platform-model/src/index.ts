import { platformModelInput } from './data';
import type { PlatformModel } from './schema';
import { loadModel } from './validate';

export * from './cidr';
export * from './cli-errors';
export * from './dist-layout';
export * from './entry-point';
export * from './gitops-sync';
export * from './kubernetes-versions';
export * from './naming';
export * from './network-layout';
export * from './releases';
export * from './schema';
export * from './source-errors';
export * from './validate';
export * from './wording';
export { platformModelInput };

/** The shipped model, validated. */
export function loadPlatformModel(): PlatformModel {
  return loadModel(platformModelInput);
}
