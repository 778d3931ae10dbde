import { formatIssues, type PlatformModel, validateModel } from '@platform/model';
import fc from 'fast-check';
import { platformModelArbitrary } from '../support/model-arbitrary';
import { assertForAllModels, propertyRun, QUICK_SEED } from './support/property-runs';

const run = propertyRun({ quickRuns: 100, quickSize: {}, nightlyRuns: 5000, perModelMs: 50 });

describe('the model generator of the property suites', () => {
  // The other properties trust the generator: if it drifts from the validator, this fails first.
  test(
    'generates only models the validator accepts',
    () => {
      assertForAllModels('generates only models the validator accepts', run, (model) => {
        const { issues } = validateModel(model);
        if (issues.length > 0) throw new Error(`validateModel rejects the generated model:\n${formatIssues(issues)}`);
      });
    },
    run.timeoutMs,
  );

  test('covers what the properties are about: sizes, regions, graphs, data stores, queues, edge', () => {
    const models = fc.sample(platformModelArbitrary(), { numRuns: 150, seed: QUICK_SEED });
    const some = (predicate: (model: PlatformModel) => boolean) => models.some(predicate);
    const regions = (model: PlatformModel) => new Set(model.environments.map((e) => e.region)).size;
    expect({
      oneService: some((m) => m.services.length === 1),
      fortyServices: some((m) => m.services.length === 40),
      fourEnvironments: some((m) => m.environments.length === 4),
      severalTeams: some((m) => m.teams.length >= 3),
      everyMultiEnvironmentModelSpansRegions: models.every((m) => m.environments.length === 1 || regions(m) > 1),
      cyclicCalls: some(hasCycle),
      acyclicCalls: some((m) => !hasCycle(m) && m.services.some((s) => s.dependencies.calls.length > 0)),
      databases: some((m) => m.services.some((s) => s.dependencies.database)),
      caches: some((m) => m.services.some((s) => s.dependencies.cache)),
      publishersAndConsumers: some((m) =>
        m.queues.some(
          (q) =>
            m.services.some((s) => s.dependencies.publishes.includes(q.name)) &&
            m.services.some((s) => s.dependencies.consumes.includes(q.name)),
        ),
      ),
      edgeAndInternal: some((m) => m.services.some((s) => s.exposure === 'edge') && m.services.length > 1),
      digests: some((m) => m.services.some((s) => s.image.tag.includes('@sha256:'))),
      releases: some((m) => Object.values(m.releases ?? {}).some((perService) => Object.keys(perService).length > 0)),
      // Names at the limits the derived AWS names leave: a 64-character IAM role for a service, and for a service's
      // secret reader.
      roleNameAtLimit: some((m) =>
        m.environments.some((e) => m.services.some((s) => `${m.organization.name}-${e.name}-${s.name}`.length === 64)),
      ),
      readerRoleNameAtLimit: some((m) =>
        m.environments.some((e) =>
          m.services.some(
            (s) =>
              (s.dependencies.database || s.dependencies.cache) &&
              `${m.organization.name}-${e.name}-sr-${s.name}`.length === 64,
          ),
        ),
      ),
    }).toEqual({
      oneService: true,
      fortyServices: true,
      fourEnvironments: true,
      severalTeams: true,
      everyMultiEnvironmentModelSpansRegions: true,
      cyclicCalls: true,
      acyclicCalls: true,
      databases: true,
      caches: true,
      publishersAndConsumers: true,
      edgeAndInternal: true,
      digests: true,
      releases: true,
      roleNameAtLimit: true,
      readerRoleNameAtLimit: true,
    });
  });
});

/** Whether the calls between the model's services contain a cycle. */
function hasCycle(model: PlatformModel): boolean {
  const calls = new Map(model.services.map((s) => [s.name, s.dependencies.calls]));
  const state = new Map<string, 'open' | 'done'>();
  const visit = (name: string): boolean => {
    if (state.get(name) === 'open') return true;
    if (state.get(name) === 'done') return false;
    state.set(name, 'open');
    const cyclic = (calls.get(name) ?? []).some(visit);
    state.set(name, 'done');
    return cyclic;
  };
  return model.services.some((s) => visit(s.name));
}
