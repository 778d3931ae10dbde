import type { PeopleRole } from '@platform/model';
import { Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** What `aws eks update-kubeconfig` calls to write a kubeconfig entry (AWS CLI v2, `eks update-kubeconfig`). */
export const KUBECONFIG_ACTIONS = ['eks:DescribeCluster'] as const;

export interface PeopleAccessProps {
  /** The cluster the roles reach. Its authentication mode must admit access entries (aws-eks-v2 sets `API`). */
  readonly cluster: eks.ICluster;
  /** The environment's people roles (`peopleRoles` of the model), one IAM role and access entry each. */
  readonly roles: readonly PeopleRole[];
}

/**
 * The IAM roles people assume to reach the cluster, each with an EKS access entry of its one access policy and
 * scope: a team's role edits the team's namespace only, the read-only role views the whole cluster.
 *
 * Trust: the environment's account, limited by `aws:PrincipalArn` (ArnLike) to the model's principal patterns,
 * since IAM Identity Center role names end in a random suffix and a trust policy's Principal takes no wildcard.
 * With the account as Principal, IAM also requires the caller's own policy (its permission set) to allow
 * sts:AssumeRole on the role (IAM user guide, "Cross-account policy evaluation" holds for same-account too when the
 * Principal is the account). Each role may describe the cluster (for `aws eks update-kubeconfig`) and nothing else
 * in AWS; what it may do in Kubernetes is its access policy, which EKS evaluates before Kubernetes RBAC.
 *
 * EKS ties an access entry to the role's unique ID (EKS user guide, access entries): the roles are named, so
 * CloudFormation cannot replace one silently; a role deleted outside the stack needs its entry recreated.
 */
export class PeopleAccess extends Construct {
  /** The role of each entry of `roles`, by role name. */
  public readonly roles: ReadonlyMap<string, iam.Role>;

  public constructor(scope: Construct, id: string, props: PeopleAccessProps) {
    super(scope, id);
    const account = Stack.of(this).account;
    const roles = new Map<string, iam.Role>();
    for (const person of props.roles) {
      // Construct IDs are the team's name or ReadOnly: a public contract, as a new ID replaces the role.
      const constructId = person.team ?? 'ReadOnly';
      const role = new iam.Role(this, constructId, {
        roleName: person.roleName,
        description:
          person.team === undefined
            ? `People view every namespace of ${props.cluster.clusterName}`
            : `People of team ${person.team} edit namespace ${person.namespaces?.join(', ')} of ${props.cluster.clusterName}`,
        assumedBy: new iam.AccountPrincipal(account).withConditions({
          ArnLike: { 'aws:PrincipalArn': [...person.principals] },
        }),
      });
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'WriteKubeconfig',
          actions: [...KUBECONFIG_ACTIONS],
          resources: [props.cluster.clusterArn],
        }),
      );
      new eks.AccessEntry(this, `${constructId}Entry`, {
        cluster: props.cluster,
        principal: role.roleArn,
        accessPolicies: [
          eks.AccessPolicy.fromAccessPolicyName(
            person.accessPolicy,
            person.namespaces === undefined
              ? { accessScopeType: eks.AccessScopeType.CLUSTER }
              : { accessScopeType: eks.AccessScopeType.NAMESPACE, namespaces: [...person.namespaces] },
          ),
        ],
      });
      roles.set(person.roleName, role);
    }
    this.roles = roles;
  }
}
