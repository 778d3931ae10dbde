import {
  loadModel,
  ModelValidationError,
  planGithubEnvironment,
  platformModelInput,
  RESERVED_DIST_FOLDERS,
  SHARED_SERVICES_DEPLOYMENT,
} from '@platform/model';

function issuesOfEnvironmentNamed(name: string): ModelValidationError['issues'] {
  const model = structuredClone(platformModelInput) as typeof platformModelInput;
  model.environments[0].name = name;
  try {
    loadModel(model);
  } catch (error) {
    if (!(error instanceof ModelValidationError)) throw error;
    return error.issues;
  }
  return [];
}

describe('the names no environment may take', () => {
  it.each(RESERVED_DIST_FOLDERS)("the folders of dist/ that are not environments ('%s')", (folder) => {
    const issues = issuesOfEnvironmentNamed(folder);

    expect(issues).toContainEqual({
      path: `environments.${folder}.name`,
      message: expect.stringMatching(new RegExp(`^'${folder}' is reserved: dist/${folder}/ holds`)),
    });
  });

  it("the GitHub Environment of the shared-services deployment is no environment's name", () => {
    expect(issuesOfEnvironmentNamed(SHARED_SERVICES_DEPLOYMENT)).toContainEqual({
      path: `environments.${SHARED_SERVICES_DEPLOYMENT}.name`,
      message: expect.stringMatching(/is reserved: the deploy workflow deploys the shared-services stack/),
    });
  });

  it("the GitHub Environment of any environment's plan job is no environment's name", () => {
    // Whichever environment it would be the plan of: the first's name taken by another, or none's.
    const [, second] = platformModelInput.environments;
    for (const name of [planGithubEnvironment(second.name), planGithubEnvironment('elsewhere')]) {
      expect(issuesOfEnvironmentNamed(name)).toContainEqual({
        path: `environments.${name}.name`,
        message: expect.stringMatching(/is reserved: the deploy workflow runs each environment's plan job/),
      });
    }
  });
});
