import {
  CI_SESSION_SECONDS,
  ciImagePushRoleName,
  ciServiceImagePushRoleName,
  isSubjectPattern,
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
import { grantImagePush } from './image-registry';

export { GITHUB_OIDC_ISSUER };

export interface CiPushIdentityProps {
  readonly organization: Organization;
  /**
   * Whether the account already holds a GitHub OIDC provider (`organization.ci.existingOidcProviderAccounts`),
   * which is then imported by ARN instead of created.
   * @default false
   */
  readonly existingOidcProvider?: boolean;
}

/**
 * A role that jobs with this OIDC subject may assume through the provider, for two-hour sessions: by `StringEquals`,
 * or by `StringLike` when the subject is a pattern (delivery.ts `isSubjectPattern`). IAM matches a GitHub token by
 * its `aud` and `sub` only (no other claim of a generic OIDC provider is a condition key; GitHub Docs, "Configuring
 * OpenID Connect in Amazon Web Services"), so whatever else the role requires must be in the subject.
 */
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
    assumedBy: new iam.WebIdentityPrincipal(
      provider.oidcProviderArn,
      isSubjectPattern(subject)
        ? {
            StringEquals: { [`${GITHUB_OIDC_ISSUER}:aud`]: GITHUB_OIDC_AUDIENCE },
            StringLike: { [`${GITHUB_OIDC_ISSUER}:sub`]: subject },
          }
        : {
            StringEquals: {
              [`${GITHUB_OIDC_ISSUER}:aud`]: GITHUB_OIDC_AUDIENCE,
              [`${GITHUB_OIDC_ISSUER}:sub`]: subject,
            },
          },
    ),
  });
}

/**
 * The role GitHub Actions of the model's repository (`organization.ci`) assumes to push images, and the GitHub OIDC
 * provider of the shared-services account (github-oidc.ts: one per account; the other stacks of this account import
 * it). The role trusts the repository's protected branch by its exact OIDC subject (delivery.ts
 * `organizationBranchJobSubject`; its tokens carry the ref twice, ORGANIZATION_OIDC_SUBJECT_TEMPLATE). What it may push
 * to is granted by `grantImagePush`: the repositories of the services without a repository of their own (a service's
 * own repository pushes with its `CiServicePushIdentity`).
 */
export class CiPushIdentity extends Construct implements iam.IGrantable {
  /** The organization repository's role. */
  public readonly role: iam.Role;
  public readonly grantPrincipal: iam.IPrincipal;
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
    grantImagePush(this.role, props.organization);
  }
}

export interface CiServicePushIdentityProps {
  readonly organization: Organization;
  /** The service; it must name its own repository (`services[].ci`). */
  readonly service: Service;
  /** The GitHub OIDC provider of the shared-services account. */
  readonly provider: iam.IOidcProvider;
}

/**
 * The role the protected branch of a service's own repository (`services[].ci`) assumes to push that service's images,
 * when its job runs this repository's service image workflow: trusted by its OIDC subject (delivery.ts
 * `serviceImageJobSubject`: by default, `StringLike`
 * `repo:<owner>/<repo>:ref:refs/heads/<branch>:job_workflow_ref:<organization.ci.githubRepository>/.github/workflows/service-image.yml@*`,
 * `<owner>@<id>/<repo>@<id>` with the repository's IDs; with `oidcSubject: 'default'`, exactly
 * `repo:<owner>/<repo>:ref:refs/heads/<branch>`, any workflow of the branch), allowed to push to the service's
 * repository only (`grantImagePush`). It lives in the repository's stack, so the shared-services stack does not grow
 * with the catalog.
 *
 * @throws Error when the service names no repository of its own
 */
export class CiServicePushIdentity extends Construct implements iam.IGrantable {
  public readonly role: iam.Role;
  public readonly grantPrincipal: iam.IPrincipal;

  public constructor(scope: Construct, id: string, props: CiServicePushIdentityProps) {
    super(scope, id);
    const { organization, service } = props;
    if (!service.ci) throw new Error(`CiServicePushIdentity: the service '${service.name}' has no repository (ci)`);
    this.role = pushRole(
      this,
      'Role',
      props.provider,
      ciServiceImagePushRoleName(organization, service.name),
      serviceImageJobSubject(service.ci, organization.ci),
      `GitHub Actions of ${service.ci.githubRepository} on ${service.ci.branch}: push images of ${service.name}`,
    );
    this.grantPrincipal = this.role;
    grantImagePush(this.role, organization, service.name);
  }
}
