import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

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

const RUNNER = join(__dirname, 'crd-validation-runner.ts');

/**
 * Evaluates each list of checks with @marcbachmann/cel-js (an ES module, so in a child process) and returns,
 * per list, the checks that do not hold: `<path>: <message>`. A rule the engine cannot evaluate counts as
 * failed, with the engine's error, so no rule is silently skipped.
 */
export function failedRules(checkLists: readonly (readonly RuleCheck[])[]): string[][] {
  const result = spawnSync(process.execPath, ['--import', 'tsx', RUNNER], {
    input: JSON.stringify(checkLists, (_key, value) => (typeof value === 'bigint' ? { $int: String(value) } : value)),
    cwd: join(__dirname, '..', '..', '..'),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`CRD rule evaluation failed (exit ${result.status}):\n${result.stderr}`);
  return JSON.parse(result.stdout) as string[][];
}
