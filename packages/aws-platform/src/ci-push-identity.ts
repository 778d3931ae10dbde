import type { Organization } from '@platform/model';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** GitHub Actions' OIDC issuer. */
export const GITHUB_OIDC_ISSUER = 'token.actions.githubusercontent.com';

export interface CiPushIdentityProps {
  readonly organization: Organization;
}

/**
 * The role GitHub Actions assumes to push images: trusted through GitHub's OIDC provider, and only
 * for workflows of the model's repository running on the model's branch.
 */
export class CiPushIdentity extends Construct implements iam.IGrantable {
  public readonly role: iam.Role;
  public readonly grantPrincipal: iam.IPrincipal;

  public constructor(scope: Construct, id: string, props: CiPushIdentityProps) {
    super(scope, id);
    const { githubRepository, branch } = props.organization.ci;
    const provider = new iam.OidcProviderNative(this, 'GitHubOidcProvider', {
      url: `https://${GITHUB_OIDC_ISSUER}`,
      clientIds: ['sts.amazonaws.com'],
    });
    this.role = new iam.Role(this, 'Role', {
      roleName: `${props.organization.name}-ci-image-push`,
      description: `GitHub Actions of ${githubRepository} on ${branch}: push service images`,
      assumedBy: new iam.WebIdentityPrincipal(provider.oidcProviderArn, {
        StringEquals: {
          [`${GITHUB_OIDC_ISSUER}:aud`]: 'sts.amazonaws.com',
          [`${GITHUB_OIDC_ISSUER}:sub`]: `repo:${githubRepository}:ref:refs/heads/${branch}`,
        },
      }),
    });
    this.grantPrincipal = this.role;
  }
}
