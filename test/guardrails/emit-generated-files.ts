/**
 * Writes the files generated for the guard rails: test/guardrails/fixtures/<policy>/{resources,kyverno-test}.yaml
 * from support/policy-fixtures.ts, and docs/policies-and-alerts.md from dist/ (run `pnpm synth` first).
 * Run after changing fixtures, policies or alerts: `npx tsx test/guardrails/emit-generated-files.ts`.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadPlatformModel, registryHost } from '@platform/model';
import { readDistEnvironment } from './support/dist-manifests';
import { renderPoliciesAndAlertsPage } from './support/policies-and-alerts-page';
import { renderFixtureFiles } from './support/policy-fixtures';

const model = loadPlatformModel();
const FIXTURES = join(__dirname, 'fixtures');
rmSync(FIXTURES, { recursive: true, force: true });
for (const [path, text] of renderFixtureFiles(registryHost(model.organization))) {
  mkdirSync(dirname(join(FIXTURES, path)), { recursive: true });
  writeFileSync(join(FIXTURES, path), text);
}

const environments = new Map(model.environments.map((e) => [e.name, readDistEnvironment(e.name)]));
writeFileSync(join(__dirname, '..', '..', 'docs', 'policies-and-alerts.md'), renderPoliciesAndAlertsPage(environments));
