import { Environment } from '@marcbachmann/cel-js';

/** The part of a CEL engine the evaluations need. */
export interface CelEvaluator {
  evaluate(expression: string, context: Record<string, unknown>): unknown;
}

/**
 * A CEL environment as Kubernetes and Kyverno evaluate expressions: unlisted variables are dynamic, the
 * `.?` optional syntax is on, and list literals may mix types. @marcbachmann/cel-js is an ES module only; under
 * Jest the import resolves to a CommonJS bundle of the same package (test/support/global-setup.js builds it,
 * jest.config.js maps it), so the tests evaluate in their own process.
 */
export function kubernetesCelEnvironment(): Environment {
  return new Environment({
    unlistedVariablesAreDyn: true,
    enableOptionalTypes: true,
    homogeneousAggregateLiterals: false,
  });
}

/**
 * Evaluates as `environment.evaluate` does, but parses and type-checks each distinct expression once: a policy's
 * expressions are evaluated for every object. The type check reads the declared variable types only (unlisted ones
 * are dyn), never the context, so a parsed expression means the same for every context (cel-js `Environment.parse`).
 * An expression that does not parse throws on every evaluation, as before.
 */
export function parsingOnce(environment: Environment): CelEvaluator {
  const parsed = new Map<string, ReturnType<Environment['parse']>>();
  return {
    evaluate(expression, context) {
      let evaluate = parsed.get(expression);
      if (!evaluate) {
        evaluate = environment.parse(expression);
        parsed.set(expression, evaluate);
      }
      return evaluate(context);
    },
  };
}

/**
 * A value as the API server decodes it from JSON, which is what CEL sees: keys whose value is undefined are gone,
 * and every object and array is one of this realm. The latter matters under Jest, whose `structuredClone` makes
 * arrays of the outer realm, which cel-js (checking `instanceof Array`) rejects as "Unsupported type". CEL ints
 * (bigint) stay ints.
 */
export function asDecodedJson<T>(value: T): T {
  const INT = '$celInt';
  return JSON.parse(
    JSON.stringify(value, (_key, item) => (typeof item === 'bigint' ? { [INT]: String(item) } : item)),
    (_key, item) => (item !== null && typeof item === 'object' && INT in item ? BigInt(item[INT]) : item),
  );
}
