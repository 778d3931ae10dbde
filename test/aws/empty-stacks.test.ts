import { environmentStackIds, loadModel, platformModelInput, sharedServicesStackIds } from '@platform/model';
import { CfnResource, Stack } from 'aws-cdk-lib';
import { buildCloudApp } from '../../apps/cloud/src/cloud-app';
import { testCdkApp } from '../support/cdk-app';

// CloudFormation rejects a template without resources ("Resources section must exist and be non-empty").
test('every stack has a resource for a model without databases, caches or queues', () => {
  const input = structuredClone(platformModelInput);
  for (const service of input.services) {
    service.dependencies = { ...service.dependencies, database: false, cache: false, publishes: [], consumes: [] };
  }
  input.queues = [];
  const app = testCdkApp();
  const model = loadModel(input);
  buildCloudApp(app, model);
  const stacks = app.node.children.filter((child): child is Stack => child instanceof Stack);
  expect(stacks.map((stack) => stack.node.id).sort()).toEqual(
    [...sharedServicesStackIds(model), ...model.environments.flatMap((e) => environmentStackIds(model, e.name))].sort(),
  );
  const empty = stacks
    .filter((stack) => !stack.node.findAll().some((construct) => construct instanceof CfnResource))
    .map((stack) => stack.node.id);
  expect(empty).toEqual([]);
});
