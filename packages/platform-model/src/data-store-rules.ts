import type { ModelIssue } from './model-issue';
import { type ModelParts, pick } from './model-parts';

/** Each environment's database storage: the autoscaling ceiling at least the allocated storage. */
export function dataStoreIssues(parts: ModelParts): ModelIssue[] {
  return parts.environments.flatMap((part) => {
    const database = pick(part, 'database')?.database;
    if (!database || database.maxAllocatedStorageGiB >= database.allocatedStorageGiB) return [];
    return [
      {
        path: `environments.${part.label}.database.maxAllocatedStorageGiB`,
        message: `must be at least allocatedStorageGiB (${database.allocatedStorageGiB})`,
      },
    ];
  });
}
