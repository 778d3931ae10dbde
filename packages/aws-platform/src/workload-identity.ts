import {
  ADDON_SERVICE_ACCOUNTS,
  type AddonWithIdentity,
  type EnvironmentNaming,
  type ServiceAccountRef,
} from '@platform/model';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface WorkloadIdentityProps {
  /** Name of the EKS cluster the service account lives in. */
  readonly clusterName: string;
  /** The one Kubernetes service account whose pods may assume the role. */
  readonly serviceAccount: ServiceAccountRef;
  /** Name of the IAM role, from the naming contract. */
  readonly roleName: string;
  readonly description: string;
  /**
   * Whether to bind the role to the service account here (`association`). Leave it off for a role that lives in a
   * stack deployed before the cluster's, and bind it in the cluster's stack with `associatePodIdentity`.
   * @default true
   */
  readonly associate?: boolean;
}

export interface PodIdentityAssociationProps {
  /** Name of the EKS cluster the service account lives in. */
  readonly clusterName: string;
  readonly serviceAccount: ServiceAccountRef;
  /** ARN of the role, which must trust `pods.eks.amazonaws.com` for this service account (`WorkloadIdentity`). */
  readonly roleArn: string;
}

/**
 * Binds a role to one service account of one cluster through EKS Pod Identity. EKS hands a pod the role's
 * credentials only if the association exists when the pod is created: whatever creates the pods (Argo CD's sync,
 * an EKS add-on) must come after it.
 */
export function associatePodIdentity(
  scope: Construct,
  id: string,
  props: PodIdentityAssociationProps,
): eks.CfnPodIdentityAssociation {
  return new eks.CfnPodIdentityAssociation(scope, id, {
    clusterName: props.clusterName,
    namespace: props.serviceAccount.namespace,
    serviceAccount: props.serviceAccount.name,
    roleArn: props.roleArn,
  });
}

/**
 * An IAM role that exactly one Kubernetes service account of one cluster assumes through EKS Pod
 * Identity: the association binds it, the trust policy admits no other. The role starts with no
 * permissions; grant them with `grantPrincipal` or `addToPolicy`.
 */
export class WorkloadIdentity extends Construct implements iam.IGrantable {
  public readonly role: iam.Role;
  public readonly grantPrincipal: iam.IPrincipal;
  /** The binding to the service account; none when `associate` is false. */
  public readonly association?: eks.CfnPodIdentityAssociation;

  public constructor(scope: Construct, id: string, props: WorkloadIdentityProps) {
    super(scope, id);
    // EKS Pod Identity passes the cluster, namespace and service account as session tags: the
    // trust policy admits only this one, so another association with this role gets no credentials.
    const podIdentity = new iam.ServicePrincipal('pods.eks.amazonaws.com').withConditions({
      StringEquals: {
        'aws:RequestTag/eks-cluster-name': props.clusterName,
        'aws:RequestTag/kubernetes-namespace': props.serviceAccount.namespace,
        'aws:RequestTag/kubernetes-service-account': props.serviceAccount.name,
      },
    });
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: props.description,
      assumedBy: new iam.SessionTagsPrincipal(podIdentity),
    });
    this.grantPrincipal = this.role;
    if (props.associate ?? true) {
      this.association = associatePodIdentity(this, 'Association', {
        clusterName: props.clusterName,
        serviceAccount: props.serviceAccount,
        roleArn: this.role.roleArn,
      });
    }
  }

  public addToPolicy(statement: iam.PolicyStatement): void {
    this.role.addToPrincipalPolicy(statement);
  }
}

export interface AddonIdentityProps {
  /** The add-on, whose service account (ADDON_SERVICE_ACCOUNTS) and role name (`addonRoleName`) the contract gives. */
  readonly addon: AddonWithIdentity;
  readonly naming: EnvironmentNaming;
  /** Name of the cluster the add-on runs in. @default the naming contract's `clusterName` */
  readonly clusterName?: string;
  /** Whether to bind the role here (WorkloadIdentityProps.associate). @default true */
  readonly associate?: boolean;
}

/** The identity of a platform add-on: its service account and role name from the naming contract. */
export function addonIdentity(scope: Construct, id: string, props: AddonIdentityProps): WorkloadIdentity {
  const { addon, naming } = props;
  const serviceAccount = ADDON_SERVICE_ACCOUNTS[addon];
  return new WorkloadIdentity(scope, id, {
    clusterName: props.clusterName ?? naming.clusterName,
    serviceAccount,
    roleName: naming.addonRoleName(addon),
    description: `${serviceAccount.name} of ${naming.clusterName}`,
    associate: props.associate,
  });
}
