import { AWS_NAME_LIMITS, POSTGRES_RESERVED_WORDS } from './aws-facts';
import { PLAN_GITHUB_ENVIRONMENT_SUFFIX, SHARED_SERVICES_DEPLOYMENT } from './delivery';
import { RESERVED_DIST_FOLDERS } from './dist-layout';
import type { ModelIssue } from './model-issue';
import { type ModelParts, pick } from './model-parts';
import {
  ADDON_SERVICE_ACCOUNTS,
  type AddonWithIdentity,
  ciServiceImagePushRoleName,
  EnvironmentNaming,
  PLATFORM_NAMESPACES,
} from './naming';
import type { Environment, Organization } from './schema';

/**
 * Every name the contract derives from the organization, environment and service names fits AWS's limits
 * (aws-facts.ts); RDS and ElastiCache also refuse two hyphens in a row.
 */
export function nameIssues(parts: ModelParts): ModelIssue[] {
  return [...databaseNameIssues(parts), ...derivedNameIssues(parts), ...pushRoleNameIssues(parts)];
}

/**
 * A service's PostgreSQL database, master user and service user are named after it: RDS refuses PostgreSQL's reserved
 * words, and PostgreSQL refuses role names that begin with `pg_` (PostgreSQL 18 documentation, "Database Roles").
 */
function databaseNameIssues(parts: ModelParts): ModelIssue[] {
  return parts.services.flatMap((part) => {
    const service = pick(part, 'name', 'dependencies');
    if (!service?.dependencies.database) return [];
    const database = service.name.replace(/-/g, '_');
    const path = `services.${part.label}.name`;
    if (POSTGRES_RESERVED_WORDS.has(database)) {
      return [
        {
          path,
          message: `names its PostgreSQL database and user '${database}', a word PostgreSQL reserves, which RDS refuses; rename the service`,
        },
      ];
    }
    if (database.startsWith('pg_')) {
      return [
        {
          path,
          message: `names its PostgreSQL users '${database}' and '${database}_<environment>'; PostgreSQL reserves role names that begin with 'pg_': rename the service`,
        },
      ];
    }
    return [];
  });
}

/** A service with a repository of its own (`ci`) gets an image push role named after it (ci-push-identity.ts). */
function pushRoleNameIssues(parts: ModelParts): ModelIssue[] {
  const organization = pick(parts.organization, 'name');
  if (!organization) return [];
  return parts.services.flatMap((part) => {
    const service = pick(part, 'name', 'ci');
    if (!service?.ci) return [];
    const name = ciServiceImagePushRoleName(organization as Organization, service.name);
    return name.length > AWS_NAME_LIMITS.iamRole
      ? [
          {
            path: `services.${part.label}.name`,
            message: `derived name too long: IAM role '${name}' (the image push role of its repository, max ${AWS_NAME_LIMITS.iamRole}); shorten the organization or service name`,
          },
        ]
      : [];
  });
}

