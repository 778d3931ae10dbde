import { environmentStackIds, loadPlatformModel, sharedServicesStackIds } from '@platform/model';
import { MODEL_ENVIRONMENTS, synthesizeCloud } from '../aws/cloud-assembly';

describe('the CDK app', () => {
  it('synthesizes byte-identical templates on a second run', () => {
    const templatesOf = () => {
      const { assembly } = synthesizeCloud();
      return Object.fromEntries(assembly.stacks.map((stack) => [stack.id, JSON.stringify(stack.template)]));
    };

    const first = templatesOf();
    const second = templatesOf();

    expect(Object.keys(first).sort()).toEqual(
      [
        ...sharedServicesStackIds(loadPlatformModel()),
        ...MODEL_ENVIRONMENTS.flatMap((name) => environmentStackIds(loadPlatformModel(), name)),
      ].sort(),
    );
    expect(second).toEqual(first);
  });
});
