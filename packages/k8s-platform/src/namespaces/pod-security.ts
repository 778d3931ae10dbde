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
