/**
 * Child process that evaluates several batches of {policies, exceptions, objects, namespaces} in one go (one per
 * environment of a model), with the same evaluator and CEL engine as test/guardrails/support/cel-runner.ts:
 * @marcbachmann/cel-js is an ES module the test runner cannot load. Reads the batches as JSON on stdin and writes
 * one result list per batch as JSON on stdout.
 */
import { readFileSync } from 'node:fs';
import { evaluatePolicies } from '../../guardrails/support/kyverno-evaluation';
import { kubernetesCelEnvironment } from '../../support/cel-environment';

async function main(): Promise<void> {
  const engine = await kubernetesCelEnvironment();
  const batches = JSON.parse(readFileSync(0, 'utf8'));
  const results = batches.map((batch: Record<string, never>) =>
    evaluatePolicies(engine, batch.policies, batch.exceptions, batch.objects, batch.namespaces),
  );
  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
