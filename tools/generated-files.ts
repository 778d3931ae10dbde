/**
 * Files outside dist/ that are rendered from the model and dist/, so a change of the model needs no command but
 * `pnpm synth` (which writes them) and `pnpm synth:check` (which compares them):
 *
 * - docs/policies-and-alerts.md: every policy with its mode per environment, every alert of every service;
 * - test/guardrails/fixtures/: per policy, good and bad examples and a Kyverno CLI test against the policies of
 *   one environment's dist/ (`kyverno test test/guardrails/fixtures`, run by `pnpm verify`);
 * - .github/workflows/: the pull request, deploy and service image workflows (tools/workflows/render.ts).
 *
 * The renderers live with the tests that read the same files (test/guardrails/support/).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type PlatformModel, registryHost } from '@platform/model';
import { parse } from 'yaml';
import { listFiles } from '../apps/cluster/src/dist-directory';
import type { DistManifest } from '../test/guardrails/support/dist-manifests';
import type { KubeObject } from '../test/guardrails/support/kyverno-evaluation';
import { renderPoliciesAndAlertsPage } from '../test/guardrails/support/policies-and-alerts-page';
import { renderFixtureFiles } from '../test/guardrails/support/policy-fixtures';
import { renderWorkflows, repositoryFacts } from './workflows/render';

const ROOT = join(__dirname, '..');

/** The page, relative to the repository's root. */
export const POLICIES_AND_ALERTS_PAGE = 'docs/policies-and-alerts.md';
/** The folder of the Kyverno CLI fixtures, relative to the repository's root; it holds rendered files only. */
export const POLICY_FIXTURES = 'test/guardrails/fixtures';

/**
 * The generated files, by path relative to the repository's root.
 *
 * @param model the validated model
 * @param dist the rendered manifests by path below dist/ (`<env>/…`), as `pnpm synth` writes them
 * @param root the repository whose package.json and tools/setup.sh the workflows follow (default this one)
 */
export function renderGeneratedFiles(
  model: PlatformModel,
  dist: ReadonlyMap<string, string>,
  root: string = ROOT,
): Map<string, string> {
  const environments = new Map<string, DistManifest[]>(model.environments.map((environment) => [environment.name, []]));
  for (const [path, text] of dist) {
    environments.get(path.split('/')[0])?.push({ path, object: parse(text) as KubeObject });
  }
  const files = new Map<string, string>([[POLICIES_AND_ALERTS_PAGE, renderPoliciesAndAlertsPage(environments)]]);
  for (const [path, text] of renderFixtureFiles(registryHost(model.organization))) {
    files.set(`${POLICY_FIXTURES}/${path}`, text);
  }
  for (const [path, text] of renderWorkflows(model, repositoryFacts(root))) files.set(path, text);
  return files;
}

/** The manifests of these environments' folders of a dist/ directory, by path below it. */
export function readDistManifests(dist: string, environments: readonly string[]): Map<string, string> {
  return new Map(
    environments.flatMap((environment) =>
      listFiles(join(dist, environment)).map((path) => [
        `${environment}/${path}`,
        readFileSync(join(dist, environment, path), 'utf8'),
      ]),
    ),
  );
}

/** Generated files that differ from what `root` holds: added, changed, or (in the fixtures folder) removed. */
export function generatedFileDifferences(root: string, files: ReadonlyMap<string, string>): string[] {
  const differences: string[] = [];
  for (const [path, text] of files) {
    let existing: string | undefined;
    try {
      existing = readFileSync(join(root, path), 'utf8');
    } catch {
      existing = undefined;
    }
    if (existing === undefined) differences.push(`added:   ${path}`);
    else if (existing !== text) differences.push(`changed: ${path}`);
  }
  for (const path of fixtureFiles(root)) if (!files.has(path)) differences.push(`removed: ${path}`);
  return differences.sort((a, b) => (a.slice(9) < b.slice(9) ? -1 : 1));
}

/** Writes the generated files; the fixtures folder is replaced, so the files of a removed policy go. */
export function writeGeneratedFiles(root: string, files: ReadonlyMap<string, string>): void {
  for (const path of fixtureFiles(root)) if (!files.has(path)) rmSync(join(root, path));
  for (const [path, text] of files) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    let existing: string | undefined;
    try {
      existing = readFileSync(join(root, path), 'utf8');
    } catch {
      existing = undefined;
    }
    // Unchanged files keep their modification time.
    if (existing !== text) writeFileSync(join(root, path), text);
  }
}

function fixtureFiles(root: string): string[] {
  try {
    return listFiles(join(root, POLICY_FIXTURES)).map((path) => `${POLICY_FIXTURES}/${path}`);
  } catch {
    return [];
  }
}
