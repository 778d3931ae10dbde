import { spawnSync } from 'node:child_process';
import { UsageError } from '@platform/model/entry-point';

/** The revision a plan compares with: its commit, and how it was chosen, as the report names it. */
export interface BaseRevision {
  /** The full commit ID. */
  readonly commit: string;
  /** How it was chosen, e.g. `--base origin/main` or `the merge-base of HEAD and origin/main`. */
  readonly chosen: string;
}

interface GitResult {
  readonly ok: boolean;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Git in `root`, reading nothing but the repository (no pager, no optional locks, no prompts). */
function git(root: string, args: readonly string[], input?: string): GitResult {
  const result = spawnSync('git', ['-C', root, '--no-pager', ...args], {
    input,
    maxBuffer: 1024 * 1024 * 1024,
    env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0' },
  });
  if (result.error) {
    throw new UsageError(
      `pnpm plan: cannot run git (${result.error.message}); the plan reads the base revision with it`,
    );
  }
  return { ok: result.status === 0, stdout: result.stdout, stderr: result.stderr.toString('utf8').trim() };
}

/**
 * The folder of `root` inside its repository (`git rev-parse --show-prefix`: '' at the top, `sub/` below it), so
 * that paths of a commit are read where `root` is; a UsageError when `root` is no Git work tree.
 */
export function repositoryPrefix(root: string): string {
  const result = git(root, ['rev-parse', '--show-prefix']);
  if (!result.ok) {
    throw new UsageError(
      `pnpm plan: ${root} is not in a Git work tree (${firstLine(result.stderr)}); the plan compares with a commit`,
    );
  }
  return result.stdout.toString('utf8').trim();
}

/** The commit a revision names, or undefined. */
function commitOf(root: string, revision: string): string | undefined {
  const result = git(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`]);
  return result.ok ? result.stdout.toString('utf8').trim() : undefined;
}

/**
 * The base of a plan: `requested` (`--base`) when given, which must name a commit; otherwise the merge-base of HEAD
 * and the protected branch (`branch`, the model's `organization.ci.branch`), read from `origin/<branch>` when the
 * clone has it, else from the local `<branch>`: the commit the change started from, so that the plan shows what
 * the whole change does once merged, whichever commits it holds. On that branch itself, the merge-base is HEAD.
 */
export function resolveBase(root: string, requested: string | undefined, branch: string): BaseRevision {
  if (requested !== undefined) {
    const commit = commitOf(root, requested);
    if (!commit) throw new UsageError(`pnpm plan: --base ${requested}: no such commit in this repository`);
    return { commit, chosen: `--base ${requested}` };
  }
  if (!commitOf(root, 'HEAD'))
    throw new UsageError('pnpm plan: the repository has no commit yet; pass --base <git-rev>');
  for (const candidate of [`origin/${branch}`, branch]) {
    if (!commitOf(root, candidate)) continue;
    const result = git(root, ['merge-base', 'HEAD', candidate]);
    if (!result.ok) {
      throw new UsageError(`pnpm plan: HEAD and ${candidate} have no common commit; pass --base <git-rev>`);
    }
    return { commit: result.stdout.toString('utf8').trim(), chosen: `the merge-base of HEAD and ${candidate}` };
  }
  throw new UsageError(
    `pnpm plan: neither origin/${branch} nor ${branch} (the protected branch, organization.ci.branch) names a commit here; pass --base <git-rev>`,
  );
}

/**
 * The files of a folder at a commit, by path below that folder (`dist/dev/x.yaml` → `dev/x.yaml`), as text. One
 * `git ls-tree` and one `git cat-file --batch`, whatever the number of files; nothing is checked out.
 *
 * @param prefix the folder of the project in its repository (repositoryPrefix)
 */
export function filesAt(root: string, prefix: string, commit: string, folder: string): Map<string, string> {
  const base = `${prefix}${folder}/`;
  const listed = git(root, ['ls-tree', '-r', '-z', '--name-only', '--full-name', commit, '--', base]);
  if (!listed.ok) throw new UsageError(`pnpm plan: cannot list ${folder}/ at ${commit}: ${firstLine(listed.stderr)}`);
  const paths = listed.stdout
    .toString('utf8')
    .split('\0')
    .filter((path) => path.startsWith(base));
  const contents = objectsAt(
    root,
    paths.map((path) => `${commit}:${path}`),
  );
  return new Map(paths.map((path, index) => [path.slice(base.length), contents[index] ?? '']));
}

/** A file's text at a commit, or undefined when the commit has no such file. */
export function fileAt(root: string, prefix: string, commit: string, path: string): string | undefined {
  return objectsAt(root, [`${commit}:${prefix}${path}`])[0];
}

/** The contents of `<commit>:<path>` objects, in order; undefined for one that is missing. */
function objectsAt(root: string, specs: readonly string[]): (string | undefined)[] {
  if (specs.length === 0) return [];
  const result = git(root, ['cat-file', '--batch'], specs.map((spec) => `${spec}\n`).join(''));
  if (!result.ok) throw new UsageError(`pnpm plan: git cat-file failed: ${firstLine(result.stderr)}`);
  const out = result.stdout;
  const contents: (string | undefined)[] = [];
  let at = 0;
  for (let index = 0; index < specs.length; index++) {
    const end = out.indexOf(0x0a, at);
    const header = out.subarray(at, end).toString('utf8');
    at = end + 1;
    const match = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
    if (!match) {
      contents.push(undefined); // `<spec> missing`
      continue;
    }
    const size = Number(match[2]);
    contents.push(match[1] === 'blob' ? out.subarray(at, at + size).toString('utf8') : undefined);
    at += size + 1;
  }
  return contents;
}

function firstLine(text: string): string {
  return text.split('\n')[0] || 'no message';
}
