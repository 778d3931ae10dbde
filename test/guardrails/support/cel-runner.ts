/**
 * Child process that evaluates policies with @marcbachmann/cel-js, an ES module that the test runner's
 * CommonJS loader cannot require. Reads {policies, exceptions, objects, namespaces} as JSON on stdin and writes the
 * results as JSON on stdout.
 */
import { readFileSync } from 'node:fs';
import { kubernetesCelEnvironment } from '../../support/cel-environment';
import { evaluatePolicies } from './kyverno-evaluation';

async function main(): Promise<void> {
  const engine = await kubernetesCelEnvironment();
  const input = JSON.parse(readFileSync(0, 'utf8'));
  const results = evaluatePolicies(engine, input.policies, input.exceptions, input.objects, input.namespaces);
  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
