import type { EnvironmentNaming } from './naming';
import type { Environment, Team } from './schema';

/**
 * Names of the EKS access policies the people roles get (EKS user guide, access-policy-permissions; aws-cdk-lib
 * 2.276.0 aws-eks-v2 `AccessPolicyArn`). EKS evaluates them itself, beside Kubernetes RBAC; they are not
 * ClusterRoles, so CRDs' aggregation labels do not widen them.
 */
export const PEOPLE_ACCESS_POLICIES = {
  /** Create, change and delete most namespaced objects (like Kubernetes' `edit`), in the scoped namespaces only. */
  edit: 'AmazonEKSEditPolicy',
  /** Read most objects (like Kubernetes' `view`: not Secrets), cluster-wide. */
  view: 'AmazonEKSViewPolicy',
} as const;

/** One IAM role people assume to reach the cluster, and the EKS access it gets there. */
export interface PeopleRole {
  /** The team of a team role; `undefined` for the read-only role. */
  readonly team?: string;
  /** Name of the IAM role (`EnvironmentNaming.teamAccessRoleName` / `readOnlyAccessRoleName`). */
  readonly roleName: string;
  /** EKS access policy of the role's access entry (PEOPLE_ACCESS_POLICIES). */
  readonly accessPolicy: (typeof PEOPLE_ACCESS_POLICIES)[keyof typeof PEOPLE_ACCESS_POLICIES];
  /** Namespaces the access policy is scoped to; `undefined` for a cluster-wide scope. */
  readonly namespaces?: readonly string[];
  /** ArnLike patterns of the principals (`aws:PrincipalArn`) that may assume the role, as the model gives them. */
  readonly principals: readonly string[];
}

/**
 * The people roles of one environment: one per team the model names principals for (`access.teams`), editing the
 * team's namespace (a team's name is its namespace), and one read-only role when `access.readOnly` names principals.
 * A role nobody may assume is not created. The admin role (`cluster.adminRoleArn`) is not among them: it exists
 * outside the stacks and keeps its cluster-admin access entry.
 */
export function peopleRoles(naming: EnvironmentNaming, environment: Environment, teams: readonly Team[]): PeopleRole[] {
  const access = environment.access ?? {};
  const teamRoles: PeopleRole[] = teams.flatMap((team) => {
    const principals = access.teams?.[team.name];
    if (!principals) return [];
    return [
      {
        team: team.name,
        roleName: naming.teamAccessRoleName(team.name),
        accessPolicy: PEOPLE_ACCESS_POLICIES.edit,
        namespaces: [team.name],
        principals: [...principals],
      },
    ];
  });
  const readOnly: PeopleRole[] = access.readOnly
    ? [
        {
          roleName: naming.readOnlyAccessRoleName,
          accessPolicy: PEOPLE_ACCESS_POLICIES.view,
          principals: [...access.readOnly],
        },
      ]
    : [];
  return [...teamRoles, ...readOnly];
}

/** Whether the environment gets the break-glass instance (`access.breakGlassBastion`, default off). */
export function wantsBreakGlassBastion(environment: Environment): boolean {
  return environment.access?.breakGlassBastion ?? false;
}
