/**
 * Prints what the working tree's dist/ changes against a base revision's: per environment, the Kubernetes objects
 * each Argo CD Application adds, changes and prunes, and the CloudFormation resources each stack adds, modifies,
 * replaces (or may replace) and removes (tools/dist-changes.ts), as Markdown. The pull request workflow appends it to the job summary. Offline: it
 * reads both sides' committed outputs, never AWS or a cluster. `pnpm changes --help` lists the options.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runEntryPoint, UsageError, UserError } from '@platform/model/entry-point';
import { helpText, parseCommandLine } from './command-line';

const ROOT = join(__dirname, '..');

/** The command's name, summary and options, as `--help` prints them. */
export const CHANGES = {
  command: 'pnpm changes',
  summary:
    'Prints, as Markdown, what dist/ of the working tree changes against dist/ of --base: per environment, each Argo\n' +
    "CD Application's objects added, changed and pruned, and each stack's resources added, modified, replaced (or\n" +
    'maybe replaced, by the CloudFormation resource specification) and removed.',
  options: {
    base: {
      type: 'string',
      placeholder: 'REV',
      description: 'the Git revision to compare with (required), e.g. origin/main',
    },
  },
} as const;

/**
 * The command: `args` as after `pnpm changes`, in the Git repository at `root` (default this one). Prints the
 * Markdown to stdout; throws UsageError for a command line it refuses and UserError for a revision Git does not know.
 */
export async function changes(args: readonly string[], root: string = ROOT): Promise<void> {
  const { help, values } = parseCommandLine(CHANGES, args);
  if (help) {
    process.stdout.write(helpText(CHANGES));
    return;
  }
  const { base } = values;
  if (!base) throw new UsageError(`${CHANGES.command}: --base REV is required`);
  // Loaded only now: these load the model data, whose syntax errors runEntryPoint reports.
  const { loadPlatformModel, DIST_FOLDER } = await import('@platform/model');
  const { listFiles } = await import('../apps/cluster/src/dist-directory.ts');
  const { changesMarkdown, distChanges } = await import('./dist-changes.ts');
  const commit = git(root, ['rev-parse', '--verify', '--quiet', `${base}^{commit}`]);
  if (commit.status !== 0) throw new UserError(`--base ${base}: not a revision of this repository`);
  const before = filesAtRevision(root, commit.stdout.trim(), DIST_FOLDER);
  let paths: string[];
  try {
    paths = listFiles(join(root, DIST_FOLDER));
  } catch {
    paths = [];
  }
  const after = new Map(paths.map((path) => [path, readFileSync(join(root, DIST_FOLDER, path), 'utf8')]));
  process.stdout.write(
    changesMarkdown(distChanges(loadPlatformModel(), before, after), `${base} (${commit.stdout.trim().slice(0, 12)})`),
  );
}

function git(root: string, args: readonly string[], input?: string) {
  const run = spawnSync('git', args, { cwd: root, input, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (run.error) throw new UserError(`git ${args[0]}: ${run.error.message}`);
  return run;
}

/** Every file below `folder` at `commit`, by path below the folder, read in one `git cat-file --batch`. */
function filesAtRevision(root: string, commit: string, folder: string): Map<string, string> {
  const listed = git(root, ['ls-tree', '-r', '-z', '--name-only', commit, '--', `${folder}/`]);
  if (listed.status !== 0) throw new UserError(`git ls-tree ${commit}: ${listed.stderr.trim()}`);
  const paths = listed.stdout.split('\0').filter(Boolean);
  if (paths.length === 0) return new Map();
  const batch = spawnSync('git', ['cat-file', '--batch'], {
    cwd: root,
    input: paths.map((path) => `${commit}:${path}\n`).join(''),
    maxBuffer: 1 << 30,
  });
  if (batch.status !== 0) throw new UserError(`git cat-file: ${batch.stderr.toString().trim()}`);
  // Each entry: "<sha> blob <size>\n<content>\n".
  const output = batch.stdout;
  const files = new Map<string, string>();
  let offset = 0;
  for (const path of paths) {
    const headerEnd = output.indexOf(0x0a, offset);
    const size = Number(output.subarray(offset, headerEnd).toString().split(' ')[2]);
    files.set(path.slice(folder.length + 1), output.subarray(headerEnd + 1, headerEnd + 1 + size).toString('utf8'));
    offset = headerEnd + 1 + size + 1;
  }
  return files;
}

// Run as a script (`pnpm changes`), not when a test imports the command.
if (require.main === module) runEntryPoint(() => changes(process.argv.slice(2)));
