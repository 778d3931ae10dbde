import { CLOUDWATCH_LOGS_RETENTION_DAYS } from './aws-facts';
import { IssueList, type ModelIssue } from './model-issue';
import { type ModelParts, pick } from './model-parts';

/** Each environment's log retention is a period CloudWatch Logs offers (`PutRetentionPolicy` refuses any other). */
export function observabilityIssues(parts: ModelParts): ModelIssue[] {
  return parts.environments.flatMap((part) => {
    const days = pick(part, 'observability')?.observability?.logs?.retentionDays;
    if (days === undefined || CLOUDWATCH_LOGS_RETENTION_DAYS.includes(days)) return [];
    const list = new IssueList(`environments.${part.label}.observability.logs`);
    list.add(
      'retentionDays',
      `${days} is not a retention CloudWatch Logs offers; allowed: ${CLOUDWATCH_LOGS_RETENTION_DAYS.join(', ')}`,
    );
    return list.issues;
  });
}
