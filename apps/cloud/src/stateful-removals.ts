/** The resource types that hold data, and what their data is. */
const STATEFUL_TYPES: Readonly<Record<string, string>> = {
  'AWS::RDS::DBInstance': 'database',
  'AWS::ElastiCache::ReplicationGroup': 'cache',
  'AWS::SQS::Queue': 'queue',
  'AWS::SecretsManager::Secret': 'secret',
};

/**
 * One line per stateful resource of the templates that a stack deletion, or its removal from the model, keeps:
 * `<stack>: <type> <name> (<LogicalId>) is snapshotted|retained on removal`, read from its DeletionPolicy as
 * CloudFormation reads it. Resources deleted outright are not listed (docs/aws.md says which those are).
 *
 * @param templates each stack's template text by file path below dist/ (`cloudformation/<stack>.template.json`)
 */
export function statefulRemovalLines(templates: ReadonlyMap<string, string>): string[] {
  const lines: string[] = [];
  for (const [path, text] of [...templates].sort(([a], [b]) => a.localeCompare(b))) {
    const stack = /([^/]+)\.template\.json$/.exec(path)?.[1];
    if (!stack) continue;
    const resources = (JSON.parse(text) as { Resources?: Record<string, Record<string, unknown>> }).Resources ?? {};
    for (const [id, resource] of Object.entries(resources)) {
      const kind = STATEFUL_TYPES[String(resource.Type)];
      const policy = resource.DeletionPolicy;
      if (!kind || (policy !== 'Snapshot' && policy !== 'Retain')) continue;
      const properties = (resource.Properties ?? {}) as Record<string, unknown>;
      const name =
        properties.DBInstanceIdentifier ?? properties.ReplicationGroupId ?? properties.QueueName ?? properties.Name;
      const shown = typeof name === 'string' ? `${name} (${id})` : id;
      lines.push(`${stack}: ${kind} ${shown} is ${policy === 'Snapshot' ? 'snapshotted' : 'retained'} on removal`);
    }
  }
  return lines;
}
