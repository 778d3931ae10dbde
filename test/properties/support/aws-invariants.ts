/**
 * What must hold of the AWS half's templates for any valid model: names within AWS's limits, the data stores and
 * credentials each service declares, least privilege of every workload role evaluated as IAM matches ARNs, and
 * the queues' policies. Expectations are computed from the model; each check returns the problems it finds.
 */
import {
  ciImagePushRoleName,
  ciServiceImagePushRoleName,
  ENVIRONMENT_STACKS,
  type Environment,
  EnvironmentNaming,
  ecrRepositoryName,
  environmentStackId,
  environmentStackIds,
  type PlatformModel,
  partitionOf,
  peopleRoles,
  type Service,
  SHARED_SERVICES_STACK,
  sharedServicesStackIds,
  wantsBreakGlassBastion,
} from '@platform/model';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { combinedTemplate } from '../../aws/cloud-assembly';
import { canonical, type RenderedDist } from './kubernetes-invariants';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation templates are free-form JSON
type Json = any;

interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, Json>;
}

export interface Templates {
  /** Template of a stack by its construct ID (`shared-services`, `<env>-network`, `<env>-cluster`, …). */
  readonly byStack: ReadonlyMap<string, { readonly stackName: string; readonly resources: Record<string, Resource> }>;
}

/**
 * Every resource of an environment's stacks in one record: the fixed stacks' (delivery.ts `ENVIRONMENT_STACKS`) under
 * their own logical IDs, the service and queue stacks' (whose logical IDs repeat from stack to stack) behind their
 * stack ID, with the references among them renamed alike (`combinedTemplate`).
 */
export function environmentResources(
  model: PlatformModel,
  templates: Templates,
  environmentName: string,
): Record<string, Resource> {
  const fixed = ENVIRONMENT_STACKS.map((stack) => environmentStackId(environmentName, stack));
  const catalog = environmentStackIds(model, environmentName).filter((id) => !fixed.includes(id));
  const own = Object.assign({}, ...fixed.map((id) => templates.byStack.get(id)?.resources ?? {}));
  const combined = combinedTemplate(
    catalog.map((id) => [id, { Resources: templates.byStack.get(id)?.resources ?? {} }]),
    false,
  ).toJSON().Resources as Record<string, Resource>;
  return { ...own, ...combined };
}

export function templatesOf(assembly: CloudAssembly): Templates {
  return {
    byStack: new Map(
      assembly.stacks.map((stack) => [
        stack.hierarchicalId,
        { stackName: stack.stackName, resources: (stack.template.Resources ?? {}) as Record<string, Resource> },
      ]),
    ),
  };
}

/**
 * Limits on names AWS enforces, by resource type and property (the CloudFormation resource reference of each
 * type, and the service quotas pages: IAM, SQS, ElastiCache CreateReplicationGroup, RDS CreateDBInstance, …).
 */
