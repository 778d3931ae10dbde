import {
  CONNECTION_PARAMETERS,
  type DataStore,
  type EnvironmentNaming,
  type Service,
  storesWithCredentials,
} from '@platform/model';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { databaseUserArn, parameterArn, queueArn, secretArn } from './resource-arns';

/** SQS actions of a producer: sending only. */
export const PUBLISHER_ACTIONS = ['sqs:SendMessage'] as const;

/** SQS actions of a consumer: receive, acknowledge, extend, and read the queue's attributes. */
export const CONSUMER_ACTIONS = [
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueAttributes',
] as const;

/**
 * The least privilege of a service, derived from its catalog entry: the queues it publishes to or
 * consumes from, the credentials (`storesWithCredentials`) and connection facts of its own data stores, nothing else.
 * With a database: `rds-db:connect` as its own user (`databaseUserName`, unique in the account) on any instance of
 * the account and region: the instance's DbiResourceId is the data stack's, deployed after this one, and only the
 * service's own instance has that user (the data stack's `DatabaseUser`).
 */
export function servicePolicyStatements(
  scope: IConstruct,
  naming: EnvironmentNaming,
  service: Service,
): iam.PolicyStatement[] {
  const statements: iam.PolicyStatement[] = [];
  const { publishes, consumes } = service.dependencies;
  if (publishes.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'SendToPublishedQueues',
        actions: [...PUBLISHER_ACTIONS],
        resources: publishes.map((queue) => queueArn(scope, naming.queueName(queue))),
      }),
    );
  }
  if (consumes.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'ConsumeFromQueues',
        actions: [...CONSUMER_ACTIONS],
        resources: consumes.map((queue) => queueArn(scope, naming.queueName(queue))),
      }),
    );
  }
  const stores = dataStoresOf(service);
  const withCredentials = storesWithCredentials(stores);
  if (withCredentials.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'ReadOwnCredentials',
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        resources: withCredentials.map((store) => secretArn(scope, naming.credentialsSecretName(service.name, store))),
      }),
    );
  }
  if (stores.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'ReadOwnConnectionParameters',
        actions: ['ssm:GetParameter', 'ssm:GetParameters'],
        resources: stores.flatMap((store) =>
          CONNECTION_PARAMETERS[store].map((key) =>
            parameterArn(scope, naming.connectionParameterName(service.name, store, key)),
          ),
        ),
      }),
    );
  }
  if (service.dependencies.database) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'ConnectAsOwnDatabaseUser',
        actions: ['rds-db:connect'],
        resources: [databaseUserArn(scope, naming.databaseUserName(service.name))],
      }),
    );
  }
  return statements;
}

export function dataStoresOf(service: Service): DataStore[] {
  const stores: DataStore[] = [];
  if (service.dependencies.database) stores.push('postgres');
  if (service.dependencies.cache) stores.push('redis');
  return stores;
}
