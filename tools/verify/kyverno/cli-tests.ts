/**
 * `kyverno test` on every Kyverno CLI test of the repository (kyverno-test.yaml, rendered by
 * `pnpm synth`, tools/generated-files.ts), and the check that every declared result was really evaluated.
 *
 * `kyverno test` counts a resource the policy produced no rule result for as passed ("Excluded"), whatever the
 * test declared (kyverno/kyverno v1.19.0 cmd/cli/kubectl-kyverno/commands/test/output.go). So a declared case
 * holds here only when the CLI reports a result row for it that was compared with the declaration ("Ok"), or,
 * for a declared `skip`, one of a resource the policy gave no result; and no row of the test failed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parse } from 'yaml';
import { lastLines, runProcess } from '../process-output';

/** Folders never searched for tests: dependencies, build output and caches. */
const SKIPPED_DIRECTORIES = new Set(['node_modules', 'dist', 'cdk.out', 'coverage']);

/** One resource of one declared result of a test file. */
export interface DeclaredCase {
  /** The test file, relative to the repository root. */
  readonly file: string;
  readonly policy: string;
  readonly kind: string;
  /** `name` or `namespace/name`, as the test file names it. */
  readonly resource: string;
  readonly result: string;
}

/** One row of `kyverno test -o json`. */
export interface TestRow {
  readonly POLICY: string;
  /** `<apiVersion>/<Kind>/<namespace>/<name>`. */
  readonly RESOURCE: string;
  /** `Pass` when the CLI's result equals the declared one (or the resource was excluded). */
  readonly RESULT: string;
  /** `Ok`, `Excluded`, `Not found`, or why the result differs. */
  readonly REASON: string;
}

export interface TestOutcome {
  /** Test files the CLI ran. */
  readonly files: number;
  /** Declared cases, and those that held. */
  readonly declared: number;
  readonly held: number;
  readonly failures: readonly string[];
}

/** Every kyverno-test.yaml under the root, relative to it, sorted; dot folders and SKIPPED_DIRECTORIES are skipped. */
export function findTestFiles(root: string, directory = root): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (entry.name.startsWith('.') || SKIPPED_DIRECTORIES.has(entry.name)) continue;
      found.push(...findTestFiles(root, join(directory, entry.name)));
    } else if (entry.isFile() && entry.name === 'kyverno-test.yaml') {
      found.push(relative(root, join(directory, entry.name)));
    }
  }
  return found.sort();
}

/** The cases a test file declares: each resource of each result. */
export function declaredCases(file: string, text: string): DeclaredCase[] {
  const test = parse(text) as {
    results?: { policy: string; kind: string; resources?: string[]; result: string }[];
  };
  return (test.results ?? []).flatMap((r) =>
    (r.resources ?? []).map((resource) => ({ file, policy: r.policy, kind: r.kind, resource, result: r.result })),
  );
}

/**
 * Failures of a test file's rows against its declared cases: each case needs a compared row of its policy, kind
 * and name, and every compared row must have passed.
 */
export function checkRows(
  cases: readonly DeclaredCase[],
  rows: readonly TestRow[],
): { held: number; failures: string[] } {
  const failures = rows
    .filter((row) => row.RESULT !== 'Pass')
    .map((row) => `${row.POLICY} on ${row.RESOURCE}: ${row.RESULT} (${row.REASON})`);
  let held = 0;
  for (const declared of cases) {
    const compared = rows.filter((row) => {
      const [name, namespace, kind] = row.RESOURCE.split('/').reverse();
      const wanted = declared.resource.includes('/') ? `${namespace}/${name}` : name;
      // A declared skip is what the CLI reports for a resource the policy gave no result.
      const counts = isCompared(row) || (declared.result === 'skip' && row.REASON === 'Excluded');
      return row.POLICY === declared.policy && kind === declared.kind && wanted === declared.resource && counts;
    });
    if (compared.length === 0) {
      failures.push(
        `${declared.file}: ${declared.policy} on ${declared.kind} ${declared.resource}: declared ${declared.result}, but Kyverno did not evaluate it`,
      );
    } else if (compared.every((row) => row.RESULT === 'Pass')) {
      held++;
    }
  }
  return { held, failures };
}

const isCompared = (row: TestRow) => row.REASON !== 'Excluded' && row.REASON !== 'Not found';

/**
 * `kyverno test` on the test files, checked against what they declare: one CLI run per folder holding test
 * folders (the CLI searches a folder's subfolders), as each run loads the whole CLI.
 */
export async function runTests(cli: string, root: string, paths: readonly string[]): Promise<TestOutcome> {
  const groups = new Map<string, string[]>();
  for (const path of [...paths].sort((a, b) => a.split('/').length - b.split('/').length)) {
    // Never the repository root itself, which holds node_modules; a folder already run covers its subfolders.
    const parent = dirname(dirname(path));
    const own = parent === '.' ? dirname(path) : parent;
    const group = [...groups.keys()].find((g) => own === g || own.startsWith(`${g}/`)) ?? own;
    groups.set(group, [...(groups.get(group) ?? []), path]);
  }
  let declared = 0;
  let held = 0;
  let files = 0;
  const failures: string[] = [];
  for (const [group, members] of groups) {
    const cases = members.flatMap((path) => declaredCases(path, readFileSync(join(root, path), 'utf8')));
    const result = await runProcess(cli, ['test', group, '--remove-color', '--output-format', 'json'], { cwd: root });
    const loaded = result.stdout.match(/^Loading test\s+\(/gm)?.length ?? 0;
    const rows = parseRows(result.stdout);
    declared += cases.length;
    files += loaded;
    if (loaded < members.length || rows.length === 0) {
      failures.push(
        `kyverno test ${group} ran ${loaded} of ${members.length} test files (exit ${result.status}):\n${lastLines(`${result.stdout}${result.stderr}`, 40)}`,
      );
      continue;
    }
    const checked = checkRows(cases, rows);
    held += checked.held;
    failures.push(...checked.failures);
    if (result.status !== 0 && checked.failures.length === 0) {
      failures.push(
        `kyverno test ${group} exited ${result.status}:\n${lastLines(`${result.stdout}${result.stderr}`, 40)}`,
      );
    }
  }
  return { files, declared, held, failures };
}

/** The rows of the JSON tables `kyverno test -o json` prints, one per test file, between its progress lines. */
export function parseRows(stdout: string): TestRow[] {
  return [...stdout.matchAll(/^\[$[\s\S]*?^\]$|^\[\]$/gm)].flatMap((table) => JSON.parse(table[0]) as TestRow[]);
}
