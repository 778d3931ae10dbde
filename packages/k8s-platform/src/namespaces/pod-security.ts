/** Pod Security Admission levels (https://kubernetes.io/docs/concepts/security/pod-security-standards/). */
export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

export interface PodSecurityLevels {
  /** Pods that violate this level are rejected. */
  readonly enforce: PodSecurityLevel;
  /** Violations of this level are recorded in the audit log and returned as warnings. */
  readonly warn: PodSecurityLevel;
}

/** The namespace labels that make Pod Security Admission apply the levels. */
export function podSecurityLabels(levels: PodSecurityLevels): Record<string, string> {
  return {
    'pod-security.kubernetes.io/enforce': levels.enforce,
    'pod-security.kubernetes.io/audit': levels.warn,
    'pod-security.kubernetes.io/warn': levels.warn,
  };
}

export const RESTRICTED: PodSecurityLevels = { enforce: 'restricted', warn: 'restricted' };

/** The levels from strictest to least strict. */
export const POD_SECURITY_ORDER: readonly PodSecurityLevel[] = ['restricted', 'baseline', 'privileged'];

/** The least strict of the levels: the one that admits what each of them admits. Restricted when empty. */
export function leastStrict(levels: readonly PodSecurityLevel[]): PodSecurityLevel {
  return POD_SECURITY_ORDER[Math.max(0, ...levels.map((level) => POD_SECURITY_ORDER.indexOf(level)))];
}
