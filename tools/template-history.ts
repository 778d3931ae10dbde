import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TemplateHistory, TemplateVersion } from '../apps/cloud/src/name-collisions.ts';

/**
 * The committed versions of a file below `root`/dist/, newest first, read with Git (`git log` of the path, then
 * `git show <commit>:dist/<path>` one version at a time, only as far as the caller reads). None when `root` is no Git
 * work tree of its own (a copy without .git) or Git fails: the history is a hint, never a reason to fail a synth.
 */
export function gitTemplateHistory(root: string): TemplateHistory {
  if (!existsSync(join(root, '.git'))) return () => [];
  const git = (args: string[]) =>
    spawnSync('git', ['-C', root, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return function* versions(path: string): Iterable<TemplateVersion> {
    const file = `dist/${path}`;
    const log = git(['log', '--format=%H', '--', file]);
    if (log.status !== 0) return;
    for (const commit of log.stdout.split('\n').filter((line) => line !== '')) {
      const shown = git(['show', `${commit}:${file}`]);
      if (shown.status === 0) yield { commit, text: shown.stdout };
    }
  };
}
