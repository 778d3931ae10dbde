import { cpSync, mkdirSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp-dirs';

export const REPOSITORY_ROOT = join(__dirname, '..', '..');

/**
 * What a command of the repository reads and writes (the synth also writes the pages and policy fixtures it renders
 * into docs/ and test/); .git, caches and cdk.out/ stay behind.
 */
const COPIED = [
  '.github',
  'package.json',
  'tsconfig.json',
  'cdk.json',
  'cdk8s.yaml',
  'apps',
  'packages',
  'tools',
  'dist',
  'docs',
  'test',
];

/**
 * A copy of the repository in a temp dir (removed after the test file) for running its real commands
 * where they may write or break files: sources, dist/ and the configuration are copied; the installed
 * packages are linked. The workspace packages' links are relative, so `@platform/*` resolves to the
 * copy's packages and a broken file in the copy is the one the command loads.
 */
export function copyRepository(): string {
  const root = tempDir('platform-repo-');
  for (const entry of COPIED) {
    cpSync(join(REPOSITORY_ROOT, entry), join(root, entry), { recursive: true, verbatimSymlinks: true });
  }
  const modules = join(REPOSITORY_ROOT, 'node_modules');
  mkdirSync(join(root, 'node_modules'));
  for (const entry of readdirSync(modules)) {
    if (entry === '@platform') {
      mkdirSync(join(root, 'node_modules', entry));
      for (const name of readdirSync(join(modules, entry))) {
        symlinkSync(readlinkSync(join(modules, entry, name)), join(root, 'node_modules', entry, name));
      }
    } else {
      symlinkSync(join(modules, entry), join(root, 'node_modules', entry));
    }
  }
  return root;
}
