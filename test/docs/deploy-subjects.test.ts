import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deployJobSubject, loadPlatformModel, planGithubEnvironment } from '@platform/model';

/**
 * The OIDC subjects docs/aws.md quotes for this repository's deploy and plan roles are the ones the roles trust
 * (delivery.ts `deployJobSubject`), written with the model's fields as placeholders.
 */

const ROOT = join(__dirname, '..', '..');
const page = readFileSync(join(ROOT, 'docs', 'aws.md'), 'utf8');

const REPOSITORY = '<organization.ci.githubRepository>';
const BRANCH = '<organization.ci.branch>';
const ci = { ...loadPlatformModel().organization.ci, githubRepository: REPOSITORY, branch: BRANCH };
delete (ci as { githubRepositoryOwnerId?: number }).githubRepositoryOwnerId;
delete (ci as { githubRepositoryId?: number }).githubRepositoryId;

/** Every code span of the page that is a subject of this repository's jobs in a GitHub Environment. */
const quoted = [...page.matchAll(/`(repo:<organization\.ci\.githubRepository>:environment:[^`]*)`/g)].map(
  ([, subject]) => subject,
);

describe("docs/aws.md's subjects of the deploy and plan roles", () => {
  it('quotes the deploy roles and the plan roles', () => {
    const environments = quoted.map((subject) => subject.split(':')[3]);
    expect(environments).toEqual(expect.arrayContaining(['<name>', planGithubEnvironment('<env>')]));
  });

  it.each(quoted)('%s is the subject the role trusts', (subject) => {
    const githubEnvironment = subject.split(':')[3];
    expect(subject).toBe(deployJobSubject(ci, githubEnvironment));
  });
});
