import { asDecodedJson, type CelEvaluator, kubernetesCelEnvironment, parsingOnce } from '../../support/cel-environment';

type Schema = Record<string, unknown>;

/** One `x-kubernetes-validations` rule of a CRD schema and the value it applies to (`self`). */
export interface RuleCheck {
  readonly path: string;
  readonly rule: string;
  readonly message: string;
  /** The value, with the integers of `integer` fields as bigint, as the API server's CEL sees them. */
  readonly self: unknown;
}

/**
 * The rules the API server evaluates when it creates the object: every `x-kubernetes-validations` rule on
 * the path to every value present. Transition rules (those naming `oldSelf`) run only on updates.
 */
export function creationRules(schema: Schema, value: unknown, path = ''): RuleCheck[] {
  if (value === undefined || value === null) return [];
  const own = ((schema['x-kubernetes-validations'] ?? []) as { rule: string; message?: string }[])
    .filter((validation) => !/\boldSelf\b/.test(validation.rule))
    .map((validation) => ({
      path: path || '.',
      rule: validation.rule,
      message: validation.message ?? validation.rule,
      self: celValue(schema, value),
    }));
  return [...own, ...childRules(schema, value, path)];
}

function childRules(schema: Schema, value: unknown, path: string): RuleCheck[] {
  const properties = schema.properties as Record<string, Schema> | undefined;
  const items = schema.items as Schema | undefined;
  const values = schema.additionalProperties as Schema | undefined;
  if (Array.isArray(value)) {
    return items ? value.flatMap((item, index) => creationRules(items, item, `${path}[${index}]`)) : [];
  }
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const childSchema = properties?.[key] ?? (typeof values === 'object' ? values : undefined);
    return childSchema ? creationRules(childSchema, child, `${path}.${key}`) : [];
  });
}

/** JSON as CEL sees it under a schema: `integer` fields are ints (bigint), other numbers doubles. */
function celValue(schema: Schema | undefined, value: unknown): unknown {
  if (typeof value === 'number') return schema?.type === 'integer' ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map((item) => celValue(schema?.items as Schema | undefined, item));
  if (typeof value !== 'object' || value === null) return value;
  const properties = schema?.properties as Record<string, Schema> | undefined;
  const values = schema?.additionalProperties;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [
      key,
      celValue(properties?.[key] ?? (typeof values === 'object' ? (values as Schema) : undefined), child),
    ]),
  );
}

/** One engine per test file (Jest gives each file its own module registry), made on first use. */
let engine: CelEvaluator | undefined;

/**
 * Evaluates each list of checks with @marcbachmann/cel-js and returns, per list, the checks that do not hold:
 * `<path>: <message>`. A rule the engine cannot evaluate counts as failed, with the engine's error, so no rule is
 * silently skipped.
 */
export function failedRules(checkLists: readonly (readonly RuleCheck[])[]): string[][] {
  engine ??= parsingOnce(
    kubernetesCelEnvironment()
      // Kubernetes' regex library: the first match of the pattern, or the empty string.
      .registerFunction('string.find(string): string', (text: string, pattern: string) => {
        return new RegExp(pattern).exec(text)?.[0] ?? '';
      }),
  );
  const evaluator = engine;
  return asDecodedJson(checkLists).map((checks) =>
    checks.flatMap((check) => {
      try {
        return evaluator.evaluate(check.rule, { self: check.self }) === true ? [] : [`${check.path}: ${check.message}`];
      } catch (error) {
        return [`${check.path}: ${check.message} (not evaluable: ${(error as Error).message.split('\n')[0]})`];
      }
    }),
  );
}
