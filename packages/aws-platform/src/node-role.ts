import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { acknowledge } from './acknowledge';

/** The AWS managed policies every EKS worker node needs: join the cluster, run the VPC CNI, pull images, SSM access. */
export const NODE_MANAGED_POLICIES = [
  'AmazonEKSWorkerNodePolicy',
  'AmazonEKS_CNI_Policy',
  'AmazonEC2ContainerRegistryReadOnly',
  'AmazonSSMManagedInstanceCore',
] as const;

export interface NodeRoleProps {
  readonly roleName?: string;
  readonly description: string;
}

/** An IAM role for EC2 worker nodes. */
export function createNodeRole(scope: Construct, id: string, props: NodeRoleProps): iam.Role {
  const role = new iam.Role(scope, id, {
    roleName: props.roleName,
    description: props.description,
    assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    managedPolicies: NODE_MANAGED_POLICIES.map((name) => iam.ManagedPolicy.fromAwsManagedPolicyName(name)),
  });
  for (const name of NODE_MANAGED_POLICIES) {
    acknowledge(
      role,
      `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`,
      `${name} is one of the policies EKS documents for worker nodes; AWS keeps it in step with what nodes need.`,
    );
  }
  return role;
}
