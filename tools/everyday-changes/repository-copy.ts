import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Folders that are neither in Git nor rebuilt by a step of the check: the pinned tools and upstream files. */
const LINKED_FOLDERS = ['.tools', '.upstream'];

/** Output of a command run in the copy. */
export interface CommandResult {
  readonly ok: boolean;
  readonly output: string;
  readonly seconds: number;
}

/**
 * A throw-away copy of the repository as it is on disk (tracked and untracked files, not ignored ones), or as a
 * commit holds it, as a fresh clone would have it after `npm run setup`, with a Git commit of its own so a
 * change shows as a diff:
 *
 * - the installed packages are linked, not reinstalled: each `node_modules/` folder is recreated with the same
 *   relative links, so `@platform/*` resolve to the copy's packages, while `node_modules/.pnpm` (the packages
 *   themselves) is one link to the original;
 * - `.tools/` and `.upstream/` (git-ignored, fetched by `npm run setup`) are links to the original's.
 */
export class RepositoryCopy {
  public readonly root: string;

  /**
   * @param source the repository's root; its installed packages and tools are linked
   * @param label a word in the copy's folder name
   * @param ref a commit (or branch) whose files to take; @default the files on disk
   */
  public constructor(
    private readonly source: string,
    label: string,
    ref?: string,
  ) {
    this.root = mkdtempSync(join(tmpdir(), `everyday-${label}-`));
    if (ref) {
      const archive = spawnSync('git', ['archive', '--format=tar', ref], { cwd: source, maxBuffer: 1024 ** 3 });
      if (archive.status !== 0) throw new Error(`git archive ${ref} failed:\n${archive.stderr}`);
      const unpack = spawnSync('tar', ['-x', '-C', this.root], { input: archive.stdout });
      if (unpack.status !== 0) throw new Error(`unpacking ${ref} failed:\n${unpack.stderr}`);
    } else {
      const files = git(source, ['ls-files', '-z', '--cached', '--others', '--exclude-standard']).split('\0');
      for (const file of files.filter(Boolean)) {
        const from = join(source, file);
        if (!existsSync(from) || lstatSync(from).isDirectory()) continue;
        mkdirSync(dirname(join(this.root, file)), { recursive: true });
        copyFileSync(from, join(this.root, file));
      }
    }
    for (const folder of this.nodeModulesFolders()) this.linkNodeModules(folder);
    for (const folder of LINKED_FOLDERS) {
      if (existsSync(join(source, folder))) symlinkSync(realpathSync(join(source, folder)), join(this.root, folder));
    }
    git(this.root, ['init', '--quiet']);
    this.commit('base');
  }

  /** The model of the copy as written (`platformModelInput`) and validated, read by the copy's own code. */
  public model(): { input: unknown; model: unknown } {
    // The package is CommonJS to tsx: its exports arrive as the namespace's default.
    const script = `import('@platform/model').then(({ default: m }) =>
      process.stdout.write(JSON.stringify({ input: m.platformModelInput, model: m.loadPlatformModel() })))`;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], {
      cwd: this.root,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.status !== 0) throw new Error(`reading the model of the copy failed:\n${result.stderr}`);
    return JSON.parse(result.stdout);
  }

  /** Runs a command in the copy; its output is kept for the log. */
  public run(command: string, args: readonly string[]): CommandResult {
    const start = performance.now();
    const result = spawnSync(command, args, {
      cwd: this.root,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      env: { ...process.env, FORCE_COLOR: '0', CI: 'true' },
    });
    const output = `$ ${command} ${args.join(' ')}\n${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`;
    return { ok: result.status === 0, output, seconds: (performance.now() - start) / 1000 };
  }

  /** Files below `folder` that differ from the base commit: added, changed or removed, with Git's status letter. */
  public changedFiles(folder: string): string[] {
    git(this.root, ['add', '--all', '--', folder]);
    return git(this.root, ['diff', '--cached', '--name-status', '--no-renames', 'HEAD', '--', folder])
      .split('\n')
      .filter(Boolean)
      .map((line) => line.replace('\t', ' '));
  }

  /** Commits the copy's current state as the new base, so the next step's diff shows only that step. */
  public commit(message: string): void {
    git(this.root, ['add', '--all']);
    git(this.root, [
      '-c',
      'user.name=everyday-changes',
      '-c',
      'user.email=none@example.com',
      'commit',
      '--quiet',
      '--allow-empty',
      '-m',
      message,
    ]);
  }

  public remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  private nodeModulesFolders(): string[] {
    const folders = ['node_modules'];
    for (const parent of ['packages', 'apps']) {
      if (!existsSync(join(this.source, parent))) continue;
      for (const child of readdirSync(join(this.source, parent))) {
        if (existsSync(join(this.source, parent, child, 'node_modules')))
          folders.push(join(parent, child, 'node_modules'));
      }
    }
    return folders;
  }

  private linkNodeModules(folder: string): void {
    const from = join(this.source, folder);
    const to = join(this.root, folder);
    mkdirSync(to, { recursive: true });
    for (const entry of readdirSync(from)) {
      if (entry === '.pnpm') symlinkSync(realpathSync(join(from, entry)), join(to, entry));
      // Links stay relative (workspace packages then resolve inside the copy); .bin shims find .pnpm through them.
      else cpSync(join(from, entry), join(to, entry), { recursive: true, verbatimSymlinks: true });
    }
  }
}

function git(cwd: string, args: readonly string[]): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}:\n${result.stderr}`);
  return result.stdout;
}
