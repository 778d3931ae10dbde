import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * ARNs of resources known by name only, so a policy in one stack needs no reference to a resource
 * in another. Secrets Manager appends six random characters to every secret's ARN.
 */
export function secretArn(scope: IConstruct, secretName: string): string {
  return Stack.of(scope).formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${secretName}-??????`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** An SSM parameter, or with a trailing `*` every parameter below a path. */
export function parameterArn(scope: IConstruct, parameterName: string): string {
  return Stack.of(scope).formatArn({
    service: 'ssm',
    resource: 'parameter',
    resourceName: parameterName.replace(/^\//, ''),
  });
}

export function queueArn(scope: IConstruct, queueName: string): string {
  return Stack.of(scope).formatArn({ service: 'sqs', resource: queueName, arnFormat: ArnFormat.NO_RESOURCE_NAME });
}

/**
 * Logging in as a PostgreSQL user with IAM authentication on any RDS instance of the stack's account and region
 * (`arn:<partition>:rds-db:<region>:<account>:dbuser:*` + `/<user>`; the instance's DbiResourceId is the wildcard).
 */
export function databaseUserArn(scope: IConstruct, userName: string): string {
  return Stack.of(scope).formatArn({
    service: 'rds-db',
    resource: 'dbuser',
    resourceName: `*/${userName}`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}
