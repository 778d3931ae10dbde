import {
  type Environment,
  EnvironmentNaming,
  environmentStackId,
  githubOidcProviderStacks,
  type PlatformModel,
  planGithubEnvironment,
} from '@platform/model';
import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { CiDeployIdentity } from '../ci-deploy-identity';
import { CiPlanIdentity } from '../ci-plan-identity';
import { importedGitHubOidcProvider, newGitHubOidcProvider } from '../github-oidc';
import { tagResources } from '../platform-tags';

export interface CiStackProps extends StackProps {
  readonly model: PlatformModel;
  readonly environment: Environment;
}

/**
 * The deploy and plan roles of one environment, in its account, and that account's GitHub OIDC provider when no other
 * stack creates it (`githubOidcProviderStacks`) and it does not exist already
 * (`organization.ci.existingOidcProviderAccounts`). Deployed by hand once; afterwards the deploy workflow deploys it
 * first.
 */
export class CiStack extends Stack {
  public readonly deployIdentity: CiDeployIdentity;
  /** The role the deploy workflow's plan job runs `cdk diff` with, before the deploy job's approval. */
  public readonly planIdentity: CiPlanIdentity;
  /** Whether this stack creates its account's GitHub OIDC provider (else it imports it). */
  public readonly ownsOidcProvider: boolean;

  public constructor(scope: Construct, id: string, props: CiStackProps) {
    super(scope, id, props);
    const { model, environment } = props;
    const naming = new EnvironmentNaming(model.organization, environment);
    this.ownsOidcProvider =
      githubOidcProviderStacks(model).get(environment.account) === environmentStackId(environment.name, 'ci');
    const provider: iam.IOidcProvider = this.ownsOidcProvider
      ? newGitHubOidcProvider(this, 'GitHubOidcProvider')
      : importedGitHubOidcProvider(this, 'GitHubOidcProvider');
    this.deployIdentity = new CiDeployIdentity(this, 'DeployIdentity', {
      provider,
      roleName: naming.ciDeployRoleName,
      ci: model.organization.ci,
      githubEnvironment: environment.name,
    });
    this.planIdentity = new CiPlanIdentity(this, 'PlanIdentity', {
      provider,
      roleName: naming.ciPlanRoleName,
      ci: model.organization.ci,
      githubEnvironment: planGithubEnvironment(environment.name),
    });
    tagResources(this, environment.name, environment.tags);
  }
}
