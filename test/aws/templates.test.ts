import { environmentStackIds, sharedServicesStackIds } from '@platform/model';
import { type SynthesizedCloud, synthesizeCloud } from './cloud-assembly';

/**
 * Properties of every template. The templates themselves are reviewed where a pull request shows them: the
 * committed outputs that `pnpm synth` writes and `pnpm synth:check` compares. Byte-identical reruns:
 * test/pipeline/template-determinism.test.ts.
 */
let synthesized: SynthesizedCloud;
beforeAll(() => {
  synthesized = synthesizeCloud();
});

test('the model synthesizes without warnings', () => {
  const warnings = synthesized.assembly.stacks.flatMap((stack) =>
    stack.messages.filter((message) => message.level !== 'info').map((message) => `${stack.id}: ${message.entry.data}`),
  );
  expect(warnings).toEqual([]);
});

test('no template holds a secret value: credentials appear only as dynamic references or deploy-time attributes', () => {
  for (const stack of synthesized.assembly.stacks) {
    const text = JSON.stringify(stack.template);
    expect(text).not.toMatch(/"(Password|MasterUserPassword)":"[^{]/);
    expect(text).not.toMatch(/"AuthToken":"/);
  }
});

test('every stack carries the environment, owner and cost-center tags, which CloudFormation passes on to its resources', () => {
  const { organization, environments } = synthesized.model;
  const expected = (environment: string, tags: { owner: string; costCenter: string }) => ({
    environment,
    owner: tags.owner,
    'cost-center': tags.costCenter,
  });
  for (const id of sharedServicesStackIds(synthesized.model)) {
    expect(synthesized.assembly.getStackArtifact(id).tags).toEqual(expected('shared', organization.tags));
  }
  for (const environment of environments) {
    // Every stack of the environment but ci, which tags nothing of its own.
    for (const id of environmentStackIds(synthesized.model, environment.name).slice(1)) {
      expect({ id, tags: synthesized.assembly.getStackArtifact(id).tags }).toEqual({
        id,
        tags: expected(environment.name, environment.tags),
      });
    }
  }
});

test('the shared stacks live in the shared-services account and region of the model', () => {
  for (const id of sharedServicesStackIds(synthesized.model)) {
    const stack = synthesized.assembly.getStackArtifact(id);
    expect(stack.environment).toMatchObject(synthesized.model.organization.sharedServices);
  }
});
