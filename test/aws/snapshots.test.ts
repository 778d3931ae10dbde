import { SHIPPED_ENVIRONMENTS, type SynthesizedCloud, synthesizeCloud } from './cloud-assembly';

let synthesized: SynthesizedCloud;
beforeAll(() => {
  synthesized = synthesizeCloud();
});

const STACK_KINDS = ['network', 'cluster', 'data', 'messaging'] as const;

test.each(SHIPPED_ENVIRONMENTS)('%s templates match their snapshots', (name) => {
  for (const kind of STACK_KINDS) {
    expect(synthesized.assembly.getStackArtifact(`${name}-${kind}`).template).toMatchSnapshot(`${name}-${kind}`);
  }
});

test('shared services template matches its snapshot', () => {
  expect(synthesized.assembly.getStackArtifact('shared-services').template).toMatchSnapshot();
});

test('the shipped model synthesizes without warnings', () => {
  const warnings = synthesized.assembly.stacks.flatMap((stack) =>
    stack.messages.filter((message) => message.level !== 'info').map((message) => `${stack.id}: ${message.entry.data}`),
  );
  expect(warnings).toEqual([]);
});

test('the same model synthesizes byte-identical templates', () => {
  const again = synthesizeCloud();
  for (const stack of synthesized.assembly.stacks) {
    expect(JSON.stringify(again.assembly.getStackArtifact(stack.id).template)).toBe(JSON.stringify(stack.template));
  }
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