const NAME_LIMITS: readonly { type: string; property: string; max: number; pattern?: RegExp }[] = [
  { type: 'AWS::IAM::Role', property: 'RoleName', max: 64, pattern: /^[\w+=,.@-]+$/ },
  { type: 'AWS::IAM::Policy', property: 'PolicyName', max: 128, pattern: /^[\w+=,.@-]+$/ },
  { type: 'AWS::IAM::ManagedPolicy', property: 'ManagedPolicyName', max: 128, pattern: /^[\w+=,.@-]+$/ },
  { type: 'AWS::IAM::InstanceProfile', property: 'InstanceProfileName', max: 128, pattern: /^[\w+=,.@-]+$/ },
  { type: 'AWS::SQS::Queue', property: 'QueueName', max: 80, pattern: /^[A-Za-z0-9_-]+(\.fifo)?$/ },
  {
    type: 'AWS::ElastiCache::ReplicationGroup',
    property: 'ReplicationGroupId',
    max: 40,
    pattern: /^[a-z]([a-z0-9]|-(?!-))*[a-z0-9]$|^[a-z]$/,
  },
  { type: 'AWS::ElastiCache::SubnetGroup', property: 'CacheSubnetGroupName', max: 255 },
  {
    type: 'AWS::RDS::DBInstance',
    property: 'DBInstanceIdentifier',
    max: 63,
    pattern: /^[a-zA-Z]([a-zA-Z0-9]|-(?!-))*$/,
  },
  // PostgreSQL: a letter, then letters, digits and underscores, at most 63 (NAMEDATALEN - 1).
  { type: 'AWS::RDS::DBInstance', property: 'DBName', max: 63, pattern: /^[A-Za-z][A-Za-z0-9_]*$/ },
  { type: 'AWS::RDS::DBSubnetGroup', property: 'DBSubnetGroupName', max: 255 },
  { type: 'AWS::SecretsManager::Secret', property: 'Name', max: 512, pattern: /^[A-Za-z0-9/_+=.@-]+$/ },
  { type: 'AWS::SSM::Parameter', property: 'Name', max: 1011, pattern: /^[A-Za-z0-9/_.-]+$/ },
  { type: 'AWS::Logs::LogGroup', property: 'LogGroupName', max: 512, pattern: /^[.\-_/#A-Za-z0-9]+$/ },
  { type: 'AWS::CloudWatch::Alarm', property: 'AlarmName', max: 255 },
  { type: 'AWS::SNS::Topic', property: 'TopicName', max: 256, pattern: /^[A-Za-z0-9_-]+$/ },
  { type: 'AWS::EKS::Cluster', property: 'Name', max: 100, pattern: /^[0-9A-Za-z][A-Za-z0-9\-_]*$/ },
  { type: 'AWS::EKS::Nodegroup', property: 'NodegroupName', max: 63 },
  { type: 'AWS::EC2::LaunchTemplate', property: 'LaunchTemplateName', max: 128, pattern: /^[a-zA-Z0-9().\-/_]+$/ },
  {
    type: 'AWS::ECR::Repository',
    property: 'RepositoryName',
    max: 256,
    pattern: /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/,
  },
  { type: 'AWS::Events::Rule', property: 'Name', max: 64, pattern: /^[.\-_A-Za-z0-9]+$/ },
  { type: 'AWS::Lambda::Function', property: 'FunctionName', max: 64 },
  { type: 'AWS::KMS::Alias', property: 'AliasName', max: 256, pattern: /^alias\/[a-zA-Z0-9/_-]+$/ },
];

/** PostgreSQL's reserved key words (PostgreSQL 18 documentation, Appendix C): RDS refuses them as DBName. */
const POSTGRES_RESERVED = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate collation ' +
    'column concurrently constraint create cross current_catalog current_date current_role current_schema current_time ' +
    'current_timestamp current_user default deferrable desc distinct do else end except false fetch for foreign freeze ' +
    'from full grant group having ilike in initially inner intersect into is isnull join lateral leading left like limit ' +
    'localtime localtimestamp natural not notnull null offset on only or order outer overlaps placing primary references ' +
    'returning right select session_user similar some symmetric system_user table tablesample then to trailing true ' +
    'union unique user using variadic verbose when where window with'
  ).split(' '),
);

/** A value as text when it is a literal or a join of literals and pseudo parameters; undefined otherwise. */
export function resolve(value: Json, environment: { region: string; account: string }): string | undefined {
  if (typeof value === 'string') return value;
  if (value?.Ref === 'AWS::Partition') return 'aws';
  if (value?.Ref === 'AWS::Region') return environment.region;
  if (value?.Ref === 'AWS::AccountId') return environment.account;
  if (value?.Ref === 'AWS::URLSuffix') return 'amazonaws.com';
  const join = value?.['Fn::Join'];
  if (Array.isArray(join)) {
    const parts = (join[1] as Json[]).map((part) => resolve(part, environment));
    return parts.every((part) => part !== undefined) ? parts.join(join[0]) : undefined;
  }
  return undefined;
}

/** Stack and resource names within AWS's limits. */
export function awsNameProblems(model: PlatformModel, templates: Templates): string[] {
  const problems: string[] = [];
  for (const [id, { stackName, resources }] of templates.byStack) {
    if (stackName.length > 128 || !/^[A-Za-z][A-Za-z0-9-]*$/.test(stackName)) {
      problems.push(`stack ${id}: name '${stackName}' is not a CloudFormation stack name of at most 128 characters`);
    }
    const environment = environmentOfStack(model, id);
    for (const [logicalId, resource] of Object.entries(resources)) {
      for (const limit of NAME_LIMITS.filter((l) => l.type === resource.Type)) {
        const name = resolve(resource.Properties?.[limit.property], environment);
        if (name === undefined) continue;
        if (name.length > limit.max || (limit.pattern && !limit.pattern.test(name))) {
          problems.push(
            `${id}/${logicalId}: ${resource.Type} ${limit.property} '${name}' (${name.length} characters) breaks AWS's rule (at most ${limit.max}${limit.pattern ? `, ${limit.pattern}` : ''})`,
          );
        }
        if (limit.property === 'DBName' && POSTGRES_RESERVED.has(name.toLowerCase())) {
          problems.push(`${id}/${logicalId}: DBName '${name}' is a PostgreSQL reserved word`);
        }
      }
    }
  }
  return problems;
}

function environmentOfStack(model: PlatformModel, stackId: string): { region: string; account: string } {
  const environment = model.environments.find(
    (e) =>
      stackId.startsWith(`${e.name}-`) && /^(network|cluster|data|messaging)$/.test(stackId.slice(e.name.length + 1)),
  );
  return environment ?? model.organization.sharedServices;
}

