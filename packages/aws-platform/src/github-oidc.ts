import { GITHUB_OIDC_AUDIENCE } from '@platform/model';
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/** GitHub Actions' OIDC issuer (GitHub Docs, "OpenID Connect reference"): the provider's URL without `https://`. */
export const GITHUB_OIDC_ISSUER = 'token.actions.githubusercontent.com';

/** The audience aws-actions/configure-aws-credentials requests (delivery.ts), which the provider and every trust policy name. */
export { GITHUB_OIDC_AUDIENCE };

/**
 * The GitHub OIDC provider of the scope's account, which another stack of that account creates (the model's
 * `githubOidcProviderStacks`: IAM holds one provider per URL per account): imported by its ARN, which IAM derives
 * from the URL, `arn:<partition>:iam::<account>:oidc-provider/token.actions.githubusercontent.com`.
 */
export function importedGitHubOidcProvider(scope: Construct, id: string): iam.IOidcProvider {
  const arn = Stack.of(scope).formatArn({
    service: 'iam',
    region: '',
    resource: 'oidc-provider',
    resourceName: GITHUB_OIDC_ISSUER,
  });
  return iam.OidcProviderNative.fromOidcProviderArn(scope, id, arn);
}

/** A new GitHub OIDC provider in the scope's account; the account must have none yet. */
export function newGitHubOidcProvider(scope: Construct, id: string): iam.IOidcProvider {
  return new iam.OidcProviderNative(scope, id, {
    url: `https://${GITHUB_OIDC_ISSUER}`,
    clientIds: [GITHUB_OIDC_AUDIENCE],
  });
}
