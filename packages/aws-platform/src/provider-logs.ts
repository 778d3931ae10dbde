import { CfnResource, Stack } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';

export interface ProviderLogsProps {
  /** Encrypts the functions' log groups; CloudWatch Logs of the stack's region must be allowed to use it. */
  readonly encryptionKey: kms.IKey;
  /** How long the log groups keep what is still logged (errors). */
  readonly retention: logs.RetentionDays;
}

/** Log level below which a provider function's own output is dropped: errors only. */
export const PROVIDER_APPLICATION_LOG_LEVEL = 'ERROR';

/**
 * The provider functions aws-cdk-lib creates (the kubectl handler, the AwsCustomResource function)
 * print every event they handle, resource properties included, at INFO level; for the GitOps
 * repository Secret that is its token. In JSON log format Lambda drops anything below the
 * application log level, so only errors reach CloudWatch Logs, and those land in log groups with
 * a bounded retention under a customer-managed key. A function whose library already sets a log
 * level (the provider framework's, FATAL) keeps it.
 */
export function protectProviderLogs(scope: IConstruct, props: ProviderLogsProps): void {
  const constructs = scope.node.findAll();
  const logGroups: logs.CfnLogGroup[] = [];
  for (const construct of constructs) {
    if (construct instanceof lambda.CfnFunction) quietFunction(construct);
    if (construct instanceof logs.CfnLogGroup && construct.node.scope?.node.scope instanceof lambda.Function) {
      construct.retentionInDays = props.retention;
      construct.kmsKeyId = props.encryptionKey.keyArn;
      logGroups.push(construct);
    }
  }
  // A log group names its function, so CloudFormation creates it after the function, in parallel
  // with the custom resources that invoke the function; a first invocation would let Lambda create
  // the group itself (unencrypted, kept forever) and CloudFormation's creation would then fail.
  for (const construct of constructs) {
    if (construct instanceof CfnResource && isCustomResource(construct.cfnResourceType)) {
      for (const logGroup of logGroups) construct.addResourceDependency(logGroup);
    }
  }
}

function isCustomResource(resourceType: string): boolean {
  return resourceType.startsWith('Custom::') || resourceType === 'AWS::CloudFormation::CustomResource';
}

function quietFunction(resource: lambda.CfnFunction): void {
  const current = Stack.of(resource).resolve(resource.loggingConfig) as
    | lambda.CfnFunction.LoggingConfigProperty
    | undefined;
  if (current?.applicationLogLevel) return;
  resource.loggingConfig = {
    ...current,
    logFormat: 'JSON',
    applicationLogLevel: PROVIDER_APPLICATION_LOG_LEVEL,
    systemLogLevel: 'WARN',
  };
}
