/**
 * The Pod Security Standards as Pod Security Admission checks a pod spec (https://kubernetes.io/docs/concepts/security/pod-security-standards/,
 * Kubernetes 1.35), written independently of the Kyverno policies so a test can tell which level a namespace
 * needs. Each check returns the violation it finds, or nothing.
 */

export type Level = 'privileged' | 'baseline' | 'restricted';
export const LEVELS_STRICTEST_FIRST: readonly Level[] = ['restricted', 'baseline', 'privileged'];

// biome-ignore lint/suspicious/noExplicitAny: pod specs are free-form manifests
type Json = Record<string, any>;

const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ping_group_range',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
]);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const RESTRICTED_VOLUMES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

const containersOf = (spec: Json): Json[] => [
  ...(spec.containers ?? []),
  ...(spec.initContainers ?? []),
  ...(spec.ephemeralContainers ?? []),
];

type Check = (spec: Json, annotations: Record<string, string>) => string | undefined;
const where = (problems: (string | false | undefined)[]): string | undefined =>
  problems.filter((p): p is string => typeof p === 'string').join('; ') || undefined;

const BASELINE: Record<string, Check> = {
  hostProcess: (spec) =>
    where([
      spec.securityContext?.windowsOptions?.hostProcess === true && 'pod hostProcess',
      ...containersOf(spec).map(
        (c) => c.securityContext?.windowsOptions?.hostProcess === true && `${c.name} hostProcess`,
      ),
    ]),
  hostNamespaces: (spec) =>
    where([
      spec.hostNetwork === true && 'hostNetwork',
      spec.hostPID === true && 'hostPID',
      spec.hostIPC === true && 'hostIPC',
    ]),
  privileged: (spec) =>
    where(containersOf(spec).map((c) => c.securityContext?.privileged === true && `${c.name} privileged`)),
  capabilities: (spec) =>
    where(
      containersOf(spec).map((c) => {
        const added = (c.securityContext?.capabilities?.add ?? []).filter(
          (cap: string) => !BASELINE_CAPABILITIES.has(cap),
        );
        return added.length > 0 && `${c.name} adds ${added.join(', ')}`;
      }),
    ),
  hostPathVolumes: (spec) => where((spec.volumes ?? []).map((v: Json) => v.hostPath && `hostPath ${v.hostPath.path}`)),
  hostPorts: (spec) =>
    where(
      containersOf(spec).flatMap((c) =>
        (c.ports ?? []).map((p: Json) => (p.hostPort ?? 0) !== 0 && `${c.name} hostPort ${p.hostPort}`),
      ),
    ),
  appArmor: (spec, annotations) =>
    where([
      ...[spec.securityContext, ...containersOf(spec).map((c) => c.securityContext)].map(
        (sc) => sc?.appArmorProfile?.type === 'Unconfined' && 'AppArmor Unconfined',
      ),
      ...Object.entries(annotations).map(
        ([key, value]) =>
          key.startsWith('container.apparmor.security.beta.kubernetes.io/') &&
          value !== 'runtime/default' &&
          !value.startsWith('localhost/') &&
          `AppArmor ${value}`,
      ),
    ]),
  seLinux: (spec) =>
    where(
      [spec.securityContext, ...containersOf(spec).map((c) => c.securityContext)].map((sc) => {
        const options = sc?.seLinuxOptions;
        return (
          options &&
          (!SELINUX_TYPES.has(options.type ?? '') || options.user || options.role) &&
          `SELinux ${JSON.stringify(options)}`
        );
      }),
    ),
  procMount: (spec) =>
    where(
      containersOf(spec).map((c) => (c.securityContext?.procMount ?? 'Default') !== 'Default' && `${c.name} procMount`),
    ),
  seccomp: (spec) =>
    where(
      [spec.securityContext, ...containersOf(spec).map((c) => c.securityContext)].map(
        (sc) => sc?.seccompProfile?.type === 'Unconfined' && 'seccomp Unconfined',
      ),
    ),
  sysctls: (spec) =>
    where((spec.securityContext?.sysctls ?? []).map((s: Json) => !SAFE_SYSCTLS.has(s.name) && `sysctl ${s.name}`)),
};

const RESTRICTED: Record<string, Check> = {
  volumeTypes: (spec) =>
    where(
      (spec.volumes ?? []).flatMap((v: Json) =>
        Object.keys(v)
          .filter((key) => key !== 'name' && !RESTRICTED_VOLUMES.has(key))
          .map((key) => `volume ${v.name} is ${key}`),
      ),
    ),
  privilegeEscalation: (spec) =>
    where(
      containersOf(spec).map(
        (c) => c.securityContext?.allowPrivilegeEscalation !== false && `${c.name} allowPrivilegeEscalation`,
      ),
    ),
  runAsNonRoot: (spec) => {
    const podNonRoot = spec.securityContext?.runAsNonRoot === true;
    return where(
      containersOf(spec).map((c) => {
        const own = c.securityContext?.runAsNonRoot;
        return (own === false || (own === undefined && !podNonRoot)) && `${c.name} may run as root`;
      }),
    );
  },
  runAsUser: (spec) =>
    where([
      spec.securityContext?.runAsUser === 0 && 'pod runAsUser 0',
      ...containersOf(spec).map((c) => c.securityContext?.runAsUser === 0 && `${c.name} runAsUser 0`),
    ]),
  seccompRequired: (spec) => {
    const allowed = (type: string | undefined) => type === 'RuntimeDefault' || type === 'Localhost';
    const pod = spec.securityContext?.seccompProfile?.type;
    return where(
      containersOf(spec).map((c) => {
        const own = c.securityContext?.seccompProfile?.type;
        return !(own === undefined ? allowed(pod) : allowed(own)) && `${c.name} without a seccomp profile`;
      }),
    );
  },
  capabilitiesRestricted: (spec) =>
    where(
      containersOf(spec).map((c) => {
        const capabilities = c.securityContext?.capabilities ?? {};
        const dropsAll = (capabilities.drop ?? []).includes('ALL');
        const added = (capabilities.add ?? []).filter((cap: string) => cap !== 'NET_BIND_SERVICE');
        return (!dropsAll || added.length > 0) && `${c.name} does not drop ALL or adds ${added.join(', ')}`;
      }),
    ),
};

/** What a pod spec violates at a level; empty when the level admits it. */
export function podSecurityViolations(spec: Json, level: Level, annotations: Record<string, string> = {}): string[] {
  if (level === 'privileged') return [];
  const checks = level === 'baseline' ? BASELINE : { ...BASELINE, ...RESTRICTED };
  return Object.entries(checks).flatMap(([name, check]) => {
    const problem = check(spec, annotations);
    return problem ? [`${name}: ${problem}`] : [];
  });
}

/** The strictest level that admits the pod spec. */
export function strictestAdmittingLevel(spec: Json, annotations: Record<string, string> = {}): Level {
  return (
    LEVELS_STRICTEST_FIRST.find((level) => podSecurityViolations(spec, level, annotations).length === 0) ?? 'privileged'
  );
}
