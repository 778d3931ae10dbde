import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { type CiDeployIdentityProps, ciBootstrapRole } from './ci-deploy-identity';

/** As the deploy identity's; `roleName` is naming.ts `ciPlanRoleName`, `githubEnvironment` delivery.ts `planGithubEnvironment`. */
export type CiPlanIdentityProps = CiDeployIdentityProps;

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
    this.role = ciBootstrapRole(this, props, {
      purpose: 'cdk diff (read only)',
      policyName: 'AssumeCdkLookupRole',
      bootstrapRoles: ['lookup'],
    });
  }
}
