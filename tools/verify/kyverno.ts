/**
 * Kyverno: the policies of dist/ as the Kyverno CLI of the release the cluster runs evaluates them.
 *   - `kyverno test` on every kyverno-test.yaml (the guard rails' good and bad examples): every declared
 *     result holds and was really evaluated;
 *   - `kyverno apply` of each environment's ValidatingPolicies and PolicyExceptions to every workload of its
 *     dist/ folder, and to a copy of each in the first add-on (audit-labelled) namespace, with its Namespaces'
 *     labels: no violation, in enforcing and auditing policies alike, and every policy gives some result.
 * The self-check applies prod's policies to a real Deployment of a team namespace made privileged, which
 * must be denied, and runs a Kyverno CLI test whose declared result was flipped, which must fail.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { loadPlatformModel } from '@platform/model';
import { parse, stringify } from 'yaml';
import type { Engine, EngineContext, EngineResult } from './engine';
import { addonNamespace, withAddonCopies } from './kyverno/addon-namespace';
import { applyInputs, applyPolicies, type KubeObject, readEnvironment } from './kyverno/apply-dist';
import { ensureKyvernoCli, KYVERNO_MODULE } from './kyverno/build';
import { findTestFiles, parseRows, runTests } from './kyverno/cli-tests';
import { lastLines, runProcess } from './process-output';

const ENGINE = `kyverno CLI ${KYVERNO_MODULE.version}`;
/** The environment whose policies the self-check runs: the one that must deny. */
const SELF_CHECK_ENVIRONMENT = 'prod';

async function run(context: EngineContext): Promise<EngineResult> {
  const cli = await ensureKyvernoCli(context);
  const failures: string[] = [];

  const testFiles = findTestFiles(context.root);
  if (testFiles.length === 0) failures.push('no kyverno-test.yaml found in the repository');
  const tests = await runTests(cli, context.root, testFiles);
  failures.push(...tests.failures);

  const figures: string[] = [];
  let violations = 0;
  let excepted = 0;
  for (const environment of loadPlatformModel().environments.map((e) => e.name)) {
    context.log(`kyverno apply: dist/${environment}`);
    const own = applyInputs(readEnvironment(context.root, environment));
    // The add-on (Audit) variants select only add-on namespaces, where dist/ has no workload: copies go there.
    const addons = addonNamespace(own.namespaces);
    const inputs = addons ? withAddonCopies(own, addons) : own;
    failures.push(...inputs.problems.map((p) => `dist/${environment}: ${p}`));
    if (inputs.policies.length === 0 || inputs.workloads.length === 0) {
      failures.push(
        `dist/${environment}: ${inputs.policies.length} ValidatingPolicies, ${inputs.workloads.length} workloads`,
      );
      continue;
    }
    const outcome = await applyPolicies(cli, inputs);
    violations += outcome.violations.length;
    failures.push(...outcome.violations.map((v) => `dist/${environment}: ${v}`));
    excepted += outcome.excepted;
    figures.push(
      `${environment} ${own.workloads.length} workloads (+${inputs.workloads.length - own.workloads.length} in ${addons ?? 'no add-on namespace'}) × ${inputs.policies.length} policies → ${outcome.results.length} results`,
    );
  }

  return {
    engine: ENGINE,
    ok: failures.length === 0,
    summary: `test: ${tests.files} files, ${tests.held}/${tests.declared} declared results hold; apply: ${figures.join(', ')}; ${violations} violations, ${excepted} excepted`,
    failures,
  };
}

async function selfCheck(context: EngineContext): Promise<string> {
  const cli = await ensureKyvernoCli(context);
  const denial = await privilegedDeploymentIsDenied(cli, context.root);
  const testFailure = await flippedResultFails(cli, context.root);
  return `${denial}\n${testFailure}`;
}

