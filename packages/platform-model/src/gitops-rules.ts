import { environmentFolder } from './dist-layout';
import type { ModelIssue } from './model-issue';
import { type ModelParts, pick } from './model-parts';

/**
 * The model's `gitops.path` is best left out (the validator fills in `dist/<name>`); when given, it must be that
 * folder. Argo CD reads each environment from the folder the model names (`gitops.path`: the path of the root
 * Application the cluster stack installs, and the prefix of its children's paths), and `pnpm synth` writes the
 * environment to `dist/<name>` (dist-layout.ts): a path that differs syncs another environment's objects, or a
 * folder nothing writes (Argo CD then reports the app-of-apps as failing to generate manifests).
 */
export function gitopsIssues(parts: ModelParts): ModelIssue[] {
  return parts.environments.flatMap((part) => {
    const environment = pick(part, 'name', 'gitops');
    if (!environment) return [];
    const expected = environmentFolder(environment.name);
    // Left out, the validator fills it in (validate.ts).
    const given: string | undefined = environment.gitops.path;
    if (given === undefined || given === expected) return [];
    return [
      {
        path: `environments.${part.label}.gitops.path`,
        message: `'${given}' is not the folder pnpm synth writes the environment '${environment.name}' to; allowed: '${expected}'`,
      },
    ];
  });
}
