import { ADDON_SERVICE_ACCOUNTS, type SecretReader } from '@platform/model';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, type IConstruct } from 'constructs';
import { acknowledgeWildcards } from './acknowledge';
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

export interface SecretReaderRoleProps {
  /** The reader (`serviceSecretReader` or `platformSecretReaders` of the naming contract): name, path and reads. */
  readonly reader: SecretReader;
  /**
   * ARN of the External Secrets controller's Pod Identity role (`EnvironmentNaming.addonRoleArn('externalSecrets')`,
   * or the role's own ARN in its stack): the one principal that may assume the reader.
   */
  readonly controllerRoleArn: string;
  /** Name of the EKS cluster whose controller may assume the reader (a Pod Identity session tag). */
  readonly clusterName: string;
}

/**
 * The IAM role External Secrets assumes for the SecretStores of one reader (a service, or a platform namespace).
 * External Secrets 1.3.2 authenticates a SecretStore without `auth` through the AWS SDK's default chain, i.e. the
 * controller's own EKS Pod Identity, and then calls sts:AssumeRole into the store's `role`
 * (providers/v1/aws/auth/auth.go, `createConfiguration`); the IRSA path (`auth.jwt.serviceAccountRef`) needs an IAM
 * OIDC provider and AssumeRoleWithWebIdentity, which Pod Identity does not offer. So the role trusts only the
 * controller's role, in this cluster, from its own service account: Pod Identity's session tags are transitive (EKS
 * user guide, pod-id-abac), they arrive as principal tags and their passing needs sts:TagSession. Its policy lists
 * the reader's secrets and parameters exactly, so it is as long as one reader's data stores make it.
 */
export class SecretReaderRole extends iam.Role {
  public constructor(scope: Construct, id: string, props: SecretReaderRoleProps) {
    const { reader } = props;
    const controller = ADDON_SERVICE_ACCOUNTS.externalSecrets;
    // A role named by ARN is resolved to its unique ID when the trust policy is saved: the controller role must exist.
    const trusted = new iam.ArnPrincipal(props.controllerRoleArn).withConditions({
      StringEquals: {
        'aws:PrincipalTag/eks-cluster-name': props.clusterName,
        'aws:PrincipalTag/kubernetes-namespace': controller.namespace,
        'aws:PrincipalTag/kubernetes-service-account': controller.name,
      },
    });
    const of = reader.service === undefined ? `namespace ${reader.namespace}` : `service ${reader.service}`;
    super(scope, id, {
      roleName: reader.roleName,
      // Only a path other than `/` is written, so a platform reader's template stays as it was.
      ...(reader.rolePath === '/' ? {} : { path: reader.rolePath }),
      description: `External Secrets reads the secrets of ${of} of ${props.clusterName}`,
      assumedBy: new iam.SessionTagsPrincipal(trusted),
    });
    grantSecretsRead(this, this, reader.secretNames);
    grantParametersRead(this, this, reader.parameterNames);
  }
}

export interface SecretReaderRolesProps {
  /** The platform namespaces' readers (`platformSecretReaders` of the naming contract), one role each. */
  readonly readers: readonly SecretReader[];
  /** The External Secrets controller's Pod Identity role: the one principal that may assume the readers. */
  readonly controllerRole: iam.Role;
  /** Name of the EKS cluster whose controller may assume the readers (a Pod Identity session tag). */
  readonly clusterName: string;
  /**
   * ARN pattern of the services' readers, which live in the services' stacks (`SecretReaderRole`):
   * `EnvironmentNaming.serviceSecretReaderArnPattern`, whose path only those roles have.
   */
  readonly serviceReaderArnPattern: string;
}

/**
 * The platform namespaces' reader roles (`SecretReaderRole`), and the controller's permission to assume them and the
 * services' readers. The services' readers are granted by their path's ARN pattern, so this policy has the same
 * length however many services exist, and adding a service changes nothing here; each reader's own trust still
 * names the controller alone. The controller's role may assume these roles and nothing else.
 */
export class SecretReaderRoles extends Construct {
  /** The role of each platform reader, by namespace. */
  public readonly roles: ReadonlyMap<string, iam.Role>;

  public constructor(scope: Construct, id: string, props: SecretReaderRolesProps) {
    super(scope, id);
    const roles = new Map<string, iam.Role>();
    for (const reader of props.readers) {
      const role = new SecretReaderRole(this, reader.namespace, {
        reader,
        controllerRoleArn: props.controllerRole.roleArn,
        clusterName: props.clusterName,
      });
      roles.set(reader.namespace, role);
    }
    this.roles = roles;
    props.controllerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeSecretReaders',
        actions: ['sts:AssumeRole', 'sts:TagSession'],
        resources: [...[...roles.values()].map((role) => role.roleArn), props.serviceReaderArnPattern],
      }),
    );
    acknowledgeWildcards(
      props.controllerRole,
      "The wildcard stands for the services' secret reader roles, which alone have this IAM path (naming contract); each trusts only this role, from this cluster's External Secrets service account.",
    );
  }
}
