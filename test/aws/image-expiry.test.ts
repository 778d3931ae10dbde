import { ImageRepositoryStack } from '@platform/aws-platform';
import {
  ecrRepositoryName,
  imageTagOf,
  loadPlatformModel,
  type PlatformModel,
  referencedImages,
  validateModel,
} from '@platform/model';
import { Template } from 'aws-cdk-lib/assertions';
import fc from 'fast-check';
import { QUICK_SEED } from '../properties/support/property-runs';
import { testCdkApp } from '../support/cdk-app';
import { expiredImages, patternMatches, type RegistryImage } from '../support/ecr-lifecycle';
import { platformModelArbitrary } from '../support/model-arbitrary';

/**
 * The lifecycle policy of every repository, run through ECR's evaluation (test/support/ecr-lifecycle.ts) against a
 * repository that holds every image the model references (by tag, or by tag and the digest it pins), pushed first
 * (the oldest), half of them also carrying a build tag, releases no model references any more (a rollback's target), with and without a build tag, then
 * hundreds of newer CI builds and untagged leftovers. Nothing the model references and no release image may
 * expire; the old builds and untagged images must.
 */

const TODAY = 1000;
const NEWER_BUILDS = 300;
const UNTAGGED = 40;

/** The lifecycle policy text of each repository of the model's repository stacks, by repository name. */
function policies(model: PlatformModel): Map<string, string | undefined> {
  const app = testCdkApp({});
  const pullAccounts = [...new Set(model.environments.map((environment) => environment.account))].sort();
  const references = referencedImages(model);
  // Every stack is built before the first is synthesized: the app's tree may not change after a synthesis.
  const stacks = model.services.map(
    (service) =>
      new ImageRepositoryStack(app, `image-${service.name}`, {
        env: model.organization.sharedServices,
        organization: model.organization,
        service,
        pullAccounts,
        references: references.get(service.name) ?? [imageTagOf(service.image.tag)],
      }),
  );
  // biome-ignore lint/suspicious/noExplicitAny: template JSON
  const repositories: Record<string, any> = Object.fromEntries(
    stacks.flatMap((stack) =>
      // Each stack's repository has the same logical ID: kept apart by stack.
      Object.entries(Template.fromStack(stack).findResources('AWS::ECR::Repository')).map(([id, resource]) => [
        `${stack.node.id}/${id}`,
        resource,
      ]),
    ),
  );
  return new Map(
    Object.values(repositories).map(({ Properties }) => [
      Properties.RepositoryName as string,
      Properties.LifecyclePolicy?.LifecyclePolicyText as string | undefined,
    ]),
  );
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

/**
 * Every image reference of each service that the catalog or an environment names, as the model writes it: a tag, or
 * a tag pinned to its digest (`<tag>@sha256:…`). Read from the model here, not from the code under test.
 */
function modelReferences(model: PlatformModel): Map<string, string[]> {
  const references = new Map(model.services.map((service) => [service.name, new Set([service.image.tag])]));
  for (const environment of model.environments) {
    for (const [name, release] of Object.entries(model.releases?.[environment.name] ?? {})) {
      if (release.image) references.get(name)?.add(release.image.tag);
    }
  }
  return new Map([...references].map(([name, set]) => [name, [...set].sort()]));
}

/**
 * The registry's digest of the image each referenced tag names: the digest a reference pins it to (the validator
 * allows one per tag: ECR's tags are immutable), or one made up for a tag no reference pins.
 */
function digestsByTag(references: readonly string[]): Map<string, string> {
  const digests = new Map<string, string>();
  for (const reference of references) {
    const [tag, digest] = reference.split('@');
    if (digest !== undefined || !digests.has(tag)) digests.set(tag, digest ?? `referenced:${tag}`);
  }
  return digests;
}

const digestOf = (references: readonly string[], reference: string) =>
  digestsByTag(references).get(reference.split('@')[0]) ?? '';

function history(model: PlatformModel, references: readonly string[]): RegistryImage[] {
  const { buildTagPrefix } = model.organization.images;
  const tags = [...digestsByTag(references).keys()];
  const referenced = [...digestsByTag(references)].map(([tag, digest], index): RegistryImage => {
    // CI pushed it under a build tag, and the release tag was added to the same image (by digest).
    const all = index % 2 === 0 ? [tag, `${buildTagPrefix}release-${index}`] : [tag];
    return { digest, tags: all, pushedAtDay: 0 };
  });
  // Releases environments ran before a promotion moved them on, pushed long ago: a rollback (git revert) needs
  // them. One per release pattern with a build tag beside it (CI's push) and one without; each `*` of the pattern
  // becomes a filler no reference uses (tags are unique in a repository).
  const previous = releaseTagPatterns(model).flatMap((pattern, index) =>
    [true, false].map((withBuildTag, variant): RegistryImage => {
      const tag = unusedTag(pattern, `p${index}x${variant}`, tags);
      const all = withBuildTag ? [tag, `${buildTagPrefix}previous-${index}`] : [tag];
      return { digest: `previous:${tag}`, tags: all, pushedAtDay: 0 };
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
  const texts = policies(model);
  const problems: string[] = [];
  for (const [service, references] of modelReferences(model)) {
    const repository = ecrRepositoryName(model.organization, service);
    const text = texts.get(repository);
    if (text === undefined) {
      // ECR keeps everything without a policy: expiry must never be switched off, pinned by digest or not.
      problems.push(`${repository}: no repository or no lifecycle policy`);
      continue;
    }
    const images = history(model, references);
    const expired = expiredImages(text, images, TODAY);
    for (const reference of references) {
      if (expired.has(digestOf(references, reference))) {
        problems.push(`${repository}: ${reference}, which the model references, expires`);
      }
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
    const kept = new Set(references.map((reference) => digestOf(references, reference)));
    const leftovers = images.filter((image) => !kept.has(image.digest) && !isRelease(model, image));
    for (const image of leftovers) {
      const limit = image.tags.length === 0 ? untaggedDays : buildTagDays;
      if (TODAY - image.pushedAtDay > limit !== expired.has(image.digest)) {
        problems.push(
          `${repository}: ${image.digest} (pushed on day ${image.pushedAtDay}) expired: ${expired.has(image.digest)}`,
        );
      }
    }
  }
  return problems;
}

test("the shipped model: no image an environment's model references and no earlier release expires, old builds and untagged ones do", () => {
  expect(problemsOf(loadPlatformModel())).toEqual([]);
});

test('a model that pins every release by tag and digest keeps them and still expires old builds', () => {
  const model = loadPlatformModel();
  const digest = (index: number) => `sha256:${index.toString(16).padStart(64, 'c')}`;
  const pinned: PlatformModel = {
    ...model,
    releases: Object.fromEntries(
      model.environments.map((environment, index) => [
        environment.name,
        Object.fromEntries(
          model.services.map((service, serviceIndex) => [
            service.name,
            // Tags the catalog does not use, each pinned to a digest of its own.
            { image: { tag: `${index + 1}0.${serviceIndex}.7@${digest(index * 100 + serviceIndex)}` } },
          ]),
        ),
      ]),
    ),
  };
  expect(validateModel(pinned).issues).toEqual([]);
  expect(problemsOf(pinned)).toEqual([]);
});

test('any valid model: no referenced or earlier release image expires, however many builds follow it', () => {
  fc.assert(
    fc.property(platformModelArbitrary({ maxServices: 6, maxEnvironments: 4 }), (model) => {
      expect(problemsOf(model)).toEqual([]);
    }),
    { numRuns: 25, seed: QUICK_SEED },
  );
});
