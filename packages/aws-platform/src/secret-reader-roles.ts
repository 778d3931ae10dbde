import { ADDON_SERVICE_ACCOUNTS, type SecretReader } from '@platform/model';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, type IConstruct } from 'constructs';
import { parameterArn, secretArn } from './resource-arns';

/** Secrets Manager actions External Secrets 1.3.2 calls to read one secret (providers/v1/aws/secretsmanager, `fetch`). */
export const SECRET_READ_ACTIONS = ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'] as const;

/** SSM action External Secrets 1.3.2 calls to read one parameter by name (providers/v1/aws/parameterstore, `GetSecret`). */
export const PARAMETER_READ_ACTIONS = ['ssm:GetParameter'] as const;

/**
 * Lets the grantee read exactly the named Secrets Manager secrets (full names; each ARN ends in the six random
 * characters Secrets Manager appends, never a prefix wildcard).
 */
export function grantSecretsRead(grantee: iam.IGrantable, scope: IConstruct, secretNames: readonly string[]): void {
  if (secretNames.length === 0) return;
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ReadSecrets',
      actions: [...SECRET_READ_ACTIONS],
      resources: secretNames.map((name) => secretArn(scope, name)),
    }),
  );
}

/** Lets the grantee read exactly the named SSM parameters (full names, with the leading `/`). */
export function grantParametersRead(
  grantee: iam.IGrantable,
  scope: IConstruct,
  parameterNames: readonly string[],
): void {
  if (parameterNames.length === 0) return;
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ReadParameters',
      actions: [...PARAMETER_READ_ACTIONS],
      resources: parameterNames.map((name) => parameterArn(scope, name)),
    }),
  );
}

export interface SecretReaderRolesProps {
  /** The environment's readers (`secretReaders` of the naming contract), one role each. */
  readonly readers: readonly SecretReader[];
  /** The External Secrets controller's Pod Identity role: the one principal that may assume the readers. */
  readonly controllerRole: iam.IRole;
  /** Name of the EKS cluster whose controller may assume the readers (a Pod Identity session tag). */
  readonly clusterName: string;
}

/**
 * One IAM role per namespace that reads secrets through External Secrets. External Secrets 1.3.2 authenticates a
 * SecretStore without `auth` through the AWS SDK's default chain, i.e. the controller's own EKS Pod Identity, and
 * then calls sts:AssumeRole into the store's `role` (providers/v1/aws/auth/auth.go, `createConfiguration`); the
 * IRSA path (`auth.jwt.serviceAccountRef`) needs an IAM OIDC provider and AssumeRoleWithWebIdentity, which Pod
 * Identity does not offer. So each role trusts only the controller's role, in this cluster, from its own service
 * account: Pod Identity's session tags are transitive (EKS user guide, pod-id-abac), they arrive as principal tags
 * and their passing needs sts:TagSession. The controller's role may assume these roles and nothing else.
 */
export class SecretReaderRoles extends Construct {
  /** The role of each reader, by namespace. */
  public readonly roles: ReadonlyMap<string, iam.Role>;

  public constructor(scope: Construct, id: string, props: SecretReaderRolesProps) {
    super(scope, id);
    const controller = ADDON_SERVICE_ACCOUNTS.externalSecrets;
    const roles = new Map<string, iam.Role>();
    for (const reader of props.readers) {
      const trusted = new iam.ArnPrincipal(props.controllerRole.roleArn).withConditions({
        StringEquals: {
          'aws:PrincipalTag/eks-cluster-name': props.clusterName,
          'aws:PrincipalTag/kubernetes-namespace': controller.namespace,
          'aws:PrincipalTag/kubernetes-service-account': controller.name,
        },
      });
      const role = new iam.Role(this, reader.namespace, {
        roleName: reader.roleName,
        description: `External Secrets reads the secrets of namespace ${reader.namespace} of ${props.clusterName}`,
        assumedBy: new iam.SessionTagsPrincipal(trusted),
      });
      grantSecretsRead(role, this, reader.secretNames);
      grantParametersRead(role, this, reader.parameterNames);
      roles.set(reader.namespace, role);
    }
    this.roles = roles;
    if (roles.size > 0) {
      props.controllerRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'AssumeSecretReaders',
          actions: ['sts:AssumeRole', 'sts:TagSession'],
          resources: [...roles.values()].map((role) => role.roleArn),
        }),
      );
    }
  }
}
