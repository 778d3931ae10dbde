/**
 * Names derived from single model fields, checked on many values: cheap enough for thousands of runs in the
 * ordinary test run, which the rendering properties cannot afford.
 */
import { labelValue } from '@platform/k8s-platform';
import { platformModelInput, validateModel } from '@platform/model';
import fc from 'fast-check';
import { imageTagArbitrary } from '../support/model-arbitrary';
import { labelValueProblem } from './support/kubernetes-names';
import { QUICK_SEED } from './support/property-runs';

/** Whether the validator accepts the shipped model with this change. */
function accepts(change: (input: typeof platformModelInput) => void): boolean {
  const input = structuredClone(platformModelInput);
  change(input);
  return validateModel(input).issues.length === 0;
}

test('every image tag the validator accepts gives a valid, non-empty app.kubernetes.io/version label', () => {
  fc.assert(
    fc.property(imageTagArbitrary, (tag) => {
      expect(accepts((input) => Object.assign(input.services[0].image, { tag }))).toBe(true);
      const value = labelValue(tag);
      expect({ tag, problem: labelValueProblem('app.kubernetes.io/version', value), empty: value === '' }).toEqual({
        tag,
        problem: undefined,
        empty: false,
      });
    }),
    { seed: QUICK_SEED, numRuns: 200, examples: [['n__'], ['1.0-'], ['_x'], ['___'], [`v${'1.'.repeat(40)}`]] },
  );
});

/** ECR repository names (CreateRepository): components of lowercase alphanumerics joined by single `.`, `_` or `-`. */
const ECR_REPOSITORY = /^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
/** ElastiCache replication group IDs (CreateReplicationGroup): a letter first, no `--`, no `-` at the end. */
const ELASTICACHE_ID = /^[a-z](-?[a-z0-9])*$/;

const nameLike = fc.string({ unit: fc.constantFrom(...'abc019-'.split('')), minLength: 1, maxLength: 12 });

test('every organization, environment and service name the validator accepts gives valid ECR and ElastiCache names', () => {
  fc.assert(
    fc.property(nameLike, (name) => {
      const [organization, environment, service] = [
        accepts((input) => Object.assign(input.organization, { name })) ? name : 'acme',
        accepts((input) => Object.assign(input.environments[0], { name })) ? name : 'dev',
        accepts((input) => Object.assign(input.services[2], { name })) ? name : 'notification-service',
      ];
      expect({
        repository: `${organization}/${service}`,
        valid: ECR_REPOSITORY.test(`${organization}/${service}`),
      }).toEqual({
        repository: `${organization}/${service}`,
        valid: true,
      });
      const cacheId = `${organization}-${environment}-${service}`;
      expect({ cacheId, valid: ELASTICACHE_ID.test(cacheId) }).toEqual({ cacheId, valid: true });
    }),
    { seed: QUICK_SEED, numRuns: 200, examples: [['a--b'], ['a-'], ['0a']] },
  );
});
