/**
 * Child process that evaluates CRD validation rules with @marcbachmann/cel-js, an ES module that the test
 * runner's CommonJS loader cannot require. Reads lists of {path, rule, message, self} as JSON on stdin
 * (ints as {"$int": "…"}) and writes, per list, the failed checks as JSON on stdout.
 */
import { readFileSync } from 'node:fs';
import { kubernetesCelEnvironment } from '../../support/cel-environment';

interface Check {
  readonly path: string;
  readonly rule: string;
  readonly message: string;
  readonly self: unknown;
}

async function main(): Promise<void> {
  const engine = (await kubernetesCelEnvironment())
    // Kubernetes' regex library: the first match of the pattern, or the empty string.
    .registerFunction('string.find(string): string', (text: string, pattern: string) => {
      return new RegExp(pattern).exec(text)?.[0] ?? '';
    });
  const lists = JSON.parse(readFileSync(0, 'utf8'), (_key, value) =>
    value && typeof value === 'object' && '$int' in value ? BigInt(value.$int) : value,
  ) as Check[][];
  const failures = lists.map((checks) =>
    checks.flatMap((check) => {
      try {
        return engine.evaluate(check.rule, { self: check.self }) === true ? [] : [`${check.path}: ${check.message}`];
      } catch (error) {
        return [`${check.path}: ${check.message} (not evaluable: ${(error as Error).message.split('\n')[0]})`];
      }
    }),
  );
  process.stdout.write(JSON.stringify(failures));
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