function derivedNameIssues(parts: ModelParts): ModelIssue[] {
  const organization = pick(parts.organization, 'name');
  if (!organization) return [];
  return parts.environments.flatMap((part) => {
    if (!pick(part, 'name')) return [];
    // Only the name-deriving members of the contract are used, which read the two names alone.
    const naming = new EnvironmentNaming(organization as Organization, part.fields as Environment);
    const problems: string[] = [];
    const check = (what: string, name: string, limit: number, noDoubleHyphen = false) => {
      if (name.length > limit) {
        problems.push(
          `derived name too long: ${what} '${name}' (max ${limit}); shorten the organization, environment or service name`,
        );
      }
      if (noDoubleHyphen && name.includes('--')) {
        problems.push(
          `derived name ${what} '${name}' contains '--', which AWS refuses; rename the part that has two hyphens in a row`,
        );
      }
    };
    for (const service of parts.services) {
      const named = pick(service, 'name');
      if (!named) continue;
      check('IAM role', naming.workloadRoleName(named.name), AWS_NAME_LIMITS.iamRole);
      const dependencies = pick(service, 'dependencies')?.dependencies;
      if (dependencies?.database || dependencies?.cache) {
        check('IAM role', naming.serviceSecretReaderRoleName(named.name), AWS_NAME_LIMITS.iamRole);
      }
      if (dependencies?.database) {
        check('RDS instance', naming.databaseInstanceIdentifier(named.name), AWS_NAME_LIMITS.rdsInstance, true);
        check('PostgreSQL user', naming.databaseUserName(named.name), AWS_NAME_LIMITS.postgresIdentifier);
      }
      if (dependencies?.cache) {
        check(
          'ElastiCache replication group',
          naming.cacheReplicationGroupId(named.name),
          AWS_NAME_LIMITS.elastiCacheReplicationGroup,
          true,
        );
      }
    }
    // The External Secrets reader roles: one per service with a data store and one for monitoring (secret-access.ts).
    check('IAM role', naming.secretReaderRoleName(PLATFORM_NAMESPACES.monitoring), AWS_NAME_LIMITS.iamRole);
    // The people roles (people-access.ts): one per team the environment's access names, and the read-only one.
    for (const team of Object.keys(pick(part, 'access')?.access?.teams ?? {})) {
      check('IAM role', naming.teamAccessRoleName(team), AWS_NAME_LIMITS.iamRole);
    }
    check('IAM role', naming.readOnlyAccessRoleName, AWS_NAME_LIMITS.iamRole);
    for (const addon of Object.keys(ADDON_SERVICE_ACCOUNTS) as AddonWithIdentity[]) {
      check('IAM role', naming.addonRoleName(addon), AWS_NAME_LIMITS.iamRole);
    }
    check('IAM role', naming.karpenterNodeRoleName, AWS_NAME_LIMITS.iamRole);
    check('IAM role', naming.ciDeployRoleName, AWS_NAME_LIMITS.iamRole);
    check('IAM role', naming.ciPlanRoleName, AWS_NAME_LIMITS.iamRole);
    check('SQS queue', naming.karpenterInterruptionQueueName, AWS_NAME_LIMITS.sqsQueue);
    if (pick(part, 'account')) check('S3 bucket', naming.backupBucketName, AWS_NAME_LIMITS.s3Bucket);
    for (const queue of parts.queues) {
      const named = pick(queue, 'name');
      if (named) check('SQS queue', naming.deadLetterQueueName(named.name), AWS_NAME_LIMITS.sqsQueue);
    }
    return problems.map((message) => ({ path: `environments.${part.label}.name`, message }));
  });
}

/**
 * No environment takes the name of a folder of dist/ that is not an environment's (dist-layout.ts), nor the name of
 * the GitHub Environment the shared-services stack is deployed in, nor a name ending in `-plan`, the suffix of the
 * plan jobs' GitHub Environments (delivery.ts): the deploy workflow runs each environment in the GitHub Environment
 * of its name and its plan in `<name>-plan`, and the deploy and plan roles trust those names.
 */
export function reservedNameIssues(parts: ModelParts): ModelIssue[] {
  return parts.environments.flatMap((part) => {
    const name = pick(part, 'name')?.name;
    if (name === undefined) return [];
    const path = `environments.${part.label}.name`;
    if (RESERVED_DIST_FOLDERS.includes(name)) {
      return [
        {
          path,
          message: `'${name}' is reserved: dist/${name}/ holds the CloudFormation templates; choose another name`,
        },
      ];
    }
    if (name.endsWith(PLAN_GITHUB_ENVIRONMENT_SUFFIX)) {
      return [
        {
          path,
          message: `'${name}' is reserved: the deploy workflow runs each environment's plan job in the GitHub Environment '<environment>${PLAN_GITHUB_ENVIRONMENT_SUFFIX}'; choose a name that does not end in '${PLAN_GITHUB_ENVIRONMENT_SUFFIX}'`,
        },
      ];
    }
    if (name === SHARED_SERVICES_DEPLOYMENT) {
      return [
        {
          path,
          message: `'${name}' is reserved: the deploy workflow deploys the shared-services stack in the GitHub Environment of that name; choose another name`,
        },
      ];
    }
    return [];
  });
}
