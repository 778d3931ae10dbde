import { loadModel, type PlatformModel, validateModel } from '@platform/model';
import { draftModel, PROJECT_CONTEXT } from './support/drafts';

/**
 * The model's backup settings (`environments[].backup`): optional, checked field by field with an error that names
 * the environment and field and says what is allowed.
 */

const issuesOf = (model: PlatformModel) => validateModel(model, PROJECT_CONTEXT).issues;
const withBackup = (backup: unknown, index = 0) => {
  const model = draftModel();
  (model.environments[index] as { backup?: unknown }).backup = backup;
  return model;
};

describe('environments[].backup', () => {
  it('may be left out, in whole or in part', () => {
    expect(issuesOf(withBackup(undefined))).toEqual([]);
    expect(issuesOf(withBackup({}))).toEqual([]);
    expect(issuesOf(withBackup({ retentionDays: 14 }))).toEqual([]);
  });

  it.each([1, 2, 3, 4, 6, 8, 12, 24])('accepts an interval of %i hours, which divides a day', (hours) => {
    expect(issuesOf(withBackup({ teamNamespacesEveryHours: hours, clusterEveryHours: hours }))).toEqual([]);
  });

  it.each([5, 7, 0, 48, 2.5, -2])(
    'refuses an interval of %s hours, naming the place and the allowed values',
    (hours) => {
      const model = withBackup({ clusterEveryHours: hours }, 1);
      const environment = model.environments[1].name;
      expect(issuesOf(model)).toEqual([
        {
          path: `environments.${environment}.backup.clusterEveryHours`,
          message: expect.stringMatching(/one of 1, 2, 3, 4, 6, 8, 12, 24/),
        },
      ]);
    },
  );

  it.each([0, 366, 1.5])('refuses a retention of %s days', (days) => {
    const model = withBackup({ retentionDays: days });
    expect(issuesOf(model)).toEqual([
      {
        path: `environments.${model.environments[0].name}.backup.retentionDays`,
        message: expect.stringMatching(/days/),
      },
    ]);
  });

  it('refuses a field it does not know', () => {
    const model = withBackup({ teamNamespacesEveryHour: 2 });
    const paths = issuesOf(model).map((issue) => issue.path);
    expect(paths).toEqual([`environments.${model.environments[0].name}.backup`]);
  });

  it('keeps what the model gives through validation', () => {
    const loaded = loadModel(withBackup({ teamNamespacesEveryHours: 6, retentionDays: 7 }), PROJECT_CONTEXT);
    expect(loaded.environments[0].backup).toEqual({ teamNamespacesEveryHours: 6, retentionDays: 7 });
  });
});

describe('the backup bucket name', () => {
  it('is refused when the organization and environment names make it longer than S3 allows', () => {
    const model = draftModel();
    model.organization.name = 'o'.repeat(12);
    model.environments[0].name = 'e'.repeat(32);
    const bucket = `${model.organization.name}-${'e'.repeat(32)}-backups-${model.environments[0].account}`;
    expect(bucket.length).toBeGreaterThan(63);
    expect(issuesOf(model)).toContainEqual({
      path: `environments.${'e'.repeat(32)}.name`,
      message: `derived name too long: S3 bucket '${bucket}' (max 63); shorten the organization, environment or service name`,
    });
  });
});
