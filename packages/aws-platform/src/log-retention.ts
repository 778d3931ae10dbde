import { UserError } from '@platform/model';
import * as logs from 'aws-cdk-lib/aws-logs';

/**
 * A retention of the model as aws-cdk-lib's `logs.RetentionDays`. CloudWatch Logs accepts only its own list of
 * periods: the validator checks the model against its copy of the list (CLOUDWATCH_LOGS_RETENTION_DAYS); this holds
 * it to aws-cdk-lib's own, naming the environment and the field (e.g. `network.flowLogRetentionDays`) otherwise.
 * @throws UserError for a number of days CloudWatch Logs does not offer, or for none (`INFINITE`)
 */
export function logsRetention(environmentName: string, field: string, days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays).filter(
    (value): value is number => typeof value === 'number' && value !== logs.RetentionDays.INFINITE,
  );
  if (!allowed.includes(days)) {
    throw new UserError(
      `environment '${environmentName}': ${field} is ${days}; CloudWatch Logs allows ${allowed.join(', ')}`,
    );
  }
  return days as logs.RetentionDays;
}
