/**
 * The layout of dist/, committed and reviewed with every change: one folder per environment holding its
 * Kubernetes objects (the folder Argo CD syncs), and cloudformation/ holding the template of every CDK
 * stack as the CDK synthesizes it. Assets (Lambda bundles, layers) are referenced by their hash in the
 * templates and are not committed.
 */
export const CLOUDFORMATION_FOLDER = 'cloudformation';

/** The folder, relative to the repository root, that `pnpm synth` writes and `pnpm synth:check` compares. */
export const DIST_FOLDER = 'dist';

/**
 * The folder of an environment's manifests relative to the repository root, `dist/<name>`: where `pnpm synth`
 * writes them, so the only folder the environment's root Application (the model's `gitops.path`) may read.
 */
export function environmentFolder(environmentName: string): string {
  return `${DIST_FOLDER}/${environmentName}`;
}

/** Folders of dist/ that are not environments: no environment may take one of these names. */
export const RESERVED_DIST_FOLDERS: readonly string[] = [CLOUDFORMATION_FOLDER];

/** The path below dist/ of a stack's template, by its construct ID, e.g. `cloudformation/dev-network.template.json`. */
export function templatePath(stackId: string): string {
  return `${CLOUDFORMATION_FOLDER}/${stackId}.template.json`;
}
