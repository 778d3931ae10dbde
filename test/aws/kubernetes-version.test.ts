import { KUBECTL_LAYERS, kubernetesRelease, warnAboutSupport } from '@platform/aws-platform';
import { KUBERNETES_VERSIONS, kubernetesVersionEntry, loadPlatformModel } from '@platform/model';
import { Stack } from 'aws-cdk-lib';
import { testCdkApp } from '../support/cdk-app';
import { modelWithEnvironment, resourcesOfType, type SynthesizedCloud, synthesizeCloud } from './cloud-assembly';

function warningsOf(synthesized: SynthesizedCloud, stackId: string): string[] {
  return synthesized.assembly
    .getStackArtifact(stackId)
    .messages.filter((message) => message.level === 'warning')
    .map((message) => String(message.entry.data));
}

describe('an environment that selects Kubernetes 1.28', () => {
  // The model's first environment moves to 1.28; the others keep what the model gives them.
  const [older, ...others] = loadPlatformModel().environments;
  let synthesized: SynthesizedCloud;
  let report: string;
  beforeAll(() => {
    const model = modelWithEnvironment(older.name, (environment) => ({
      ...environment,
      cluster: { ...environment.cluster, kubernetesVersion: '1.28' },
    }));
    // In process, aws-cdk-lib prints a validation report with warnings through console.error: it is
    // asserted below instead of cluttering the run.
    const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      synthesized = synthesizeCloud({ model });
      report = consoleError.mock.calls.flat().join('\n');
    } finally {
      consoleError.mockRestore();
    }
  });

  test('reports the warning in the validation report', () => {
    expect(report).toMatch(/WARNING Kubernetes 1\.28: EKS no longer creates or runs 1\.28 clusters/);
  });

  test('synthesizes a 1.28 cluster whose kubectl provider uses the v28 layer', () => {
    const template = synthesized.template(`${older.name}-cluster`);
    template.hasResourceProperties('AWS::EKS::Cluster', { Version: '1.28' });
    const layers = Object.values(resourcesOfType(template, 'AWS::Lambda::LayerVersion')).map(({ Properties }) =>
      String(Properties.Description),
    );
    expect(layers.filter((description) => description.includes('kubectl'))).toEqual([
      expect.stringMatching(/kubectl 1\.28\b/),
    ]);
  });

  test('warns that EKS no longer creates or runs 1.28 clusters, on that environment only', () => {
    expect(warningsOf(synthesized, `${older.name}-cluster`)).toEqual([
      expect.stringMatching(/Kubernetes 1\.28: EKS no longer creates or runs 1\.28 clusters/),
    ]);
    for (const environment of others.filter((e) => e.cluster.kubernetesVersion !== '1.28')) {
      expect(warningsOf(synthesized, `${environment.name}-cluster`)).not.toContainEqual(
        expect.stringMatching(/Kubernetes 1\.28/),
      );
    }
  });

  test('the other environments keep their version and its layer', () => {
    for (const environment of others) {
      const template = synthesized.template(`${environment.name}-cluster`);
      template.hasResourceProperties('AWS::EKS::Cluster', { Version: environment.cluster.kubernetesVersion });
      const layers = Object.values(resourcesOfType(template, 'AWS::Lambda::LayerVersion'))
        .map(({ Properties }) => String(Properties.Description))
        .filter((description) => description.includes('kubectl'));
      expect(layers).toEqual([
        expect.stringMatching(new RegExp(`kubectl ${environment.cluster.kubernetesVersion.replace('.', '\\.')}\\b`)),
      ]);
    }
  });
});

describe('support warnings by date', () => {
  const current = kubernetesVersionEntry('1.35');
  const warningsOn = (day: string) => {
    const stack = new Stack(testCdkApp(), 'Probe');
    warnAboutSupport(stack, current, new Date(`${day}T00:00:00Z`));
    return stack.node.metadata.filter((entry) => entry.type === 'aws:cdk:warning').map((entry) => String(entry.data));
  };

  test('none while standard support has more than 90 days to run', () => {
    expect(warningsOn('2026-11-22')).toEqual([]);
  });

  test('one within 90 days of the end of standard support, with the days left', () => {
    expect(warningsOn('2027-01-26')).toEqual([
      expect.stringContaining('standard support ends in 60 days (2027-03-27)'),
    ]);
  });

  test('one during extended support', () => {
    expect(warningsOn('2027-06-01')).toEqual([expect.stringMatching(/extended support .* until 2028-03-27/)]);
  });
});

test('every catalogue entry has a kubectl layer class, and each layer package is installed', () => {
  for (const entry of KUBERNETES_VERSIONS) {
    expect(Object.keys(KUBECTL_LAYERS)).toContain(entry.kubectlLayerPackage);
    expect(() =>
      require.resolve(entry.kubectlLayerPackage, { paths: [require.resolve('@platform/aws-platform')] }),
    ).not.toThrow();
    expect(kubernetesRelease(entry.version).version.version).toBe(entry.version);
  }
});
