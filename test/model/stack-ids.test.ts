import { environmentStackIds, loadPlatformModel, platformModelInput, sharedServicesStackIds } from '@platform/model';
import { modelParts } from '../../packages/platform-model/src/model-parts';
import { stackIdIssues } from '../../packages/platform-model/src/stack-rules';

/** Stack IDs are built from two names each (delivery.ts), so two entries can give one ID; the validator says which. */

test('the shipped model gives every stack a distinct ID', () => {
  const model = loadPlatformModel();
  const ids = [
    ...sharedServicesStackIds(model),
    ...model.environments.flatMap((e) => environmentStackIds(model, e.name)),
  ];
  expect(new Set(ids).size).toBe(ids.length);
  expect(stackIdIssues(modelParts(platformModelInput))).toEqual([]);
});

test("an environment whose stack ID is a service's stack's is reported at the later name, naming the other", () => {
  const input = structuredClone(platformModelInput) as unknown as {
    environments: { name: string }[];
    services: { name: string }[];
  };
  const [first, second] = input.environments;
  // `<first>-service-x-ci` is both the stack of service `x-ci` in the first environment and the `ci` stack of an
  // environment named `<first>-service-x`.
  second.name = `${first.name}-service-x`;
  input.services[0].name = 'x-ci';
  expect(stackIdIssues(modelParts(input))).toEqual([
    {
      path: `environments.${second.name}.name`,
      message: `gives the stack ID '${first.name}-service-x-ci', which services.x-ci gives too: cdk deploy selects stacks by ID; rename one of them`,
    },
  ]);
});
