/**
 * The actions the rendered workflows use, each pinned to the commit of a release tag: a tag can be moved to other
 * code, a commit cannot. To update one, read the new release's tag and its commit from the action's repository
 * (`git ls-remote --tags https://github.com/<repository> <tag>`, the peeled `^{}` line for an annotated tag), and
 * change both here; `pnpm synth` rewrites the workflows.
 */
export interface PinnedAction {
  /** `owner/name` on GitHub. */
  readonly repository: string;
  /** The release tag, written beside the pin so a reader sees the version. */
  readonly tag: string;
  /** The 40-hex commit the tag points to. */
  readonly commit: string;
}

export const ACTIONS = {
  checkout: { repository: 'actions/checkout', tag: 'v7.0.1', commit: '3d3c42e5aac5ba805825da76410c181273ba90b1' },
  setupNode: { repository: 'actions/setup-node', tag: 'v7.0.0', commit: '820762786026740c76f36085b0efc47a31fe5020' },
  cache: { repository: 'actions/cache', tag: 'v5.0.5', commit: '27d5ce7f107fe9357f9df03efb73ab90386fccae' },
  awsCredentials: {
    repository: 'aws-actions/configure-aws-credentials',
    tag: 'v6.2.3',
    commit: 'e6de054238d6b7531b4efff3b6587d9aade6a06c',
  },
  ecrLogin: {
    repository: 'aws-actions/amazon-ecr-login',
    tag: 'v2.1.7',
    commit: '03f1aad4c6c7ffd436567f42f9384779290529bd',
  },
  setupQemu: {
    repository: 'docker/setup-qemu-action',
    tag: 'v4.2.0',
    commit: '96fe6ef7f33517b61c61be40b68a1882f3264fb8',
  },
  setupBuildx: {
    repository: 'docker/setup-buildx-action',
    tag: 'v4.3.0',
    commit: '37fe631027851001ddb9b187196cc803df7f5f0e',
  },
  buildPush: {
    repository: 'docker/build-push-action',
    tag: 'v7.3.0',
    commit: '53b7df96c91f9c12dcc8a07bcb9ccacbed38856a',
  },
  uploadArtifact: {
    repository: 'actions/upload-artifact',
    tag: 'v7.0.0',
    commit: 'bbbca2ddaa5d8feaa63e36b76fdaad77386f024f',
  },
  createAppToken: {
    repository: 'actions/create-github-app-token',
    tag: 'v3.1.1',
    commit: '1b10c78c7865c340bc4f6099eb2f838309f1e8c3',
  },
  setupTrivy: {
    repository: 'aquasecurity/setup-trivy',
    tag: 'v0.3.1',
    commit: '81e514348e19b6112ce2a7e3ecbafe19c1e1f567',
  },
} as const satisfies Record<string, PinnedAction>;

export type ActionName = keyof typeof ACTIONS;

/** The `uses:` value of an action: `owner/name@<commit>`. */
export function uses(action: ActionName): string {
  const { repository, commit } = ACTIONS[action];
  return `${repository}@${commit}`;
}

/** The tag of a `uses:` value this file pins, to write beside it; undefined for anything else. */
export function pinnedTag(value: string): string | undefined {
  return Object.values(ACTIONS).find((action) => value === `${action.repository}@${action.commit}`)?.tag;
}
