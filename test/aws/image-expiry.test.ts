import { ImageRepositoryStack } from '@platform/aws-platform';
import { ecrRepositoryName, loadPlatformModel, type PlatformModel, referencedImages } from '@platform/model';
import { Template } from 'aws-cdk-lib/assertions';
import fc from 'fast-check';
import { QUICK_SEED } from '../properties/support/property-runs';
import { testCdkApp } from '../support/cdk-app';
import { expiredImages, patternMatches, type RegistryImage } from '../support/ecr-lifecycle';
import { platformModelArbitrary } from '../support/model-arbitrary';

/**
 * The lifecycle policy of every repository, run through ECR's evaluation (test/support/ecr-lifecycle.ts) against a
 * repository that holds every image the model references, pushed first (the oldest), half of them also carrying a
 * build tag, releases no model references any more (a rollback's target), with and without a build tag, then
 * hundreds of newer CI builds and untagged leftovers. Nothing the model references and no release image may
 * expire; the old builds and untagged images must.
 */

const TODAY = 1000;
const NEWER_BUILDS = 300;
const UNTAGGED = 40;

/**
 * The lifecycle policy text of each repository of the model's repository stacks, by repository name, and what
 * the synthesis reported (aws-cdk-lib writes its validation report, warnings included, to console.error).
 */
function policies(model: PlatformModel): { texts: Map<string, string | undefined>; report: string } {
  const app = testCdkApp({});
  const pullAccounts = [...new Set(model.environments.map((environment) => environment.account))].sort();
  const references = referencedImages(model);
  const stacks = model.services.map(
    (service) =>
      new ImageRepositoryStack(app, `image-${service.name}`, {
        env: model.organization.sharedServices,
        organization: model.organization,
        service,
        pullAccounts,
        references: references.get(service.name) ?? [service.image.tag],
      }),
  );
  const written: string[] = [];
  const spy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    written.push(args.map(String).join(' '));
  });
  // biome-ignore lint/suspicious/noExplicitAny: template JSON
  let repositories: Record<string, any>;
  try {
    // Each stack's repository has the same logical ID: kept apart by stack.
    repositories = Object.fromEntries(
      stacks.flatMap((stack) =>
        Object.entries(Template.fromStack(stack).findResources('AWS::ECR::Repository')).map(([id, resource]) => [
          `${stack.node.id}/${id}`,
          resource,
        ]),
      ),
    );
  } finally {
    spy.mockRestore();
  }
  const texts = new Map(
    Object.values(repositories).map(({ Properties }) => [
      Properties.RepositoryName as string,
      Properties.LifecyclePolicy?.LifecyclePolicyText as string | undefined,
    ]),
  );
  return { texts, report: written.join('\n') };
}

const releaseTagPatterns = (model: PlatformModel): readonly string[] => model.organization.images.releaseTagPatterns;

/** The pattern with each `*` replaced by the filler (then by longer ones) until no reference is that tag. */
function unusedTag(pattern: string, filler: string, references: readonly string[]): string {
  let tag = pattern.replaceAll('*', filler);
  for (let more = 0; references.includes(tag); more += 1) tag = pattern.replaceAll('*', `${filler}${more}`);
  return tag;
}

/** Whether the image carries a release tag: whatever else it carries, it never expires. */
const isRelease = (model: PlatformModel, image: RegistryImage) =>
  image.tags.some((tag) => releaseTagPatterns(model).some((pattern) => patternMatches(pattern, tag)));