/** A real Deployment of a team namespace, made privileged, against prod's policies: a Deny policy must fail it. */
async function privilegedDeploymentIsDenied(cli: string, root: string): Promise<string> {
  const model = loadPlatformModel();
  if (!model.environments.some((e) => e.name === SELF_CHECK_ENVIRONMENT)) {
    throw new Error(`the model has no environment '${SELF_CHECK_ENVIRONMENT}' to self-check against`);
  }
  const teams = new Set(model.teams.map((t) => t.name));
  const inputs = applyInputs(readEnvironment(root, SELF_CHECK_ENVIRONMENT));
  const original = inputs.workloads.find((w) => w.kind === 'Deployment' && teams.has(w.metadata.namespace ?? ''));
  if (!original) throw new Error(`dist/${SELF_CHECK_ENVIRONMENT} has no Deployment in a team namespace`);
  const spec = structuredClone(original.spec) as {
    template: { spec: { containers: { securityContext?: Record<string, unknown> }[] } };
  };
  for (const container of spec.template.spec.containers) {
    container.securityContext = { ...container.securityContext, privileged: true };
  }
  const broken: KubeObject = {
    ...original,
    metadata: { ...original.metadata, name: `${original.metadata.name}-privileged` },
    spec,
  };
  const outcome = await applyPolicies(cli, { ...inputs, workloads: [original, broken] });
  const denyPolicies = new Set(
    inputs.policies
      .filter((p) => ((p.spec as { validationActions?: string[] }).validationActions ?? []).includes('Deny'))
      .map((p) => p.metadata.name),
  );
  const failuresOf = (name: string) =>
    outcome.results.filter(
      (r) => (r.result === 'fail' || r.result === 'error') && r.resources.some((x) => x.name === name),
    );
  const denials = failuresOf(broken.metadata.name).filter((r) => denyPolicies.has(r.policy));
  const originalFailures = failuresOf(original.metadata.name).map((r) => `${r.policy}: ${r.message}`);
  const where = `Deployment ${original.metadata.namespace}/${original.metadata.name} with privileged: true`;
  if (denials.length === 0) {
    throw new Error(`kyverno apply of ${SELF_CHECK_ENVIRONMENT}'s policies admitted ${where}`);
  }
  if (originalFailures.length > 0) {
    throw new Error(
      `the unchanged Deployment already fails, so the denial proves nothing: ${originalFailures.join('; ')}`,
    );
  }
  return `kyverno apply denies ${where}: ${denials.map((d) => `${d.policy}: ${d.message}`).join('; ')}`;
}

/** The first Kyverno CLI test with its first declared result flipped: `kyverno test` must fail it. */
async function flippedResultFails(cli: string, root: string): Promise<string> {
  const [path] = findTestFiles(root);
  if (!path) throw new Error('no kyverno-test.yaml to self-check with');
  const work = mkdtempSync(join(tmpdir(), 'verify-kyverno-selfcheck-'));
  try {
    const source = dirname(join(root, path));
    const test = parse(readFileSync(join(root, path), 'utf8')) as {
      policies: string[];
      resources: string[];
      results: { result: string; resources: string[] }[];
    };
    // The copy lives elsewhere: policies by absolute path, resources beside it.
    test.policies = test.policies.map((p) => resolve(source, p));
    for (const resource of test.resources) copyFileSync(join(source, resource), join(work, resource));
    const [first] = test.results;
    first.result = first.result === 'pass' ? 'fail' : 'pass';
    writeFileSync(join(work, 'kyverno-test.yaml'), stringify(test, { lineWidth: 0 }));
    const result = await runProcess(cli, ['test', work, '--remove-color', '--output-format', 'json'], { cwd: work });
    const failed = parseRows(result.stdout).filter((row) => row.RESULT !== 'Pass');
    if (result.status === 0 || failed.length === 0) {
      throw new Error(
        `kyverno test passed ${path} with a flipped result:\n${lastLines(`${result.stdout}${result.stderr}`, 40)}`,
      );
    }
    return `kyverno test fails ${path} with ${first.resources[0]} declared ${first.result}: ${failed[0].REASON}`;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export const kyvernoEngine: Engine = { name: 'kyverno', run, selfCheck };
