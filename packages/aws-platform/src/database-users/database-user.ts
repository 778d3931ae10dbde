import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CustomResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as rds from 'aws-cdk-lib/aws-rds';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import { acknowledgeCdkProvider, acknowledgeManagedPolicies } from '../acknowledge';
import { skipCheckov } from '../checkov-skips';
import { allowLogGroupEncryption } from '../log-encryption';
import { SUBNET_GROUP_NAMES } from '../platform-network';
import type { DatabaseUserProperties } from './handler';

export interface DatabaseUserProps {
  /** The instance whose master credentials create the user; must have a generated master secret. */
  readonly instance: rds.DatabaseInstance;
  /** The VPC of the instance: the function runs in its private subnets. */
  readonly vpc: ec2.IVpc;
  /** The database the user comes to own. */
  readonly databaseName: string;
  /** The user (`EnvironmentNaming.databaseUserName`). */
  readonly userName: string;
}

/**
 * A PostgreSQL login role that authenticates with IAM only (`rds_iam`) and owns the database: a CloudFormation custom
 * resource (`Custom::DatabaseUser`) whose function connects as the master user on every Create and Update and runs
 * `ensureDatabaseUser`. Who may log in as the user is IAM's to say (`rds-db:connect`).
 */
export class DatabaseUser extends Construct {
  public readonly userName: string;

  public constructor(scope: Construct, id: string, props: DatabaseUserProps) {
    super(scope, id);
    const secret = props.instance.secret;
    if (!secret) throw new Error(`${this.node.path}: the instance has no master secret to create its user with`);
    this.userName = props.userName;
    const provider = DatabaseUserProvider.of(this, props.vpc);
    props.instance.connections.allowDefaultPortFrom(provider.handler, 'Creates the service user');
    secret.grantRead(provider.handler);
    const properties: DatabaseUserProperties = {
      // The attachment's ARN: the secret once RDS has written the host into it.
      MasterSecretArn: secret.secretArn,
      Host: props.instance.dbInstanceEndpointAddress,
      Port: props.instance.dbInstanceEndpointPort,
      DatabaseName: props.databaseName,
      UserName: props.userName,
      // A new bundle is an Update: a changed handler runs again on every instance at the next deploy.
      HandlerVersion: provider.bundleHash,
    };
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::DatabaseUser',
      properties: { ...properties },
    });
    // The rules that let the function reach the instance reference its port, so CloudFormation would otherwise
    // create them alongside this resource and the first connection could time out.
    for (const group of [...props.instance.connections.securityGroups, provider.securityGroup]) {
      resource.node.addDependency(group);
    }
  }
}

/** One function (and provider) per stack, shared by every database user of the stack (a service's stack has one). */
class DatabaseUserProvider extends Construct {
  public static of(scope: Construct, vpc: ec2.IVpc): DatabaseUserProvider {
    const stack = Stack.of(scope);
    const id = 'DatabaseUserProvider';
    return (
      (stack.node.tryFindChild(id) as DatabaseUserProvider | undefined) ?? new DatabaseUserProvider(stack, id, vpc)
    );
  }

  public readonly handler: lambda.Function;
  public readonly serviceToken: string;
  public readonly securityGroup: ec2.SecurityGroup;
  /** SHA-256 (32 hex digits) of the handler bundle. */
  public readonly bundleHash: string;

