import { CI_SESSION_SECONDS, deployJobSubject, type Organization } from '@platform/model';
import { DefaultStackSynthesizer, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { BOOTSTRAP_QUALIFIER_CONTEXT, cdkBootstrapRoleArn } from './ci-deploy-identity';
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_ISSUER } from './github-oidc';

export interface CiPlanIdentityProps {
  /** The GitHub OIDC provider of the stack's account. */
  readonly provider: iam.IOidcProvider;
  /** Name of the role (naming.ts `ciPlanRoleName`). */
  readonly roleName: string;
  /** This repository and its protected branch (`organization.ci`). */
  readonly ci: Organization['ci'];
  /** The GitHub Environment of the plan jobs that may assume the role (delivery.ts `planGithubEnvironment`). */
  readonly githubEnvironment: string;
  /**
   * The bootstrap qualifier of the stack's account and region.
   * @default the context `@aws-cdk/core:bootstrapQualifier` (cdk.json), else `hnb659fds`, as DefaultStackSynthesizer
   */
  readonly bootstrapQualifier?: string;
}

/**
 * The role the deploy workflow's plan job assumes to run `cdk diff --method template` in the stack's account and
 * region before the deploy job's approval. Trusted only for jobs of `ci.githubRepository` on `ci.branch` running in
 * the GitHub Environment `githubEnvironment` (OIDC subject
 * `repo:<owner>/<repo>:environment:<name>:ref:refs/heads/<branch>` (`<owner>@<id>/<repo>@<id>` with the repository's IDs), delivery.ts `deployJobSubject`, matched exactly,
 * audience `sts.amazonaws.com`), which has no reviewers, so it may do one thing only: assume the account's CDK bootstrap
 * lookup role, through which the CLI reads the deployed templates (aws-cdk CLI 2.1148.1: `cdk diff` with
 * `--method template` reads them with the lookup role; the bootstrap template gives that role ReadOnlyAccess and
 * denies it `kms:Decrypt`). No deploy role, no file-publishing role, no change set.
 */
export class CiPlanIdentity extends Construct {
  public readonly role: iam.Role;

  public constructor(scope: Construct, id: string, props: CiPlanIdentityProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const qualifier =
      props.bootstrapQualifier ??
      (this.node.tryGetContext(BOOTSTRAP_QUALIFIER_CONTEXT) as string | undefined) ??
      DefaultStackSynthesizer.DEFAULT_QUALIFIER;
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: `GitHub Actions of ${props.ci.githubRepository} on ${props.ci.branch} in its GitHub Environment ${props.githubEnvironment}: cdk diff (read only)`,
      maxSessionDuration: Duration.seconds(CI_SESSION_SECONDS),
      assumedBy: new iam.WebIdentityPrincipal(props.provider.oidcProviderArn, {
        StringEquals: {
          [`${GITHUB_OIDC_ISSUER}:aud`]: GITHUB_OIDC_AUDIENCE,
          [`${GITHUB_OIDC_ISSUER}:sub`]: deployJobSubject(props.ci, props.githubEnvironment),
        },
      }),
      inlinePolicies: {
        AssumeCdkLookupRole: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['sts:AssumeRole'],
              resources: [cdkBootstrapRoleArn('lookup', stack.account, stack.region, qualifier)],
            }),
          ],
        }),
      },
    });
  }
}
