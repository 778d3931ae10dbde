/** The resource types that hold data, and what their data is. */
const STATEFUL_TYPES: Readonly<Record<string, string>> = {
  'AWS::RDS::DBInstance': 'database',
  'AWS::ElastiCache::ReplicationGroup': 'cache',
  'AWS::SQS::Queue': 'queue',
  'AWS::SecretsManager::Secret': 'secret',
};

/** What CloudFormation does with a resource that leaves its stack's template, by its DeletionPolicy. */
const ON_REMOVAL: Readonly<Record<string, string>> = {
  Snapshot: 'snapshots it, then deletes it',
  Retain: 'keeps it, outside the stack',
  RetainExceptOnCreate: 'keeps it, outside the stack',
  Delete: 'deletes it and its data',
};

type Resources = Record<string, Record<string, unknown>>;

/**
 * One line per stateful resource that the new templates no longer hold (a service, queue or environment left the
 * model): `<stack>: <kind> <name> (<LogicalId>) leaves the model; the next deploy <what CloudFormation does>`, read
 * from its DeletionPolicy as CloudFormation reads it (no policy: Delete). A resource still in its stack, however
 * changed, gives no line, so an everyday synth prints none.
 *
 * @param before each stack's template text as committed, by path below dist/ (`cloudformation/<stack>.template.json`)
 * @param after the same for the templates just rendered; a stack missing here was removed with all it holds
 */
export function statefulRemovalLines(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
): string[] {
  const lines: string[] = [];
  for (const [path, text] of [...before].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const stack = /([^/]+)\.template\.json$/.exec(path)?.[1];
    if (!stack) continue;
    const kept = resourcesOf(after.get(path));
    for (const [id, resource] of Object.entries(resourcesOf(text))) {
      const kind = STATEFUL_TYPES[String(resource.Type)];
      if (!kind || id in kept) continue;
      const properties = (resource.Properties ?? {}) as Record<string, unknown>;
      const name =
        properties.DBInstanceIdentifier ?? properties.ReplicationGroupId ?? properties.QueueName ?? properties.Name;
      const shown = typeof name === 'string' ? `${name} (${id})` : id;
      const outcome = ON_REMOVAL[String(resource.DeletionPolicy ?? 'Delete')] ?? ON_REMOVAL.Delete;
      lines.push(`${stack}: ${kind} ${shown} leaves the model; the next deploy ${outcome}`);
    }
  }
  return lines;
}

function resourcesOf(text: string | undefined): Resources {
  return text === undefined ? {} : ((JSON.parse(text) as { Resources?: Resources }).Resources ?? {});
}
