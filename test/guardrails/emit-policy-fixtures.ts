/**
 * Writes test/guardrails/fixtures/<policy>/{resources,kyverno-test}.yaml from support/policy-fixtures.ts.
 * Run after changing the fixtures: `npx tsx test/guardrails/emit-policy-fixtures.ts`.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadPlatformModel, registryHost } from '@platform/model';
import { renderFixtureFiles } from './support/policy-fixtures';

const FIXTURES = join(__dirname, 'fixtures');
rmSync(FIXTURES, { recursive: true, force: true });
for (const [path, text] of renderFixtureFiles(registryHost(loadPlatformModel().organization))) {
  mkdirSync(dirname(join(FIXTURES, path)), { recursive: true });
  writeFileSync(join(FIXTURES, path), text);
}
