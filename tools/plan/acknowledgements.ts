import { UsageError } from '@platform/model/entry-point';
import { type FindingKey, keyText } from './findings';

/**
 * The committed file, at the repository's root, in which a change acknowledges each destructive change of a stateful
 * resource or object that `pnpm plan` lists, by name and with the reason: a JSON array of
 * `{ "stack", "logicalId", "reason" }` (a CloudFormation resource) and
 * `{ "environment", "application", "group"?, "kind", "namespace"?, "name", "reason" }` (a Kubernetes object of an
 * Argo CD Application; `group` left out for the core API group, `namespace` for a cluster-scoped object).
 */
export const ACKNOWLEDGEMENTS_FILE = 'plan-acknowledgements.json';

/** One entry of the file. */
export interface Acknowledgement {
  readonly key: FindingKey;
  readonly reason: string;
}

const STACK_FIELDS = { required: ['stack', 'logicalId', 'reason'], optional: [] as string[] };
const OBJECT_FIELDS = {
  required: ['environment', 'application', 'kind', 'name', 'reason'],
  optional: ['group', 'namespace'],
};

/**
 * The entries of the file's text; a UsageError naming the file (`origin`), the entry and the field of every problem,
 * on one line: not JSON, not an array, an entry of neither shape, an empty or non-string field, an unknown field, or
 * two entries for the same resource or object.
 */
export function parseAcknowledgements(text: string, origin: string): Acknowledgement[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`pnpm plan: ${origin} is not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) {
    throw new UsageError(`pnpm plan: ${origin} must hold a JSON array of acknowledgements`);
  }
  const problems: string[] = [];
  const entries: Acknowledgement[] = [];
  const seen = new Map<string, number>();
  parsed.forEach((entry: unknown, index) => {
    const at = `${origin}: [${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push(`${at}: must be an object`);
      return;
    }
    const fields = entry as Record<string, unknown>;
    const shape = 'stack' in fields || 'logicalId' in fields ? STACK_FIELDS : OBJECT_FIELDS;
    const allowed = [...shape.required, ...shape.optional];
    const before = problems.length;
    for (const name of Object.keys(fields).filter((field) => !allowed.includes(field))) {
      problems.push(`${at}.${name}: unknown field; allowed: ${allowed.join(', ')}`);
    }
    for (const name of allowed) {
      const value = fields[name];
      if (value === undefined && shape.optional.includes(name)) continue;
      if (typeof value !== 'string' || value.trim() === '') problems.push(`${at}.${name}: must be a non-empty string`);
    }
    if (problems.length > before) return;
    const text = (name: string) => fields[name] as string;
    const key: FindingKey =
      shape === STACK_FIELDS
        ? { stack: text('stack'), logicalId: text('logicalId') }
        : {
            environment: text('environment'),
            application: text('application'),
            ...(fields.group === undefined ? {} : { group: text('group') }),
            kind: text('kind'),
            ...(fields.namespace === undefined ? {} : { namespace: text('namespace') }),
            name: text('name'),
          };
    const first = seen.get(keyText(key));
    if (first !== undefined) {
      problems.push(`${at}: acknowledges the same change as [${first}]`);
      return;
    }
    seen.set(keyText(key), index);
    entries.push({ key, reason: text('reason').trim() });
  });
  if (problems.length > 0) throw new UsageError(`pnpm plan: ${problems.join('; ')}`);
  return entries;
}

/** The file's JSON entry that acknowledges a change, with a placeholder for its reason: what the report suggests. */
export function acknowledgementEntry(key: FindingKey): string {
  return JSON.stringify({ ...key, reason: 'why this is intended, and what keeps its data' });
}