const asList = (value: Json): Json[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/** IAM's wildcard match of a resource pattern against an ARN (`*` any run of characters, `?` any one). */
function arnMatches(pattern: string, arn: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(arn);
}

interface Statement {
  readonly Effect: string;
  readonly Action: Json;
  readonly Resource: Json;
}

/**
 * The users a role's statements let it log in as with IAM authentication: for `rds-db:connect` on
 * `arn:aws:rds-db:<region>:<account>:dbuser:*` + `/<user>` of the environment, the user, when a Custom::DatabaseUser
 * of the data stack creates it; any other rds-db statement is listed as it is.
 */
function databaseLogins(
  statements: readonly Statement[],
  data: Record<string, Resource>,
  environment: Environment,
): string[] {
  const created = new Set(
    Object.values(data)
      .filter((r) => r.Type === 'Custom::DatabaseUser')
      .map((r) => r.Properties?.UserName),
  );
  const prefix = `arn:aws:rds-db:${environment.region}:${environment.account}:dbuser:*/`;
  return statements
    .filter((statement) => asList(statement.Action).some((action: string) => String(action).startsWith('rds-db:')))
    .flatMap((statement) =>
      asList(statement.Resource).map((resource: Json) => {
        const text = resolve(resource, environment);
        const user = text?.startsWith(prefix) ? text.slice(prefix.length) : undefined;
        const exact =
          canonical(asList(statement.Action)) === canonical(['rds-db:connect']) &&
          user !== undefined &&
          /^\w+$/.test(user) &&
          created.has(user);
        return exact ? user : JSON.stringify(statement);
      }),
    );
}

/** The Allow statements of the inline policies attached to the role with this name in a template. */
export function roleStatements(resources: Record<string, Resource>, roleName: string): Statement[] | undefined {
  const roleId = Object.keys(resources).find(
    (id) => resources[id].Type === 'AWS::IAM::Role' && resources[id].Properties?.RoleName === roleName,
  );
  if (!roleId) return undefined;
  const inline = asList(resources[roleId].Properties?.Policies).flatMap((policy: Json) =>
    asList(policy.PolicyDocument.Statement),
  );
  const attached = Object.values(resources)
    .filter(
      (r) => r.Type === 'AWS::IAM::Policy' && asList(r.Properties?.Roles).some((role: Json) => role?.Ref === roleId),
    )
    .flatMap((r) => asList(r.Properties?.PolicyDocument.Statement));
  return [...inline, ...attached].filter((statement: Statement) => statement.Effect === 'Allow');
}

/**
 * Per environment: each service with a database has its PostgreSQL instance and credentials secret, each service
 * with a cache its replication group and auth-token secret, and nothing more; each workload role may read exactly
 * its own secrets and connection parameters and use exactly the queues it publishes to or consumes from, with
 * the actions of its direction; Pod Identity binds it to the service's account in the team namespace; every queue
 * refuses requests without TLS, grants nobody else, and redrives into its own dead-letter queue.
 */
export function awsServiceProblems(model: PlatformModel, templates: Templates): string[] {
  return model.environments.flatMap((environment) => environmentProblems(model, environment, templates));
}

function environmentProblems(model: PlatformModel, environment: Environment, templates: Templates): string[] {
  const problems: string[] = [];
  const prefix = `${model.organization.name}-${environment.name}`;
  const secretPrefix = `${model.organization.name}/${environment.name}/`;
  const everything = environmentResources(model, templates, environment.name);
  const all = Object.values(everything);
  const namesOf = (type: string, property: string) =>
    all
      .filter((r) => r.Type === type)
      .map((r) => resolve(r.Properties?.[property], environment))
      .filter((n): n is string => n !== undefined);
  const secrets = namesOf('AWS::SecretsManager::Secret', 'Name');
  const parameters = namesOf('AWS::SSM::Parameter', 'Name');
  const queues = namesOf('AWS::SQS::Queue', 'QueueName');
  const same = (what: string, actual: readonly string[], expected: readonly string[]) => {
    if (canonical([...actual].sort()) !== canonical([...expected].sort())) {
      problems.push(
        `${environment.name}: ${what} are [${[...actual].sort().join(', ')}], the model asks for [${[...expected].sort().join(', ')}]`,
      );
    }
  };
  const withDatabase = model.services.filter((s) => s.dependencies.database);
  const withCache = model.services.filter((s) => s.dependencies.cache);
  same(
    'the databases',
    namesOf('AWS::RDS::DBInstance', 'DBName'),
    withDatabase.map((s) => s.name.replace(/-/g, '_')),
  );
  same(
    'the caches',
    namesOf('AWS::ElastiCache::ReplicationGroup', 'ReplicationGroupId'),
    withCache.map((s) => `${prefix}-${s.name}`),
  );
  const ownSecrets = (service: Service) => storesOf(service).map((store) => `${secretPrefix}${service.name}/${store}`);
  same(
    'the data store secrets',
    secrets.filter((name) => model.services.some((s) => name.startsWith(`${secretPrefix}${s.name}/`))),
    model.services.flatMap(ownSecrets),
  );

  const cluster = everything;
  const arnOf = (service: string, name: string) =>
    `arn:aws:${service}:${environment.region}:${environment.account}:${name}`;
  for (const service of model.services) {
    const at = `${environment.name}/${service.name}`;
    const statements = roleStatements(cluster, `${prefix}-${service.name}`);
    if (!statements) {
      problems.push(`${at}: no workload role ${prefix}-${service.name}`);
      continue;
    }
    const allowed = (action: string, arn: string) =>
      statements.some(
        (s) =>
          asList(s.Action).some((a: string) => a === action || arnMatches(a, action)) &&
          asList(s.Resource).some((r: Json) => {
            const text = resolve(r, environment);
            return text === undefined || arnMatches(text, arn);
          }),
      );
    // Secrets Manager appends '-' and 6 random characters to every secret's ARN.
    const readableSecrets = [...secrets, `${secretPrefix}argocd/repository`].filter((name) =>
      allowed('secretsmanager:GetSecretValue', arnOf('secretsmanager', `secret:${name}-Ab12Cd`)),
    );
    // PostgreSQL takes IAM tokens as the service's own user: no workload reads a database's master secret.
    same(
      `secrets ${service.name} may read`,
      readableSecrets,
      ownSecrets(service).filter((name) => name.endsWith('/redis')),
    );
    const user = `${service.name.replace(/-/g, '_')}_${environment.name.replace(/-/g, '_')}`;
    same(
      `database users ${service.name} may log in as`,
      databaseLogins(statements, everything, environment),
      service.dependencies.database ? [user] : [],
    );
    const readableParameters = parameters.filter((name) =>
      allowed('ssm:GetParameter', arnOf('ssm', `parameter${name}`)),
    );
    same(
      `parameters ${service.name} may read`,
      readableParameters,
      parameters.filter((name) =>
        storesOf(service).some((store) =>
          name.startsWith(`/${model.organization.name}/${environment.name}/${service.name}/${store}/`),
        ),
      ),
    );
    for (const [action, direction] of [
      ['sqs:SendMessage', 'publishes'],
      ['sqs:ReceiveMessage', 'consumes'],
      ['sqs:DeleteMessage', 'consumes'],
    ] as const) {
      same(
        `queues ${service.name} may ${action}`,
        queues.filter((queue) => allowed(action, arnOf('sqs', queue))),
        service.dependencies[direction].map((queue) => `${prefix}-${queue}`),
      );
    }
    const otherActions = statements
      .flatMap((s) => asList(s.Action))
      .filter(
        (a: string) =>
          !/^(sqs:(SendMessage|ReceiveMessage|DeleteMessage|ChangeMessageVisibility|GetQueueAttributes)|secretsmanager:(GetSecretValue|DescribeSecret)|ssm:GetParameters?|rds-db:connect)$/.test(
            a,
          ),
      );
    if (otherActions.length > 0) problems.push(`${at}: the workload role may also ${otherActions.join(', ')}`);
    const associations = Object.values(cluster).filter(
      (r) =>
        r.Type === 'AWS::EKS::PodIdentityAssociation' &&
        r.Properties?.ServiceAccount === service.name &&
        r.Properties?.Namespace === service.team,
    );
    if (associations.length !== 1)
      problems.push(`${at}: ${associations.length} Pod Identity associations for ${service.team}/${service.name}`);
  }

  const messaging = everything;
  for (const queue of model.queues) {
    const find = (name: string) =>
      Object.entries(messaging).find(([, r]) => r.Type === 'AWS::SQS::Queue' && r.Properties?.QueueName === name);
    const main = find(`${prefix}-${queue.name}`);
    const dlq = find(`${prefix}-${queue.name}-dlq`);
    if (!main || !dlq) {
      problems.push(`${environment.name}: queue ${queue.name} or its dead-letter queue is missing`);
      continue;
    }
    const redrive = main[1].Properties?.RedrivePolicy;
    if (
      redrive?.maxReceiveCount !== queue.maxReceiveCount ||
      canonical(redrive?.deadLetterTargetArn) !== canonical({ 'Fn::GetAtt': [dlq[0], 'Arn'] })
    ) {
      problems.push(`${environment.name}: ${queue.name} redrives ${JSON.stringify(redrive)}`);
    }
    for (const [logicalId] of [main, dlq]) {
      const policies = Object.values(messaging).filter(
        (r) =>
          r.Type === 'AWS::SQS::QueuePolicy' && asList(r.Properties?.Queues).some((q: Json) => q?.Ref === logicalId),
      );
      const statements = policies.flatMap((p) => asList(p.Properties?.PolicyDocument.Statement));
      const deniesPlainHttp = statements.some(
        (s: Json) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false',
      );
      const grants = statements.filter((s: Json) => s.Effect === 'Allow');
      if (!deniesPlainHttp || grants.length > 0)
        problems.push(
          `${environment.name}: the policy of ${logicalId} ${deniesPlainHttp ? '' : 'does not refuse plain HTTP'}${grants.length > 0 ? ` grants ${JSON.stringify(grants)}` : ''}`,
        );
    }
  }
  return problems;
}

function storesOf(service: Service): ('postgres' | 'redis')[] {
  return [
    ...(service.dependencies.database ? (['postgres'] as const) : []),
    ...(service.dependencies.cache ? (['redis'] as const) : []),
  ];
}

/** Every secret and parameter an ExternalSecret of the Kubernetes half reads is one the AWS half creates. */
export function contractProblems(
  model: PlatformModel,
  templates: Templates,
  dist: Pick<RenderedDist, 'objects'>,
): string[] {
  return model.environments.flatMap((environment) => {
    const resources = Object.values(environmentResources(model, templates, environment.name));
    const names = new Set(
      resources
        .filter((r) => r.Type === 'AWS::SecretsManager::Secret' || r.Type === 'AWS::SSM::Parameter')
        .map((r) => resolve(r.Properties?.Name, environment)),
    );
    return dist.objects
      .filter((file) => file.environment === environment.name && file.object.kind === 'ExternalSecret')
      .flatMap((file) =>
        asList(file.object.spec.data)
          .map((entry: Json) => entry.remoteRef.key as string)
          .filter((key) => !names.has(key))
          .map((key) => `${file.path}: reads '${key}', which the AWS half does not create`),
      );
  });
}

/**
 * People access (people-access.ts) for any model: each people role of an environment exists under its name, trusts
 * exactly the model's principal patterns of the environment's account, and has exactly one access entry with its
 * access policy and scope; the break-glass instance exists exactly when the model asks for it.
 */
export function peopleAccessProblems(model: PlatformModel, templates: Templates): string[] {
  return model.environments.flatMap((environment) => {
    const problems: string[] = [];
    const resources = templates.byStack.get(`${environment.name}-cluster`)?.resources ?? {};
    const naming = new EnvironmentNaming(model.organization, environment);
    for (const role of peopleRoles(naming, environment, model.teams)) {
      const id = Object.keys(resources).find(
        (key) => resources[key].Type === 'AWS::IAM::Role' && resources[key].Properties?.RoleName === role.roleName,
      );
      if (!id) {
        problems.push(`${environment.name}: no role ${role.roleName}`);
        continue;
      }
      const trust = canonical(resources[id].Properties?.AssumeRolePolicyDocument);
      const expectedTrust = canonical({
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Condition: { ArnLike: { 'aws:PrincipalArn': role.principals } },
            Effect: 'Allow',
            Principal: { AWS: `arn:${partitionOf(environment.region)}:iam::${environment.account}:root` },
          },
        ],
        Version: '2012-10-17',
      });
      if (trust !== expectedTrust) problems.push(`${environment.name}: ${role.roleName} trusts ${trust}`);
      const entries = Object.values(resources).filter(
        (r) =>
          r.Type === 'AWS::EKS::AccessEntry' &&
          JSON.stringify(r.Properties?.PrincipalArn) === JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] }),
      );
      const scopes = entries.flatMap((entry) =>
        ((entry.Properties?.AccessPolicies ?? []) as { AccessScope: unknown; PolicyArn: unknown }[]).map((policy) =>
          // The policy ARN is joined with the partition: its text ends in the access policy's name.
          JSON.stringify([
            policy.AccessScope,
            JSON.stringify(policy.PolicyArn).includes(`:eks::aws:cluster-access-policy/${role.accessPolicy}"`),
          ]),
        ),
      );
      const scope = role.namespaces ? { Namespaces: role.namespaces, Type: 'namespace' } : { Type: 'cluster' };
      if (JSON.stringify(scopes) !== JSON.stringify([JSON.stringify([scope, true])])) {
        problems.push(`${environment.name}: ${role.roleName} has access ${scopes.join(', ') || '(none)'}`);
      }
    }
    const instances = Object.values(resources).filter((r) => r.Type === 'AWS::EC2::Instance').length;
    if (instances !== (wantsBreakGlassBastion(environment) ? 1 : 0)) {
      problems.push(
        `${environment.name}: ${instances} instances, breakGlassBastion ${wantsBreakGlassBastion(environment)}`,
      );
    }
    return problems;
  });
}

