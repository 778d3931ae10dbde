import { CfnResource, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';

/** One entry of a resource's `Metadata.checkov.skip`. */
export interface CheckovSkipEntry {
  readonly id: string;
  readonly comment: string;
}

/**
 * Records in the template that checkov's check was reviewed for this resource and does not apply, with the
 * reason: checkov reports it as skipped with the reason as comment (checkov 3.3.30 reads
 * `Metadata.checkov.skip` of a CloudFormation resource, checkov/cloudformation/context_parser.py). The
 * counterpart of acknowledge() for cdk-nag: call it next to the resource.
 *
 * @param scope the CloudFormation resource, or an L2 construct whose default child is one
 * @throws Error when there is no resource, the ID is not `CKV_AWS_<n>`, or the reason is shorter than 40 characters
 */
export function skipCheckov(scope: IConstruct, checkId: string, reason: string): void {
  const resource = scope instanceof CfnResource ? scope : scope.node.defaultChild;
  if (!(resource instanceof CfnResource)) {
    throw new Error(`skipCheckov: ${scope.node.path} is not and has no CloudFormation resource`);
  }
  if (!/^CKV_AWS_\d+$/.test(checkId)) throw new Error(`skipCheckov: '${checkId}' is not a checkov AWS check ID`);
  if (reason.trim().length < 40) throw new Error(`skipCheckov ${checkId} on ${scope.node.path}: give a reason`);
  const skips: CheckovSkipEntry[] = (resource.getMetadata('checkov') as { skip?: CheckovSkipEntry[] })?.skip ?? [];
  if (skips.some((skip) => skip.id === checkId)) return;
  resource.addMetadata('checkov', { skip: [...skips, { id: checkId, comment: reason }] });
}

/**
 * CKV_AWS_27 for a queue encrypted with SQS-managed keys: checkov's CloudFormation check accepts only
 * KmsMasterKeyId, although SqsManagedSseEnabled encrypts the messages at rest as well.
 *
 * @throws Error when the queue is not encrypted with SQS-managed keys, so the skip can only state a fact
 */
export function skipCheckovSqsManagedEncryption(queue: sqs.Queue, consumers: string): void {
  const resource = queue.node.defaultChild as sqs.CfnQueue;
  if (resource.sqsManagedSseEnabled !== true || resource.kmsMasterKeyId !== undefined) {
    throw new Error(`${queue.node.path}: only a queue encrypted with SQS-managed keys may skip CKV_AWS_27`);
  }
  skipCheckov(
    queue,
    'CKV_AWS_27',
    `Encrypted at rest with SQS-managed keys (SqsManagedSseEnabled), which checkov's CloudFormation check does not recognise; a customer-managed key would have to admit ${consumers} as well and add no boundary the queue policy and IAM do not already draw.`,
  );
}

/**
 * Reason for CKV_AWS_149 on a secret encrypted with the AWS-managed key `aws/secretsmanager`: which role
 * may read it is decided by IAM alone either way.
 */
export const SECRETS_WITH_AWS_MANAGED_KEY =
  'Encrypted at rest with the AWS-managed key aws/secretsmanager. Its readers are principals of this account that IAM admits by the secret name or prefix (External Secrets, RDS rotation, CloudFormation resolving a dynamic reference); it is never shared with another account, which would need a customer-managed key, and a key policy of our own would only repeat those IAM grants.';

/** Environment variables aws-cdk-lib sets on its provider functions; none holds a secret. */
const CDK_PROVIDER_SETTINGS = new Set(['AWS_STS_REGIONAL_ENDPOINTS', 'USER_ON_EVENT_FUNCTION_ARN']);

/**
 * The Lambda checks that do not fit a function aws-cdk-lib creates to handle CloudFormation custom resources
 * (the kubectl provider, AwsCustomResource, the VPC's default security group cleaner), each only while its
 * cause holds: no VPC configuration, and environment variables that are the library's own settings.
 * A variable outside those settings is left to checkov, to be reviewed.
 *
 * @param what the provider, in words, e.g. `The kubectl provider`
 */
export function skipCheckovOnCdkProvider(scope: IConstruct, what: string): void {
  for (const construct of scope.node.findAll()) {
    if (!(construct instanceof CfnResource) || construct.cfnResourceType !== 'AWS::Lambda::Function') continue;
    skipCheckov(
      construct,
      'CKV_AWS_115',
      `${what} runs only while CloudFormation deploys this stack, a few events at a time; reserved concurrency would withhold account capacity from every other function for a function that is idle between deployments.`,
    );
    skipCheckov(
      construct,
      'CKV_AWS_116',
      `${what} answers CloudFormation, which fails and rolls back the deployment when it errs or times out; the next deployment sends the event again, so a dead-letter queue would hold events nobody replays.`,
    );
    // aws-cdk-lib's CustomResourceProvider (a plain CfnResource) has no VPC option; a CfnFunction may have one.
    const typed = construct instanceof lambda.CfnFunction ? construct : undefined;
    if (typed?.vpcConfig === undefined) {
      skipCheckov(
        construct,
        'CKV_AWS_117',
        `${what} calls AWS APIs only, never an address in the VPC; outside the VPC it needs no NAT route or interface endpoint, and its IAM role bounds what it can do.`,
      );
    }
    const variables = Object.keys(
      (Stack.of(construct).resolve(typed?.environment) as { variables?: Record<string, unknown> } | undefined)
        ?.variables ?? {},
    );
    if (
      variables.length > 0 &&
      typed?.kmsKeyArn === undefined &&
      variables.every((v) => CDK_PROVIDER_SETTINGS.has(v))
    ) {
      skipCheckov(
        construct,
        'CKV_AWS_173',
        `${what}: its environment variables (${variables.join(', ')}) are settings of aws-cdk-lib, no secret; Lambda encrypts them at rest with its AWS-managed key.`,
      );
    }
  }
}
