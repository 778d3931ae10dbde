import { type PlatformModel, templatePath } from '@platform/model';
import { synthesizeTemplates } from '../apps/cloud/src/synthesize-cloud';
import { isTemplatePath } from '../apps/cluster/src/dist-directory';
import { renderDist } from '../apps/cluster/src/synthesize-dist';

/** What one run renders below dist/, and which paths of dist/ it answers for. */
export interface PlatformOutputs {
  /** Rendered files by path below dist/: manifests under `<env>/`, templates under `cloudformation/`. */
  readonly files: ReadonlyMap<string, string>;
  /** Whether a path of dist/ belongs to what was rendered: such a file that was not rendered is stale. */
  readonly owns: (path: string) => boolean;
  /** The environments rendered. */
  readonly environments: readonly string[];
  /** Warnings of the CDK app, one line each. */
  readonly warnings: readonly string[];
}

export interface RenderOptions {
  /** The folder holding cdk.json. */
  readonly root: string;
  /** Where the CDK writes its cloud assembly. */
  readonly cloudOutdir: string;
  /** Render only this environment: its folder and its stacks' templates. Default: everything. */
  readonly environment?: string;
}

/**
 * Renders both halves from one model object: every environment's manifests (the cdk8s app) and every
 * stack's template (the CDK app, synthesized in this process). With `environment`, only that
 * environment's folder and the templates of its stacks; the shared stacks and the other environments
 * belong to no such run.
 */
export function renderPlatformOutputs(model: PlatformModel, options: RenderOptions): PlatformOutputs {
  const names = model.environments.map((environment) => environment.name);
  if (options.environment !== undefined && !names.includes(options.environment)) {
    throw new Error(`the model has no environment '${options.environment}'`);
  }
  const manifests = renderDist(model);
  const cloud = synthesizeTemplates(model, { root: options.root, outdir: options.cloudOutdir });
  const all = new Map<string, string>(manifests);
  for (const [stackId, template] of cloud.templates) all.set(templatePath(stackId), template);
  const { environment } = options;
  if (environment === undefined) {
    return { files: all, owns: () => true, environments: names, warnings: cloud.warnings };
  }
  const templates = new Set((cloud.stacksByEnvironment.get(environment) ?? []).map(templatePath));
  const owns = (path: string) => (isTemplatePath(path) ? templates.has(path) : path.startsWith(`${environment}/`));
  return {
    files: new Map([...all].filter(([path]) => owns(path))),
    owns,
    environments: [environment],
    warnings: cloud.warnings,
  };
}
