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

const STACK_KINDS = ['network', 'cluster', 'data', 'messaging'] as const;

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
  expect(synthesized.assembly.getStackArtifact('shared-services').tags).toEqual(expected('shared', organization.tags));
  for (const environment of environments) {
    for (const kind of STACK_KINDS) {
      expect(synthesized.assembly.getStackArtifact(`${environment.name}-${kind}`).tags).toEqual(
        expected(environment.name, environment.tags),
      );
    }
  }
});

test('the shared stack lives in the shared-services account and region of the model', () => {
  const stack = synthesized.assembly.getStackArtifact('shared-services');
  expect(stack.environment).toMatchObject(synthesized.model.organization.sharedServices);
});
