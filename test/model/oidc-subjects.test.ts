import { githubOidcSubject, oidcSubjectCustomizationCommand, serviceImageJobSubject } from '@platform/model';

/**
 * The subjects GitHub writes (GitHub Docs, "OpenID Connect reference", "Customizing the subject claims"): the claims
 * of the template in its order, each `<key>:<value>`; a job that runs a reusable workflow carries it as
 * `job_workflow_ref:<owner>/<repo>/<path>@<ref>`.
 */
const platform = { githubRepository: 'acme/platform' };
const service = { githubRepository: 'acme/orders', branch: 'main' };

test("a service repository's image job is trusted, by default, only while it runs the platform's service image workflow", () => {
  expect(serviceImageJobSubject(service, platform)).toBe(
    'repo:acme/orders:ref:refs/heads/main:job_workflow_ref:acme/platform/.github/workflows/service-image.yml@*',
  );
  expect(serviceImageJobSubject({ ...service, githubRepositoryOwnerId: 7, githubRepositoryId: 8 }, platform)).toBe(
    'repo:acme@7/orders@8:ref:refs/heads/main:job_workflow_ref:acme/platform/.github/workflows/service-image.yml@*',
  );
});

test('a repository that opts out trusts its branch by the default subject, or the ref template', () => {
  expect(serviceImageJobSubject({ ...service, oidcSubject: 'default' }, platform)).toBe(
    'repo:acme/orders:ref:refs/heads/main',
  );
  expect(serviceImageJobSubject({ ...service, oidcSubject: 'repo-context-ref' }, platform)).toBe(
    'repo:acme/orders:ref:refs/heads/main:ref:refs/heads/main',
  );
});

test('a template that names the reusable workflow needs one', () => {
  expect(() =>
    githubOidcSubject({ source: service, template: 'repo-context-job-workflow-ref', branch: 'main' }),
  ).toThrow(/repo-context-job-workflow-ref.*job_workflow_ref/);
});

test('the one-time command sets the template that names the workflow', () => {
  expect(oidcSubjectCustomizationCommand(service, 'repo-context-job-workflow-ref')).toBe(
    "gh api --method PUT repos/acme/orders/actions/oidc/customization/sub -F use_default=false -f 'include_claim_keys[]=repo' -f 'include_claim_keys[]=context' -f 'include_claim_keys[]=job_workflow_ref'",
  );
});
