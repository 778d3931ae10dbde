import { postgresMaxConnections } from './alarm-thresholds';
import type { ModelIssue } from './model-issue';
import { type ModelParts, pick } from './model-parts';

/**
 * Each environment's alarm thresholds against its data stores (`max_connections` where a service has a database), and the one switch per account and region of the
 * resource tags for telemetry that the load balancer alarms read.
 */
export function alarmIssues(parts: ModelParts): ModelIssue[] {
  const issues: ModelIssue[] = [];
  const creators = new Map<string, string[]>();
  // Only a database's alarm reads max_connections: without a database in the catalog, no class needs it. A service
  // whose dependencies are malformed is reported by its own rules.
  const someDatabase = parts.services.some((part) => pick(part, 'dependencies')?.dependencies.database === true);
  for (const part of parts.environments) {
    const fields = pick(part, 'alarms', 'database');
    if (!fields) continue;
    const { alarms, database } = fields;
    const place = `environments.${part.label}.alarms`;
    if (
      someDatabase &&
      alarms?.database?.maxConnections === undefined &&
      postgresMaxConnections(database.instanceClass) === undefined
    ) {
      issues.push({
        path: `${place}.database.maxConnections`,
        message: `is required: the memory of ${database.instanceClass}, from which RDS derives max_connections, is not known to the model (families t3, t4g, m5–m8g, r5–r8g); give the instance's max_connections`,
      });
    }
    const freeStorage = alarms?.database?.freeStorageGiB;
    if (freeStorage !== undefined && freeStorage >= database.allocatedStorageGiB) {
      issues.push({
        path: `${place}.database.freeStorageGiB`,
        message: `must be below database.allocatedStorageGiB (${database.allocatedStorageGiB}), or the alarm fires from the start`,
      });
    }
    const where = pick(part, 'account', 'region');
    if (where && alarms?.loadBalancer?.resourceTagsForTelemetry === 'create') {
      const key = `${where.account} ${where.region}`;
      creators.set(key, [...(creators.get(key) ?? []), part.label]);
    }
  }
  for (const [key, names] of creators) {
    if (names.length < 2) continue;
    const [account, region] = key.split(' ');
    for (const name of names.slice(1)) {
      issues.push({
        path: `environments.${name}.alarms.loadBalancer.resourceTagsForTelemetry`,
        message: `'create' is already given by environment '${names[0]}' of account ${account} in ${region}: the setting exists once per account and region; use 'existing'`,
      });
    }
  }
  return issues;
}
