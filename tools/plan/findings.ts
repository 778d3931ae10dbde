/** What a plan finds: one resource or object that a deploy or a sync replaces, deletes or prunes. */

/** Names a resource of a stack: what an acknowledgement of a CloudFormation change gives. */
export interface StackResourceKey {
  readonly stack: string;
  readonly logicalId: string;
}

/**
 * Names an object of an Argo CD Application: what an acknowledgement of a Kubernetes change gives. `group` is the API
 * group of its apiVersion (none for the core group: `v1`), `namespace` none for a cluster-scoped object.
 */
export interface ApplicationObjectKey {
  readonly environment: string;
  readonly application: string;
  readonly group?: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

export type FindingKey = StackResourceKey | ApplicationObjectKey;

/**
 * What happens to it:
 * - `replace`, `may-replace`, `remove`: a CloudFormation resource replaced, replaced in some cases, or leaving its
 *   stack (deleted, snapshotted and deleted, or kept outside the stack, by its DeletionPolicy);
 * - `prune`: a Kubernetes object Argo CD deletes because its Application's folder no longer holds it;
 * - `delete`: an object Argo CD deletes with its Application, which leaves the app-of-apps;
 * - `kept`: an object that leaves Git but stays in the cluster (Prune=false, Delete=false, an Application that does
 *   not prune): listed so that a reviewer knows it is left behind, never destructive.
 */
export type FindingChange = 'replace' | 'may-replace' | 'remove' | 'prune' | 'delete' | 'kept';

export interface Finding {
  readonly side: 'cloudformation' | 'kubernetes';
  /** The stack (`CloudFormation stack dev-data`) or the Application (`Argo CD dev, Application services-x`). */
  readonly where: string;
  readonly change: FindingChange;
  /** The resource or object and what happens to it, in one sentence without the place. */
  readonly text: string;
  /**
   * Whether the change loses data or the means to read it (a stateful resource or object that is replaced, deleted,
   * pruned or leaves its stack): the plan fails unless the change is acknowledged.
   */
  readonly stateful: boolean;
  readonly key: FindingKey;
  /** Orders the findings of one place. */
  readonly order: string;
}

/** The canonical text of a key, for comparing keys: its fields in a fixed order, empty ones left out. */
export function keyText(key: FindingKey): string {
  const fields =
    'stack' in key
      ? [key.stack, key.logicalId]
      : [key.environment, key.application, key.group ?? '', key.kind, key.namespace ?? '', key.name];
  return JSON.stringify(fields);
}

/** Findings in the order every report prints them: CloudFormation first, then by place, then by resource. */
export function sortedFindings(findings: readonly Finding[]): Finding[] {
  const rank = (finding: Finding) => `${finding.side === 'cloudformation' ? 0 : 1}\0${finding.where}\0${finding.order}`;
  return [...findings].sort((a, b) => byteOrder(rank(a), rank(b)));
}

/** Whether a finding needs acknowledging: a destructive change of a stateful resource or object. */
export function needsAcknowledging(finding: Finding): boolean {
  return finding.stateful && finding.change !== 'kept';
}

export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