/**
 * The deploy identities: each account the model deploys to (the shared-services account and every environment's)
 * holds exactly one GitHub OIDC provider, IAM's limit for one URL; each environment's `ci` stack has two roles, named
 * by the contract: the deploy role, that only a job of the model's repository in the GitHub Environment of the
 * environment's name may assume, and that may only assume that account's CDK bootstrap roles; and the plan role, for
 * the GitHub Environment `<env>-plan`, that may only assume the account's lookup role.
 */
/**
 * How a token's `repo` claim names a repository (GitHub Docs, "OpenID Connect reference", "Immutable subject claims"):
 * `owner/repo`, or, when the model gives its numeric IDs, each name followed by `@` and its ID.
 */
function repoClaim(ci: { githubRepository: string; githubRepositoryOwnerId?: number; githubRepositoryId?: number }) {
  if (ci.githubRepositoryOwnerId === undefined) return ci.githubRepository;
  const [owner, repository] = ci.githubRepository.split('/');
  return `${owner}@${ci.githubRepositoryOwnerId}/${repository}@${ci.githubRepositoryId}`;
}

export function deliveryProblems(model: PlatformModel, templates: Templates): string[] {
  const problems: string[] = [];
  const accountOf = new Map<string, string>([[SHARED_SERVICES_STACK, model.organization.sharedServices.account]]);
  for (const environment of model.environments) {
    accountOf.set(environmentStackId(environment.name, 'ci'), environment.account);
  }
  const providers = new Map<string, number>();
  for (const [stack, template] of templates.byStack) {
    const count = Object.values(template.resources).filter((r) => r.Type === 'AWS::IAM::OIDCProvider').length;
    const account = accountOf.get(stack);
    if (count > 0 && account === undefined) problems.push(`${stack}: creates a GitHub OIDC provider`);
    if (account !== undefined) providers.set(account, (providers.get(account) ?? 0) + count);
  }
  const existing = model.organization.ci.existingOidcProviderAccounts ?? [];
  for (const [account, count] of providers) {
    const expected = existing.includes(account) ? 0 : 1;
    if (count !== expected) problems.push(`account ${account}: ${count} GitHub OIDC providers, expected ${expected}`);
  }
  for (const environment of model.environments) {
    const stack = environmentStackId(environment.name, 'ci');
    const roles = Object.values(templates.byStack.get(stack)?.resources ?? {}).filter(
      (resource) => resource.Type === 'AWS::IAM::Role',
    );
    const naming = new EnvironmentNaming(model.organization, environment);
    // The deploy role, for the GitHub Environment of the environment's name; the plan role, for `<env>-plan`, which
    // has no reviewers, so it may assume the lookup role only.
    const expected = [
      { name: naming.ciDeployRoleName, githubEnvironment: environment.name, may: 'deploy|file-publishing|lookup' },
      { name: naming.ciPlanRoleName, githubEnvironment: `${environment.name}-plan`, may: 'lookup' },
    ];
    const names = roles.map((role) => String(role.Properties?.RoleName)).sort();
    if (JSON.stringify(names) !== JSON.stringify(expected.map((role) => role.name).sort())) {
      problems.push(`${stack}: not exactly the roles ${expected.map((role) => role.name).join(', ')}: ${names}`);
      continue;
    }
    for (const { name, githubEnvironment, may } of expected) {
      const role = roles.find((candidate) => candidate.Properties?.RoleName === name);
      const trust = JSON.stringify(role?.Properties?.AssumeRolePolicyDocument);
      // This repository's tokens follow the template `repo, context, ref` (README, "Deploying").
      const subject = `repo:${repoClaim(model.organization.ci)}:environment:${githubEnvironment}:ref:refs/heads/${model.organization.ci.branch}`;
      if (!trust.includes(`"token.actions.githubusercontent.com:sub":"${subject}"`) || trust.includes('*')) {
        problems.push(`${stack}: ${name} trusts not exactly ${subject}: ${trust}`);
      }
      const policies = JSON.stringify(role?.Properties?.Policies);
      const bootstrap = new RegExp(
        `^arn:aws[a-z-]*:iam::${environment.account}:role/cdk-[a-z0-9]+-(${may})-role-${environment.account}-${environment.region}$`,
      );
      const statements =
        (
          role?.Properties?.Policies as
            | { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } }[]
            | undefined
        )?.flatMap((policy) => policy.PolicyDocument.Statement) ?? [];
      if (
        statements.length !== 1 ||
        statements[0].Action !== 'sts:AssumeRole' ||
        ![statements[0].Resource].flat().every((arn) => typeof arn === 'string' && bootstrap.test(arn))
      ) {
        problems.push(`${stack}: ${name} may do more than assume the bootstrap roles ${may}: ${policies}`);
      }
    }
  }
  return problems;
}

