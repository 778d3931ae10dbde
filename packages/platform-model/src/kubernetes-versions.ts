/**
 * The Kubernetes versions this platform can build, with the kubectl layer the AWS half uses for
 * Helm installs and EKS's support dates. An environment may only name a version listed here.
 */
export interface KubernetesVersionEntry {
  /** Minor version as EKS names it, e.g. `1.35`. */
  readonly version: string;
  /** npm package of the matching kubectl Lambda layer. */
  readonly kubectlLayerPackage: string;
  /** Last day of EKS standard support (ISO date). */
  readonly endOfStandardSupport: string;
  /** Last day of EKS extended support (ISO date); after it EKS no longer creates or runs clusters of this version. */
  readonly endOfExtendedSupport: string;
}

export const KUBERNETES_VERSIONS: readonly KubernetesVersionEntry[] = [
  {
    version: '1.28',
    kubectlLayerPackage: '@aws-cdk/lambda-layer-kubectl-v28',
    endOfStandardSupport: '2024-11-26',
    endOfExtendedSupport: '2025-11-26',
  },
  {
    version: '1.35',
    kubectlLayerPackage: '@aws-cdk/lambda-layer-kubectl-v35',
    endOfStandardSupport: '2027-03-27',
    endOfExtendedSupport: '2028-03-27',
  },
];

export const SUPPORTED_KUBERNETES_VERSIONS = KUBERNETES_VERSIONS.map((entry) => entry.version);

/** Days before the end of standard support from which a version draws a warning. */
export const SUPPORT_WARNING_DAYS = 90;

export function kubernetesVersionEntry(version: string): KubernetesVersionEntry {
  const entry = KUBERNETES_VERSIONS.find((candidate) => candidate.version === version);
  if (!entry) {
    throw new Error(`Unknown Kubernetes version '${version}'; known: ${SUPPORTED_KUBERNETES_VERSIONS.join(', ')}`);
  }
  return entry;
}

export type SupportStatus =
  | { readonly kind: 'supported' }
  | { readonly kind: 'ending-soon'; readonly daysLeft: number }
  | { readonly kind: 'extended'; readonly until: string }
  | { readonly kind: 'unavailable'; readonly since: string };

const DAY_MS = 24 * 60 * 60 * 1000;

/** Where a version stands in EKS's support calendar on the given day. */
export function supportStatus(entry: KubernetesVersionEntry, today: Date): SupportStatus {
  const day = Date.parse(today.toISOString().slice(0, 10));
  const standardEnd = Date.parse(entry.endOfStandardSupport);
  const extendedEnd = Date.parse(entry.endOfExtendedSupport);
  if (day > extendedEnd) return { kind: 'unavailable', since: entry.endOfExtendedSupport };
  if (day > standardEnd) return { kind: 'extended', until: entry.endOfExtendedSupport };
  const daysLeft = Math.round((standardEnd - day) / DAY_MS);
  if (daysLeft <= SUPPORT_WARNING_DAYS) return { kind: 'ending-soon', daysLeft };
  return { kind: 'supported' };
}
