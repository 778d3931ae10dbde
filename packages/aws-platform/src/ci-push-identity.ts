import {
  CI_SESSION_SECONDS,
  ciImagePushRoleName,
  ciServiceImagePushRoleName,
  type Organization,
  organizationBranchJobSubject,
  type Service,
  serviceImageJobSubject,
} from '@platform/model';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  GITHUB_OIDC_AUDIENCE,
  GITHUB_OIDC_ISSUER,
  importedGitHubOidcProvider,
  newGitHubOidcProvider,
} from './github-oidc';

export { GITHUB_OIDC_ISSUER };

export interface CiPushIdentityProps {
  readonly organization: Organization;
  /**
   * The services whose own repositories (`services[].ci`) push their images, each with a role of its own.
   * @default none: only the organization's repository
   */
  readonly services?: readonly Service[];
  /**
   * Whether the account already holds a GitHub OIDC provider (`organization.ci.existingOidcProviderAccounts`),
   * which is then imported by ARN instead of created.
   * @default false
   */
  readonly existingOidcProvider?: boolean;
}

/** A role that jobs with exactly this OIDC subject may assume through the provider, for two-hour sessions. */
function pushRole(
  scope: Construct,
  id: string,
  provider: iam.IOidcProvider,
  roleName: string,
  subject: string,
  description: string,
): iam.Role {
  return new iam.Role(scope, id, {
    roleName,
    maxSessionDuration: Duration.seconds(CI_SESSION_SECONDS),
    description,
    assumedBy: new iam.WebIdentityPrincipal(provider.oidcProviderArn, {
      StringEquals: {
        [`${GITHUB_OIDC_ISSUER}:aud`]: GITHUB_OIDC_AUDIENCE,
        [`${GITHUB_OIDC_ISSUER}:sub`]: subject,
      },
    }),
  });
}

/**
 * The roles GitHub Actions assumes to push images, and the GitHub OIDC provider of the shared-services account
 * (github-oidc.ts: one per account; the other stacks of this account import it). Each role trusts one repository's
 * protected branch, by its exact OIDC subject (delivery.ts): `role` the model's repository (`organization.ci`, whose
 * tokens carry the ref twice, ORGANIZATION_OIDC_SUBJECT_TEMPLATE), and `serviceRoles` one per service that names a
 * repository of its own (`services[].ci`, by default `repo:<owner>/<repo>:ref:refs/heads/<branch>`, `<owner>@<id>/<repo>@<id>` with its IDs). What each may
 * push to is granted by the registry (ImageRegistry.grantPush): a service's role its own repository only.
 */
export class CiPushIdentity extends Construct implements iam.IGrantable {
  /** The organization repository's role. */
  public readonly role: iam.Role;
  public readonly grantPrincipal: iam.IPrincipal;
  /** Per service name, the role of the service's own repository (only services with `ci`). */
  public readonly serviceRoles: ReadonlyMap<string, iam.Role>;
  /** The account's GitHub OIDC provider. */
  public readonly provider: iam.IOidcProvider;

  public constructor(scope: Construct, id: string, props: CiPushIdentityProps) {
    super(scope, id);
    const { githubRepository, branch } = props.organization.ci;
    this.provider = props.existingOidcProvider
      ? importedGitHubOidcProvider(this, 'GitHubOidcProvider')
      : newGitHubOidcProvider(this, 'GitHubOidcProvider');
    this.role = pushRole(
      this,
      'Role',
      this.provider,
      ciImagePushRoleName(props.organization),
      organizationBranchJobSubject(props.organization.ci),
      `GitHub Actions of ${githubRepository} on ${branch}: push the images of the services without a repository of their own`,
    );
    this.grantPrincipal = this.role;
    const serviceRoles = new Map<string, iam.Role>();
    for (const service of props.services ?? []) {
      if (!service.ci) continue;
      serviceRoles.set(
        service.name,
        pushRole(
          this,
          `Service-${service.name}`,
          this.provider,
          ciServiceImagePushRoleName(props.organization, service.name),
          serviceImageJobSubject(service.ci),
          `GitHub Actions of ${service.ci.githubRepository} on ${service.ci.branch}: push images of ${service.name}`,
        ),
      );
    }
    this.serviceRoles = serviceRoles;
  }
}
