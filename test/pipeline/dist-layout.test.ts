import { loadModel, ModelValidationError, platformModelInput, RESERVED_DIST_FOLDERS } from '@platform/model';

describe('the folders of dist/', () => {
  it.each(RESERVED_DIST_FOLDERS)("that are not environments ('%s') are no environment's name", (folder) => {
    const model = structuredClone(platformModelInput) as typeof platformModelInput;
    model.environments[0].name = folder;

    let issues: ModelValidationError['issues'] = [];
    try {
      loadModel(model);
    } catch (error) {
      if (!(error instanceof ModelValidationError)) throw error;
      issues = error.issues;
    }

    expect(issues).toContainEqual({
      path: `environments.${folder}.name`,
      message: expect.stringMatching(new RegExp(`^'${folder}' is reserved: dist/${folder}/ holds`)),
    });
  });
});
