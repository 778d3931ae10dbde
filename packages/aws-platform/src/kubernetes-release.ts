import { KubectlV28Layer } from '@aws-cdk/lambda-layer-kubectl-v28';
import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import { type KubernetesVersionEntry, kubernetesVersionEntry, supportStatus } from '@platform/model';
import { Annotations } from 'aws-cdk-lib';
import { KubernetesVersion } from 'aws-cdk-lib/aws-eks-v2';
import type { ILayerVersion } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';

type KubectlLayerFactory = (scope: Construct, id: string) => ILayerVersion;

/** The layer class of each catalogue entry's `kubectlLayerPackage`; the test proves none is missing. */
export const KUBECTL_LAYERS: Readonly<Record<string, KubectlLayerFactory>> = {
  '@aws-cdk/lambda-layer-kubectl-v28': (scope, id) => new KubectlV28Layer(scope, id),
  '@aws-cdk/lambda-layer-kubectl-v35': (scope, id) => new KubectlV35Layer(scope, id),
};

/** What the cluster needs of a catalogue entry: the EKS version and its kubectl layer. */
export interface KubernetesRelease {
  readonly entry: KubernetesVersionEntry;
  readonly version: KubernetesVersion;
  readonly kubectlLayer: KubectlLayerFactory;
}

export function kubernetesRelease(version: string): KubernetesRelease {
  const entry = kubernetesVersionEntry(version);
  const kubectlLayer = KUBECTL_LAYERS[entry.kubectlLayerPackage];
  if (!kubectlLayer) throw new Error(`No kubectl layer class is registered for ${entry.kubectlLayerPackage}`);
  return { entry, version: KubernetesVersion.of(entry.version), kubectlLayer };
}

/** Warns on the cluster when EKS support of its version has ended or ends within the warning window. */
export function warnAboutSupport(scope: Construct, entry: KubernetesVersionEntry, today: Date): void {
  const status = supportStatus(entry, today);
  const annotations = Annotations.of(scope);
  switch (status.kind) {
    case 'unavailable':
      annotations.addWarningV2(
        '@platform/aws-platform:kubernetes-version-unavailable',
        `Kubernetes ${entry.version}: EKS no longer creates or runs ${entry.version} clusters (extended support ended ${status.since}); choose a current version in the model.`,
      );
      return;
    case 'extended':
      annotations.addWarningV2(
        '@platform/aws-platform:kubernetes-version-extended-support',
        `Kubernetes ${entry.version} is in EKS extended support (extra cost) until ${status.until}; upgrade.`,
      );
      return;
    case 'ending-soon':
      annotations.addWarningV2(
        '@platform/aws-platform:kubernetes-version-ending-soon',
        `Kubernetes ${entry.version}: EKS standard support ends in ${status.daysLeft} days (${entry.endOfStandardSupport}); plan the upgrade.`,
      );
      return;
    case 'supported':
      return;
  }
}
