import { CI_SESSION_SECONDS, deployJobSubject, type Organization, partitionOf } from '@platform/model';
import { DefaultStackSynthesizer, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_ISSUER } from './github-oidc';

/** Context key of the CDK bootstrap qualifier, as DefaultStackSynthesizer reads it. */
export const BOOTSTRAP_QUALIFIER_CONTEXT = '@aws-cdk/core:bootstrapQualifier';

/**
 * The bootstrap roles `cdk deploy` and `cdk diff` assume (aws-cdk-lib DefaultStackSynthesizer's default ARNs): the
 * deploy role (change sets, through the CloudFormation execution role), the file-publishing role (Lambda bundles to
 * the staging bucket) and the lookup role (reading the deployed templates and bootstrap version). The app has no
 * Docker image assets, so the image-publishing role is left out.
 */
export const CDK_BOOTSTRAP_ROLES = {
  deploy: DefaultStackSynthesizer.DEFAULT_DEPLOY_ROLE_ARN,
  filePublishing: DefaultStackSynthesizer.DEFAULT_FILE_ASSET_PUBLISHING_ROLE_ARN,
  lookup: DefaultStackSynthesizer.DEFAULT_LOOKUP_ROLE_ARN,
} as const;

/**
 * The ARNs of the CDK bootstrap roles of one account and region (`cdk bootstrap aws://<account>/<region>`).
 *
 * @param qualifier the bootstrap qualifier (`cdk bootstrap --qualifier`), by default `hnb659fds`
 */
export function cdkBootstrapRoleArns(account: string, region: string, qualifier: string): string[] {
  return (Object.keys(CDK_BOOTSTRAP_ROLES) as (keyof typeof CDK_BOOTSTRAP_ROLES)[]).map((role) =>
    cdkBootstrapRoleArn(role, account, region, qualifier),
  );
}

/** The ARN of one CDK bootstrap role of an account and region (see `cdkBootstrapRoleArns`). */
export function cdkBootstrapRoleArn(
  role: keyof typeof CDK_BOOTSTRAP_ROLES,
  account: string,
  region: string,
  qualifier: string,
): string {
  const values: Record<string, string> = {
    'AWS::Partition': partitionOf(region),
    'AWS::AccountId': account,
    'AWS::Region': region,
    Qualifier: qualifier,
  };
  return CDK_BOOTSTRAP_ROLES[role].replace(
    /\$\{([^}]+)\}/g,
    (placeholder, name: string) => values[name] ?? placeholder,
  );
}

export interface CiDeployIdentityProps {
  /** The GitHub OIDC provider of the stack's account. */
  readonly provider: iam.IOidcProvider;
  /** Name of the role (the naming contract's). */
  readonly roleName: string;
  /** This repository and its protected branch (`organization.ci`). */
  readonly ci: Organization['ci'];
  /** The GitHub Environment whose jobs may assume the role. */
  readonly githubEnvironment: string;
  /**
   * The bootstrap qualifier of the stack's account and region.
   * @default the context `@aws-cdk/core:bootstrapQualifier` (cdk.json), else `hnb659fds`, as DefaultStackSynthesizer
   */
  readonly bootstrapQualifier?: string;
}

/**
 * The role the deploy workflow assumes to run `cdk diff` and `cdk deploy` in the stack's account and region. Trusted
 * only for jobs of `ci.githubRepository` on `ci.branch` running in the GitHub Environment `githubEnvironment` (OIDC
 * subject `repo:<owner>/<repo>:environment:<name>:ref:refs/heads/<branch>` (`<owner>@<id>/<repo>@<id>` with the repository's IDs), delivery.ts `deployJobSubject`, matched
 * exactly, audience `sts.amazonaws.com`): a job of another ref gets nothing, whatever the GitHub Environment's
 * deployment branch rule admits. It may do one thing: assume the account's CDK bootstrap
 * roles (CDK_BOOTSTRAP_ROLES), which hold the permissions of a deployment.
 */
export class CiDeployIdentity extends Construct {
  public readonly role: iam.Role;

  public constructor(scope: Construct, id: string, props: CiDeployIdentityProps) {
    super(scope, id);
    this.role = ciBootstrapRole(this, props, {
      purpose: 'cdk deploy',
      policyName: 'AssumeCdkBootstrapRoles',
      bootstrapRoles: Object.keys(CDK_BOOTSTRAP_ROLES) as (keyof typeof CDK_BOOTSTRAP_ROLES)[],
    });
  }
}

/**
 * The role `Role` below `scope` that only jobs of `props.ci` in the GitHub Environment `props.githubEnvironment` may
 * assume (delivery.ts `deployJobSubject`, matched exactly), for two-hour sessions, allowed to assume exactly these
 * CDK bootstrap roles of the scope's account and region: what the deploy and plan identities share.
 */
export function ciBootstrapRole(
  scope: Construct,
  props: CiDeployIdentityProps,
  options: {
    /** What the role is for, in its description. */
    readonly purpose: string;
    readonly policyName: string;
    readonly bootstrapRoles: readonly (keyof typeof CDK_BOOTSTRAP_ROLES)[];
  },
): iam.Role {
  const stack = Stack.of(scope);
  const qualifier =
    props.bootstrapQualifier ??
    (scope.node.tryGetContext(BOOTSTRAP_QUALIFIER_CONTEXT) as string | undefined) ??
    DefaultStackSynthesizer.DEFAULT_QUALIFIER;
  return new iam.Role(scope, 'Role', {
    roleName: props.roleName,
    description: `GitHub Actions of ${props.ci.githubRepository} on ${props.ci.branch} in its GitHub Environment ${props.githubEnvironment}: ${options.purpose}`,
    maxSessionDuration: Duration.seconds(CI_SESSION_SECONDS),
    assumedBy: new iam.WebIdentityPrincipal(props.provider.oidcProviderArn, {
      StringEquals: {
        [`${GITHUB_OIDC_ISSUER}:aud`]: GITHUB_OIDC_AUDIENCE,
        [`${GITHUB_OIDC_ISSUER}:sub`]: deployJobSubject(props.ci, props.githubEnvironment),
      },
    }),
    inlinePolicies: {
      [options.policyName]: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            actions: ['sts:AssumeRole'],
            resources: options.bootstrapRoles.map((role) =>
              cdkBootstrapRoleArn(role, stack.account, stack.region, qualifier),
            ),
          }),
        ],
      }),
    },
  });
}