function history(model: PlatformModel, references: readonly string[]): RegistryImage[] {
  const { buildTagPrefix } = model.organization.images;
  const referenced = references.map((reference, index): RegistryImage => {
    if (reference.startsWith('sha256:')) return { digest: reference, tags: [], pushedAtDay: 0 };
    // CI pushed it under a build tag and the release tag was added to the same image.
    const tags = index % 2 === 0 ? [reference, `${buildTagPrefix}release-${index}`] : [reference];
    return { digest: `referenced:${reference}`, tags, pushedAtDay: 0 };
  });
  // Releases environments ran before a promotion moved them on, pushed long ago: a rollback (git revert) needs
  // them. One per release pattern with a build tag beside it (CI's push) and one without; each `*` of the pattern
  // becomes a filler no reference uses (tags are unique in a repository).
  const previous = releaseTagPatterns(model).flatMap((pattern, index) =>
    [true, false].map((withBuildTag, variant): RegistryImage => {
      const tag = unusedTag(pattern, `p${index}x${variant}`, references);
      const tags = withBuildTag ? [tag, `${buildTagPrefix}previous-${index}`] : [tag];
      return { digest: `previous:${tag}`, tags, pushedAtDay: 0 };
    }),
  );
  const builds = Array.from({ length: NEWER_BUILDS }, (_, day) => ({
    digest: `build:${day}`,
    tags: [`${buildTagPrefix}${day}`],
    pushedAtDay: day + 1,
  }));
  const untagged = Array.from({ length: UNTAGGED }, (_, day) => ({
    digest: `untagged:${day}`,
    tags: [],
    pushedAtDay: TODAY - day * 3,
  }));
  return [...referenced, ...previous, ...builds, ...untagged];
}

function problemsOf(model: PlatformModel): string[] {
  const { texts, report } = policies(model);
  const problems: string[] = [];
  const warned = new Set(
    [...report.matchAll(/No image of (\S+) expires while a model pins it by digest/g)].map((m) => m[1]),
  );
  for (const [service, references] of referencedImages(model)) {
    const repository = ecrRepositoryName(model.organization, service);
    const text = texts.get(repository);
    if (!texts.has(repository)) {
      problems.push(`${repository}: no repository`);
      continue;
    }
    const images = history(model, references);
    const expired = text === undefined ? new Set<string>() : expiredImages(text, images, TODAY);
    for (const reference of references) {
      const digest = reference.startsWith('sha256:') ? reference : `referenced:${reference}`;
      if (expired.has(digest)) problems.push(`${repository}: ${reference}, which the model references, expires`);
    }
    // A repository pinned by digest keeps every image (ECR selects by tag only), and synth says so.
    if (references.some((reference) => reference.startsWith('sha256:'))) {
      if (!warned.delete(repository)) problems.push(`${repository}: pinned by digest, but synth gave no warning`);
      continue;
    }
    // No release image expires, referenced or not: an environment may roll back to it.
    for (const image of images.filter((candidate) => isRelease(model, candidate))) {
      if (expired.has(image.digest)) {
        problems.push(
          `${repository}: release image ${image.tags.join(' + ')} (pushed on day ${image.pushedAtDay}) expires`,
        );
      }
    }
    // The policy is not vacuous: what only CI's builds and untagged pushes left behind goes.
    const { buildTagDays, untaggedDays } = model.organization.images;
    const leftovers = images.filter((image) => !image.digest.startsWith('referenced:') && !isRelease(model, image));
    for (const image of leftovers) {
      const limit = image.tags.length === 0 ? untaggedDays : buildTagDays;
      if (TODAY - image.pushedAtDay > limit !== expired.has(image.digest)) {
        problems.push(
          `${repository}: ${image.digest} (pushed on day ${image.pushedAtDay}) expired: ${expired.has(image.digest)}`,
        );
      }
    }
  }
  if (warned.size > 0) problems.push(`warned about repositories no model pins by digest: ${[...warned].join(', ')}`);
  return problems;
}

test("the shipped model: no image an environment's model references and no earlier release expires, old builds and untagged ones do", () => {
  expect(problemsOf(loadPlatformModel())).toEqual([]);
});

test('any valid model: no referenced or earlier release image expires, however many builds follow it', () => {
  fc.assert(
    fc.property(platformModelArbitrary({ maxServices: 6, maxEnvironments: 4 }), (model) => {
      expect(problemsOf(model)).toEqual([]);
    }),
    { numRuns: 25, seed: QUICK_SEED },
  );
});
