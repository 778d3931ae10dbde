import {
  CI_SESSION_SECONDS,
  ciImagePushRoleName,
  githubBranchSubject,
  type Organization,
  type Service,
} from '@platform/model';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_ISSUER, newGitHubOidcProvider } from './github-oidc';

export { GITHUB_OIDC_ISSUER };

export interface CiPushIdentityProps {
  readonly organization: Organization;
  /**
   * The services whose own repositories (`services[].ci`) may push images too.
   * @default none: only the organization's repository
   */
  readonly services?: readonly Service[];
}

/**
 * The role GitHub Actions assumes to push images, and the GitHub OIDC provider of the shared-services account
 * (github-oidc.ts: one per account; the other stacks of this account import it). Trusted only for workflows on the
 * protected branch of the model's repository (`organization.ci`) and of each service repository the model names
 * (`services[].ci`): OIDC subjects `repo:<owner>/<repo>:ref:refs/heads/<branch>`, matched exactly.
 */
export class CiPushIdentity extends Construct implements iam.IGrantable {
  public readonly role: iam.Role;
  public readonly grantPrincipal: iam.IPrincipal;
  /** The account's GitHub OIDC provider. */
  public readonly provider: iam.IOidcProvider;

  public constructor(scope: Construct, id: string, props: CiPushIdentityProps) {
    super(scope, id);
    const { githubRepository, branch } = props.organization.ci;
    this.provider = newGitHubOidcProvider(this, 'GitHubOidcProvider');
    const sources = [props.organization.ci, ...(props.services ?? []).flatMap((service) => service.ci ?? [])];
    const subjects = [...new Set(sources.map((source) => githubBranchSubject(source.githubRepository, source.branch)))];
    const [first, ...others] = subjects;
    this.role = new iam.Role(this, 'Role', {
      roleName: ciImagePushRoleName(props.organization),
      maxSessionDuration: Duration.seconds(CI_SESSION_SECONDS),
      description:
        others.length === 0
          ? `GitHub Actions of ${githubRepository} on ${branch}: push service images`
          : `GitHub Actions of ${githubRepository} and the service repositories on their protected branches: push service images`,
      assumedBy: new iam.WebIdentityPrincipal(this.provider.oidcProviderArn, {
        StringEquals: {
          [`${GITHUB_OIDC_ISSUER}:aud`]: GITHUB_OIDC_AUDIENCE,
          // One subject stays a string, so a model without service repositories keeps its trust policy unchanged.
          [`${GITHUB_OIDC_ISSUER}:sub`]: others.length === 0 ? first : [first, ...others].sort(),
        },
      }),
    });
    this.grantPrincipal = this.role;
  }
}
