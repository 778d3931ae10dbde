/**
 * The CloudFormation types whose loss loses data or what decrypts it, and the property that gives each its custom
 * name (`undefined`: no name), stated here for the tests as the issues state them, independently of the code's list.
 */
export const STATEFUL_TYPE_NAMES: Readonly<Record<string, string | undefined>> = {
  'AWS::RDS::DBInstance': 'DBInstanceIdentifier',
  'AWS::ElastiCache::ReplicationGroup': 'ReplicationGroupId',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::KMS::Key': undefined,
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::ECR::Repository': 'RepositoryName',
  'AWS::EKS::Cluster': 'Name',
  'AWS::S3::Bucket': 'BucketName',
};
