import { labelValue } from '@platform/k8s-platform';
import { platformModelInput, validateModel } from '@platform/model';
import fc from 'fast-check';
import { imageTagArbitrary } from '../support/model-arbitrary';
import { labelValueProblem } from './support/kubernetes-names';
import { QUICK_SEED } from './support/property-runs';

// Cheap enough for many runs in the ordinary test run: the version label of every tag the validator accepts.
test('every image tag the validator accepts gives a valid, non-empty app.kubernetes.io/version label', () => {
  fc.assert(
    fc.property(imageTagArbitrary, (tag) => {
      expect(validTag(tag)).toBe(true);
      const value = labelValue(tag);
      expect({ tag, problem: labelValueProblem('app.kubernetes.io/version', value), empty: value === '' }).toEqual({
        tag,
        problem: undefined,
        empty: false,
      });
    }),
    { seed: QUICK_SEED, numRuns: 500, examples: [['n__'], ['1.0-'], ['_x'], ['___'], [`v${'1.'.repeat(40)}`]] },
  );
});

/** Whether the validator accepts the tag on a service of the shipped model. */
function validTag(tag: string): boolean {
  const input = structuredClone(platformModelInput);
  input.services[0].image.tag = tag;
  return validateModel(input).issues.length === 0;
}
