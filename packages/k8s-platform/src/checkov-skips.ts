/** A checkov finding on one object that was reviewed and accepted, with the reason. */
export interface CheckovSkip {
  /** checkov's check ID, e.g. `CKV_K8S_11`. */
  readonly check: string;
  /** Why the check does not apply to this object; checkov shows it as the suppression comment. */
  readonly reason: string;
}

/**
 * Annotations that make checkov report reviewed findings as skipped, with their reasons: `checkov.io/skip<n>:
 * <check>=<reason>`, numbered from 1 (checkov 3.3.30, checkov/kubernetes/kubernetes_utils.py, which splits the
 * value at `=`, so a reason must not contain one).
 *
 * @throws Error when a check ID is not `CKV_K8S_<n>` or a reason contains `=` or is blank.
 */
export function checkovSkipAnnotations(skips: readonly CheckovSkip[]): Record<string, string> {
  const annotations: Record<string, string> = {};
  for (const [index, { check, reason }] of skips.entries()) {
    if (!/^CKV_K8S_\d+$/.test(check)) throw new Error(`checkov skip: '${check}' is not a checkov Kubernetes check ID`);
    if (reason.includes('=') || reason.trim() === '') {
      throw new Error(`checkov skip ${check}: the reason must be non-empty and without '=' (checkov splits at it)`);
    }
    annotations[`checkov.io/skip${index + 1}`] = `${check}=${reason}`;
  }
  return annotations;
}