  private constructor(scope: Construct, id: string, vpc: ec2.IVpc) {
    super(scope, id);
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: 'Database user function: PostgreSQL of the service databases, HTTPS to Secrets Manager',
      allowAllOutbound: false,
    });
    this.securityGroup = securityGroup;
    // The function logs the statements it runs (role and object names); encrypted like every log group here.
    const logPrefix = `/${Stack.of(this).stackName}/database-user/`;
    const logKey = new kms.Key(this, 'LogKey', {
      description: `Logs of the database user function of ${Stack.of(this).stackName}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    allowLogGroupEncryption(logKey, `${logPrefix}*`);
    const logGroup = (id: string, name: string) =>
      new logs.LogGroup(this, id, {
        logGroupName: `${logPrefix}${name}`,
        retention: logs.RetentionDays.ONE_MONTH,
        encryptionKey: logKey,
      });
    // Secrets Manager through its interface endpoint or the NAT gateway, whichever the VPC has.
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'Secrets Manager');
    const bundle = bundledHandler();
    this.bundleHash = bundle.hash;
    this.handler = new lambda.Function(this, 'Handler', {
      code: bundle.code,
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: Duration.minutes(2),
      memorySize: 256,
      vpc,
      vpcSubnets: { subnetGroupName: SUBNET_GROUP_NAMES.private },
      securityGroups: [securityGroup],
      // The runtime's bundle of Amazon certificate authorities, RDS's among them: Node.js 20 and later runtimes load
      // it only when asked.
      environment: { NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' },
      logGroup: logGroup('HandlerLogs', 'handler'),
    });
    if (this.handler.role) {
      acknowledgeManagedPolicies(
        this.handler.role,
        'AWSLambdaBasicExecutionRole (write its own logs) and AWSLambdaVPCAccessExecutionRole (the network interfaces of a function in a VPC) are the policies Lambda documents for a function in a VPC; what it reads is granted separately, one master secret at a time.',
      );
    }
    skipCheckov(
      this.handler,
      'CKV_AWS_115',
      'The function runs only while CloudFormation creates or updates a database user, one event at a time; reserved concurrency would withhold account capacity for a function idle between deployments.',
    );
    skipCheckov(
      this.handler,
      'CKV_AWS_116',
      'The function answers CloudFormation through the provider framework, which fails and rolls back the deployment when it errs; the next deployment sends the event again, so a dead-letter queue would hold events nobody replays.',
    );
    skipCheckov(
      this.handler,
      'CKV_AWS_173',
      'Its one environment variable, NODE_EXTRA_CA_CERTS, is the path of the runtime certificate bundle, no secret; Lambda encrypts it at rest with its AWS-managed key.',
    );
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.handler,
      logGroup: logGroup('ProviderLogs', 'provider'),
    });
    this.serviceToken = provider.serviceToken;
    acknowledgeCdkProvider(provider, 'The custom resource provider framework');
  }
}

/** Where bundles are kept, by content hash: a synthesis writes one only when the handler or its libraries change. */
const BUNDLE_CACHE = path.join(__dirname, '..', '..', 'node_modules', '.cache', 'database-user-handler');

/**
 * handler.ts and pg bundled into one CommonJS file with esbuild, in process and silently (aws-cdk-lib's bundling
 * prints to stderr and needs a lock file beside the working directory). The AWS SDK is left out: the runtime has it.
 * esbuild's output is deterministic, so the asset hash in the committed templates is the same on every machine.
 */
function bundledHandler(): { readonly code: lambda.Code; readonly hash: string } {
  // Once per process: every service stack with a database has a provider, and the bundle is the same for all.
  bundled ??= bundleHandler();
  return { code: lambda.Code.fromAsset(bundled.directory), hash: bundled.hash };
}

let bundled: { readonly directory: string; readonly hash: string } | undefined;

function bundleHandler(): { readonly directory: string; readonly hash: string } {
  const result = buildSync({
    entryPoints: [path.join(__dirname, 'handler.ts')],
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    minify: true,
    external: ['@aws-sdk/*', 'pg-native'],
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents;
  if (!code) throw new Error('esbuild produced no bundle of the database user handler');
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 32);
  const directory = path.join(BUNDLE_CACHE, hash);
  const file = path.join(directory, 'index.js');
  if (!existsSync(file)) {
    mkdirSync(directory, { recursive: true });
    // Written aside and renamed: another process synthesizing at the same time never reads half a file.
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, code);
    renameSync(partial, file);
  }
  return { directory, hash };
}
