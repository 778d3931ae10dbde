import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeploymentContext } from '@platform/model';

const ROOT = join(__dirname, '..');

/**
 * The CDK context `cdk synth` gives the app from this project: cdk.json's `context`, overlaid by
 * cdk.context.json's when there is one (the CLI's order). The tools validate the model against it, so
 * `pnpm validate` checks what synthesis reads from the context.
 */
export function projectCdkContext(root = ROOT): DeploymentContext {
  const read = (file: string): Record<string, unknown> => {
    const path = join(root, file);
    if (!existsSync(path)) return {};
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    return file === 'cdk.json' ? ((parsed.context as Record<string, unknown> | undefined) ?? {}) : parsed;
  };
  return { ...read('cdk.json'), ...read('cdk.context.json') };
}