/**
 * The ECR actions that change a repository's images (Service Authorization Reference, Amazon ECR): any one of them
 * lets a principal put content there, retag an image (`ecr:PutImage`) or remove a released one.
 */
const ECR_WRITE_ACTIONS = [
  'ecr:PutImage',
  'ecr:InitiateLayerUpload',
  'ecr:UploadLayerPart',
  'ecr:CompleteLayerUpload',
  'ecr:BatchDeleteImage',
  'ecr:BatchImportUpstreamImage',
];

/**
 * The principals no template shows: the registry account's root, its administrators, the CloudFormation execution
 * role of its stacks, whose own IAM policies may allow every ECR action on every repository. Only a repository policy
 * can keep them out.
 */
export const OTHER_PRINCIPALS = 'any other principal of the account whose IAM policies allow it';

/** Whether an IAM action pattern (`*` and `?` wildcards, case-insensitive) covers the action. */
function actionCovers(pattern: string, action: string): boolean {
  const expression = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${expression}$`, 'i').test(action);
}

/**
 * Per ECR repository name of these templates (each a stack's resources, in the registry's account and region), who
 * may change its images, sorted: the roles whose identity policies (inline or attached) allow a write action on the
 * repository's ARN, on `*` or on an ARN pattern that matches it, the principals of repository policy statements that
 * allow one, and `OTHER_PRINCIPALS`; less those a Deny of the repository policy covering every write action refuses,
 * as IAM evaluates it for a request of the registry's account (an explicit Deny wins; `aws:PrincipalArn` of a role's
 * session is the role's ARN): `ArnEquals` refuses the roles whose ARN it lists, `ArnNotEquals` every principal but
 * the roles whose ARN it lists (without wildcards: a pattern could exempt a principal no template shows). Any other
 * Deny of a write is reported as unrecognized.
 */
export function pushersByRepository(
  stacks: readonly Record<string, Resource>[],
  registry: { readonly account: string; readonly region: string },
): Map<string, string[]> {
  const repositories = stacks.flatMap((resources) =>
    Object.entries(resources)
      .filter(([, resource]) => resource.Type === 'AWS::ECR::Repository')
      .map(([id, resource]) => ({ id, resource, resources, name: String(resource.Properties?.RepositoryName) })),
  );
  const pushers = new Map<string, Set<string>>(repositories.map(({ name }) => [name, new Set<string>()]));
  const writes = (statement: Statement, effect: string) =>
    statement.Effect === effect &&
    asList(statement.Action).some((pattern: string) =>
      ECR_WRITE_ACTIONS.some((action) => actionCovers(pattern, action)),
    );
  // A reference by logical ID reaches a repository of the same template only; an ARN reaches any.
  const reached = (resource: Json, resources: Record<string, Resource>): string[] =>
    repositories.flatMap(({ id, name, resources: own }) => {
      if (resource === '*') return [name];
      if (typeof resource === 'string')
        return arnMatches(resource, `arn:aws:ecr:${registry.region}:${registry.account}:repository/${name}`)
          ? [name]
          : [];
      return own === resources && JSON.stringify(resource).includes(id) ? [name] : [];
    });
  for (const resources of stacks) {
    for (const [roleId, role] of Object.entries(resources)) {
      if (role.Type !== 'AWS::IAM::Role') continue;
      const name = String(role.Properties?.RoleName ?? roleId);
      for (const statement of roleStatements(resources, name) ?? []) {
        if (!writes(statement, 'Allow')) continue;
        for (const target of asList(statement.Resource).flatMap((r: Json) => reached(r, resources))) {
          pushers.get(target)?.add(name);
        }
      }
    }
  }
  for (const { resource, name } of repositories) {
    const statements = asList(resource.Properties?.RepositoryPolicyText?.Statement) as Statement[];
    for (const statement of statements.filter((candidate) => writes(candidate, 'Allow'))) {
      pushers.get(name)?.add(JSON.stringify((statement as Json).Principal));
    }
    pushers.get(name)?.add(OTHER_PRINCIPALS);
    const roleArn = (role: string) => `arn:aws:iam::${registry.account}:role/${role}`;
    for (const statement of statements.filter((candidate) => writes(candidate, 'Deny'))) {
      const { Principal, Condition } = statement as Json;
      const [operator, ...more] = Object.keys(Condition ?? {});
      const keys = Object.keys(Condition?.[operator] ?? {});
      const arns = asList(Condition?.[operator]?.['aws:PrincipalArn']).map((arn: Json) =>
        typeof arn === 'string' ? arn : JSON.stringify(arn),
      );
      const everyWrite = ECR_WRITE_ACTIONS.every((action) =>
        asList(statement.Action).some((pattern: string) => actionCovers(pattern, action)),
      );
      if (
        !['{"AWS":"*"}', '"*"'].includes(JSON.stringify(Principal)) ||
        !['ArnEquals', 'ArnNotEquals'].includes(operator) ||
        more.length > 0 ||
        keys.join() !== 'aws:PrincipalArn' ||
        !everyWrite
      ) {
        pushers.get(name)?.add(`unrecognized Deny ${JSON.stringify(statement)}`);
        continue;
      }
      const listed = (role: string) => arns.some((arn) => arnMatches(arn, roleArn(role)));
      for (const pusher of [...(pushers.get(name) ?? [])]) {
        const refused =
          operator === 'ArnEquals'
            ? pusher !== OTHER_PRINCIPALS && listed(pusher)
            : pusher === OTHER_PRINCIPALS
              ? arns.every((arn) => !/[*?]/.test(arn))
              : !listed(pusher);
        if (refused) pushers.get(name)?.delete(pusher);
      }
    }
  }
  return new Map([...pushers].map(([repository, names]) => [repository, [...names].sort()]));
}

/**
 * Every ECR repository may be written by exactly one role: its service's own repository's push role when the service
 * names a repository (`services[].ci`), else the organization repository's; so no service repository's workflow can
 * push to another service's repository.
 */
export function imagePushProblems(model: PlatformModel, templates: Templates): string[] {
  const stacks = sharedServicesStackIds(model).map((stack) => templates.byStack.get(stack)?.resources ?? {});
  const pushers = pushersByRepository(stacks, model.organization.sharedServices);
  // Each push role trusts exactly its repository's job on the protected branch: this repository's tokens follow the
  // template `repo, context, ref` (its ref twice without a GitHub Environment), a service repository's its
  // `oidcSubject`, by default `repo, context, job_workflow_ref`: only a job running this repository's service image
  // workflow, at any ref (GitHub Docs, "OpenID Connect reference"), matched by StringLike.
  const { ci } = model.organization;
  const serviceImageWorkflow = `${ci.githubRepository}/.github/workflows/service-image.yml`;
  const trusts: [string, string, 'StringEquals' | 'StringLike'][] = [
    [
      ciImagePushRoleName(model.organization),
      `repo:${repoClaim(ci)}:ref:refs/heads/${ci.branch}:ref:refs/heads/${ci.branch}`,
      'StringEquals',
    ],
    ...model.services.flatMap((service): [string, string, 'StringEquals' | 'StringLike'][] => {
      if (!service.ci) return [];
      const ref = `ref:refs/heads/${service.ci.branch}`;
      const template = service.ci.oidcSubject ?? 'repo-context-job-workflow-ref';
      const name = ciServiceImagePushRoleName(model.organization, service.name);
      const repo = `repo:${repoClaim(service.ci)}`;
      if (template === 'repo-context-job-workflow-ref') {
        return [[name, `${repo}:${ref}:job_workflow_ref:${serviceImageWorkflow}@*`, 'StringLike']];
      }
      return [[name, `${repo}:${template === 'repo-context-ref' ? `${ref}:${ref}` : ref}`, 'StringEquals']];
    }),
  ];
  const trustProblems = trusts.flatMap(([name, subject, operator]) => {
    const role = stacks
      .flatMap((resources) => Object.values(resources))
      .find((resource) => resource.Type === 'AWS::IAM::Role' && resource.Properties?.RoleName === name);
    const statements = asList(role?.Properties?.AssumeRolePolicyDocument?.Statement);
    const condition = statements[0]?.Condition ?? {};
    const expected = {
      StringEquals: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        ...(operator === 'StringEquals' ? { 'token.actions.githubusercontent.com:sub': subject } : {}),
      },
      ...(operator === 'StringLike' ? { StringLike: { 'token.actions.githubusercontent.com:sub': subject } } : {}),
    };
    return statements.length === 1 && canonical(condition) === canonical(expected)
      ? []
      : [
          `${name} trusts not exactly ${subject} (${operator}): ${JSON.stringify(role?.Properties?.AssumeRolePolicyDocument)}`,
        ];
  });
  return trustProblems.concat(
    model.services.flatMap((service) => {
      const repository = ecrRepositoryName(model.organization, service.name);
      const expected = service.ci
        ? ciServiceImagePushRoleName(model.organization, service.name)
        : ciImagePushRoleName(model.organization);
      const actual = pushers.get(repository) ?? [];
      return actual.length === 1 && actual[0] === expected
        ? []
        : [`${repository}: written by ${actual.join(', ') || 'nobody'}, expected exactly ${expected}`];
    }),
  );
}
