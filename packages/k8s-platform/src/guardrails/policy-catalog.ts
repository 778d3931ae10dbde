/**
 * The admission policy set as flat data: Pod Security Standards (baseline and restricted) and best practices.
 * Expressions are CEL as Kyverno's ValidatingPolicy evaluates it. Pod policies are written against a Pod
 * (`object.spec`, `object.metadata`); Kyverno's autogen rewrites them for the Pod controllers.
 */

export type PolicyCategory =
  | 'Pod Security Standards (Baseline)'
  | 'Pod Security Standards (Restricted)'
  | 'Best Practices'
  | 'Multi-Tenancy';
export type PolicySeverity = 'low' | 'medium' | 'high';
export type PolicyEnforcement = 'guardrail' | 'everywhere';

/** Pod controllers Kyverno's autogen derives rules for, by resource name. */
export type PodController = 'deployments' | 'statefulsets' | 'daemonsets' | 'replicasets' | 'jobs' | 'cronjobs';

export interface PolicyValidation {
  readonly expression: string;
  readonly message: string;
}

export interface PolicyDefinition {
  readonly name: string;
  readonly title: string;
  readonly category: PolicyCategory;
  readonly severity: PolicySeverity;
  /** Kinds the policy is about, for the `policies.kyverno.io/subject` annotation. */
  readonly subject: string;
  /** What the policy enforces and why. */
  readonly description: string;
  /**
   * Where and how the policy acts. `guardrail`: a pair of policies, one acting in the environment's mode wherever
   * the guard rails enforce, one only auditing in the add-on namespaces (AdmissionPolicies). `everywhere`: one
   * policy that denies in every environment, in every namespace and for cluster-scoped objects alike, for objects
   * only the platform creates, where neither a team's development nor an add-on chart needs leeway.
   * @default 'guardrail'
   */
  readonly enforcement?: PolicyEnforcement;
  /** Resources the policy matches, as `resource[.group][/subresource]`: `pods`, `deployments.apps`. */
  readonly resources: readonly string[];
  /**
   * Controllers autogen covers when the policy matches Pods only.
   * @default every Pod controller
   */
  readonly autogenControllers?: readonly PodController[];
  /**
   * What of the object the validations read. An UPDATE that changes none of it is not checked again, so a
   * change of metadata alone (a finalizer removed, an annotation set) never fails on an object admitted before
   * the policy existed.
   * @default ['spec']
   */
  readonly reads?: readonly ('spec' | 'labels')[];
  /** Conditions an object must meet for the policy to apply at all. */
  readonly matchConditions?: readonly { readonly name: string; readonly expression: string }[];
  readonly variables?: readonly { readonly name: string; readonly expression: string }[];
  readonly validations: readonly PolicyValidation[];
}

/** Facts of the environment that policies compare against. */
export interface PolicyContext {
  /** The only registry images may come from, e.g. `444444444444.dkr.ecr.us-east-1.amazonaws.com`. */
  readonly registryHost: string;
  /**
   * Per namespace, the ARNs of the reader roles its SecretStores may assume (`secretReaderRolesByNamespace` of the
   * environment's `secretReaders`: in a team's namespace its services' readers). A namespace not listed may have no
   * SecretStore for AWS.
   */
  readonly secretReaderRoles: Readonly<Record<string, readonly string[]>>;
}

export const POD_CONTROLLER_RESOURCES = {
  deployments: 'deployments.apps',
  statefulsets: 'statefulsets.apps',
  daemonsets: 'daemonsets.apps',
  replicasets: 'replicasets.apps',
  jobs: 'jobs.batch',
  cronjobs: 'cronjobs.batch',
} as const satisfies Record<PodController, string>;

/**
 * What the Pod policies match: `pods` alone. Kyverno 1.19 derives the controller rules (autogen) only for a
 * policy whose single resource rule is core/v1 `pods`; adding `pods/ephemeralcontainers` would switch autogen
 * off, so Deployments and CronJobs would pass admission and only their Pods be refused. Debug containers
 * (`kubectl debug`) in the team namespaces are held to the restricted standard by Pod Security Admission.
 */
export const POD_RESOURCES = ['pods'] as const;

/** Labels of https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/ every workload carries. */
export const RECOMMENDED_LABELS = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/version',
  'app.kubernetes.io/component',
  'app.kubernetes.io/part-of',
  'app.kubernetes.io/managed-by',
] as const;

// Every container of a Pod: the controls of the Pod Security Standards cover all three lists.
const ALL_CONTAINERS = {
  name: 'allContainers',
  expression:
    'object.spec.containers + object.spec.?initContainers.orValue([]) + object.spec.?ephemeralContainers.orValue([])',
};
// The long-running containers: probes and resources concern these.
const RUNNING_CONTAINERS = {
  name: 'runningContainers',
  expression: 'object.spec.containers + object.spec.?initContainers.orValue([])',
};

const celList = (values: readonly string[]): string => `[${values.map((v) => `'${v}'`).join(', ')}]`;

const BASELINE_CAPABILITIES = [
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
];
const SAFE_SYSCTLS = [
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
];
const SELINUX_TYPES = ['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'];
const RESTRICTED_VOLUME_SOURCES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
];

const BASELINE = 'Pod Security Standards (Baseline)';
const RESTRICTED = 'Pod Security Standards (Restricted)';
const BEST_PRACTICES = 'Best Practices';
const MULTI_TENANCY = 'Multi-Tenancy';

/**
 * A CEL map literal from strings to lists of strings, keys in order. The values are names and ARNs of the naming
 * contract, which hold no quote or backslash.
 */
const celMapOfLists = (entries: Readonly<Record<string, readonly string[]>>): string =>
  `{${Object.keys(entries)
    .sort()
    .map((key) => `'${key}': [${entries[key].map((value) => `'${value}'`).join(', ')}]`)
    .join(', ')}}`;

/** The policies of one environment, in the order the docs list them. */
export function policyCatalog(context: PolicyContext): PolicyDefinition[] {
  return [
    {
      name: 'disallow-host-process',
      title: 'Disallow hostProcess',
      category: BASELINE,
      severity: 'high',
      subject: 'Pod',
      description: 'Windows HostProcess containers run with full access to the node. They are not allowed.',
      resources: POD_RESOURCES,
      variables: [ALL_CONTAINERS],
      validations: [
        {
          expression:
            'object.spec.?securityContext.?windowsOptions.?hostProcess.orValue(false) == false && ' +
            'variables.allContainers.all(c, c.?securityContext.?windowsOptions.?hostProcess.orValue(false) == false)',
          message:
            'HostProcess containers are not allowed: securityContext.windowsOptions.hostProcess must be unset or false.',
        },
      ],
    },
    {
      name: 'disallow-host-namespaces',
      title: 'Disallow host namespaces',
      category: BASELINE,
      severity: 'high',
      subject: 'Pod',
      description:
        "Sharing the node's network, PID or IPC namespace lets a Pod see and reach every process and socket of the node.",
      resources: POD_RESOURCES,
      validations: [
        {
          expression:
            'object.spec.?hostNetwork.orValue(false) == false && object.spec.?hostPID.orValue(false) == false && ' +
            'object.spec.?hostIPC.orValue(false) == false',
          message:
            'Sharing the host namespaces is not allowed: hostNetwork, hostPID and hostIPC must be unset or false.',
        },
      ],
    },
    {
      name: 'disallow-host-path',
      title: 'Disallow hostPath volumes',
      category: BASELINE,
      severity: 'high',
      subject: 'Pod,Volume',
      description: 'A hostPath volume exposes the node filesystem to the Pod and is a common path to a node takeover.',
      resources: POD_RESOURCES,
      validations: [
        {
          expression: 'object.spec.?volumes.orValue([]).all(v, !has(v.hostPath))',
          message: 'hostPath volumes are not allowed: spec.volumes[*].hostPath must be unset.',
        },
      ],
    },
    {
      name: 'disallow-host-ports',
      title: 'Disallow host ports',
      category: BASELINE,
      severity: 'high',
      subject: 'Pod',
      description: 'A host port binds the node address, bypassing Services and NetworkPolicies.',
      resources: POD_RESOURCES,
      variables: [ALL_CONTAINERS],
      validations: [
        {
          expression: 'variables.allContainers.all(c, c.?ports.orValue([]).all(p, p.?hostPort.orValue(0) == 0))',
          message: 'Host ports are not allowed: ports[*].hostPort must be unset or 0.',
        },
      ],
    },
    {
      name: 'disallow-privileged-containers',
      title: 'Disallow privileged containers',
      category: BASELINE,
      severity: 'high',
      subject: 'Pod',
      description: 'A privileged container has every capability and every device of the node.',
      resources: POD_RESOURCES,
      variables: [ALL_CONTAINERS],
      validations: [
        {
          expression: 'variables.allContainers.all(c, c.?securityContext.?privileged.orValue(false) == false)',
          message: 'Privileged containers are not allowed: securityContext.privileged must be unset or false.',
        },
      ],
    },
    {
      name: 'disallow-capabilities',
      title: 'Disallow added capabilities',
      category: BASELINE,
      severity: 'high',
      subject: 'Pod',
      description:
        'Capabilities beyond the container runtime defaults (for example NET_ADMIN, SYS_ADMIN) may not be added.',
      resources: POD_RESOURCES,
      variables: [ALL_CONTAINERS],
      validations: [
        {
          expression: `variables.allContainers.all(c, c.?securityContext.?capabilities.?add.orValue([]).all(cap, cap in ${celList(BASELINE_CAPABILITIES)}))`,
          message: `Adding capabilities beyond ${BASELINE_CAPABILITIES.join(', ')} is not allowed.`,
        },
      ],
    },
    {
      name: 'disallow-proc-mount',
      title: 'Disallow procMount',
      category: BASELINE,
      severity: 'medium',
      subject: 'Pod',
      description: 'An unmasked /proc exposes kernel information of the node; the default mask must stay.',
      resources: POD_RESOURCES,
      variables: [ALL_CONTAINERS],
      validations: [
        {
          expression: "variables.allContainers.all(c, c.?securityContext.?procMount.orValue('Default') == 'Default')",
          message: 'Changing the proc mount is not allowed: securityContext.procMount must be unset or Default.',
        },
      ],
    },
    {
      name: 'disallow-selinux',
      title: 'Disallow custom SELinux options',
      category: BASELINE,
      severity: 'medium',
      subject: 'Pod',
      description: 'SELinux user and role may not be set, and the type only to one of the container types.',
      resources: POD_RESOURCES,
      variables: [
        ALL_CONTAINERS,
        {
          name: 'seLinuxOptions',
          expression:
            '[object.spec.?securityContext.?seLinuxOptions.orValue({})] + ' +
            'variables.allContainers.map(c, c.?securityContext.?seLinuxOptions.orValue({}))',
        },
      ],
      validations: [
        {
          expression:
            `variables.seLinuxOptions.all(o, o.?type.orValue('') in ${celList(SELINUX_TYPES)} && ` +
            "o.?user.orValue('') == '' && o.?role.orValue('') == '')",
          message: `SELinux user and role must be unset, and the type one of ${SELINUX_TYPES.filter((t) => t !== '').join(', ')}.`,
        },
      ],
    },
    {
      name: 'restrict-seccomp',
      title: 'Restrict seccomp',
      category: BASELINE,
      severity: 'medium',
      subject: 'Pod',
      description: 'Seccomp may not be turned off (Unconfined).',
      resources: POD_RESOURCES,
      variables: [ALL_CONTAINERS],
      validations: [
        {
          expression:
            "object.spec.?securityContext.?seccompProfile.?type.orValue('RuntimeDefault') != 'Unconfined' && " +
            "variables.allContainers.all(c, c.?securityContext.?seccompProfile.?type.orValue('RuntimeDefault') != 'Unconfined')",
          message: 'The Unconfined seccomp profile is not allowed.',
        },
      ],
    },
    {
      name: 'restrict-sysctls',
      title: 'Restrict sysctls',
      category: BASELINE,
      severity: 'medium',
      subject: 'Pod',
      description: 'Only the namespaced sysctls that the Pod Security Standards call safe may be set.',
      resources: POD_RESOURCES,
      validations: [
        {
          expression: `object.spec.?securityContext.?sysctls.orValue([]).all(s, s.name in ${celList(SAFE_SYSCTLS)})`,
          message: `Only these sysctls may be set: ${SAFE_SYSCTLS.join(', ')}.`,
        },
      ],
    },
    {
      name: 'restrict-volume-types',
      title: 'Restrict volume types',
      category: RESTRICTED,
      severity: 'medium',
      subject: 'Pod,Volume',
      description: 'Only volume types that do not reach into the node or the network storage of others are allowed.',
      resources: POD_RESOURCES,
      validations: [
        {
          expression: `object.spec.?volumes.orValue([]).all(v, v.all(field, field == 'name' || field in ${celList(RESTRICTED_VOLUME_SOURCES)}))`,
          message: `Only these volume types are allowed: ${RESTRICTED_VOLUME_SOURCES.join(', ')}.`,
        },
      ],
    },
    {
      name: 'disallow-privilege-escalation',
      title: 'Disallow privilege escalation',
      category: RESTRICTED,
      severity: 'high',
      subject: 'Pod',
      description:
        'A process may not gain more privileges than its parent (setuid binaries): allowPrivilegeEscalation must be false.',
      resources: POD_RESOURCES,
      variables: [ALL_CONTAINERS],
      validations: [
        {
          expression:
            'variables.allContainers.all(c, c.?securityContext.?allowPrivilegeEscalation.orValue(true) == false)',
          message:
            'Privilege escalation is not allowed: every container must set securityContext.allowPrivilegeEscalation to false.',
        },
      ],
    },
    {
      name: 'require-run-as-nonroot',
      title: 'Require running as non-root',
      category: RESTRICTED,
      severity: 'high',
      subject: 'Pod',
      description: 'Containers must run as a non-root user: runAsNonRoot true, and never runAsUser 0.',
      resources: POD_RESOURCES,
      variables: [ALL_CONTAINERS],
      validations: [
        {
          expression:
            '(object.spec.?securityContext.?runAsNonRoot.orValue(false) == true && variables.allContainers.all(c, c.?securityContext.?runAsNonRoot.orValue(true) == true)) || ' +
            'variables.allContainers.all(c, c.?securityContext.?runAsNonRoot.orValue(false) == true)',
          message:
            'Running as root is not allowed: set securityContext.runAsNonRoot to true on the Pod or on every container.',
        },
        {
          expression:
            'object.spec.?securityContext.?runAsUser.orValue(1) != 0 && ' +
            'variables.allContainers.all(c, c.?securityContext.?runAsUser.orValue(1) != 0)',
          message: 'Running as root is not allowed: runAsUser must not be 0.',
        },
      ],
    },
    {
      name: 'require-seccomp-profile',
      title: 'Require a seccomp profile',
      category: RESTRICTED,
      severity: 'medium',
      subject: 'Pod',
      description: 'Seccomp must be on explicitly: RuntimeDefault or Localhost, on the Pod or on every container.',
      resources: POD_RESOURCES,
      variables: [ALL_CONTAINERS],
      validations: [
        {
          expression:
            "(object.spec.?securityContext.?seccompProfile.?type.orValue('') in ['RuntimeDefault', 'Localhost'] && " +
            "variables.allContainers.all(c, c.?securityContext.?seccompProfile.?type.orValue('RuntimeDefault') in ['RuntimeDefault', 'Localhost'])) || " +
            "variables.allContainers.all(c, c.?securityContext.?seccompProfile.?type.orValue('') in ['RuntimeDefault', 'Localhost'])",
          message:
            'A seccomp profile is required: set securityContext.seccompProfile.type to RuntimeDefault or Localhost.',
        },
      ],
    },
    {
      name: 'require-drop-all-capabilities',
      title: 'Require dropping all capabilities',
      category: RESTRICTED,
      severity: 'medium',
      subject: 'Pod',
      description: 'Containers must drop ALL capabilities and may add back only NET_BIND_SERVICE.',
      resources: POD_RESOURCES,
      variables: [ALL_CONTAINERS],
      validations: [
        {
          expression:
            "variables.allContainers.all(c, 'ALL' in c.?securityContext.?capabilities.?drop.orValue([]) && " +
            "c.?securityContext.?capabilities.?add.orValue([]).all(cap, cap == 'NET_BIND_SERVICE'))",
          message: 'Every container must drop ALL capabilities and may add only NET_BIND_SERVICE.',
        },
      ],
    },
    {
      name: 'disallow-latest-tag',
      title: 'Disallow latest and untagged images',
      category: BEST_PRACTICES,
      severity: 'medium',
      subject: 'Pod',
      description:
        'An image without a tag, or tagged latest, changes under a running workload: rollbacks and audits need a fixed tag or digest.',
      resources: POD_RESOURCES,
      variables: [ALL_CONTAINERS],
      validations: [
        {
          expression:
            "variables.allContainers.all(c, c.image.matches('@sha256:[0-9a-f]{64}$') || " +
            "(c.image.matches(':[^:/@]+$') && !c.image.endsWith(':latest')))",
          message: 'Images must have a tag other than latest, or a digest.',
        },
      ],
    },
    {
      name: 'require-requests-limits',
      title: 'Require requests and a memory limit',
      category: BEST_PRACTICES,
      severity: 'medium',
      subject: 'Pod',
      description:
        'The scheduler places Pods by their requests, and a memory limit keeps one leaking container from starving its node.',
      resources: POD_RESOURCES,
      variables: [RUNNING_CONTAINERS],
      validations: [
        {
          expression:
            'variables.runningContainers.all(c, c.?resources.?requests.?cpu.hasValue() && ' +
            'c.?resources.?requests.?memory.hasValue() && c.?resources.?limits.?memory.hasValue())',
          message:
            'Every container must set resources.requests.cpu, resources.requests.memory and resources.limits.memory.',
        },
      ],
    },
    {
      name: 'require-probes',
      title: 'Require liveness and readiness probes',
      category: BEST_PRACTICES,
      severity: 'medium',
      subject: 'Pod',
      description:
        'Without a readiness probe traffic reaches Pods that cannot serve it; without a liveness probe a hung process is never restarted. Pods of Jobs run to completion and are exempt.',
      resources: POD_RESOURCES,
      autogenControllers: ['deployments', 'statefulsets', 'daemonsets'],
      matchConditions: [
        {
          name: 'not-run-to-completion',
          expression: "!object.metadata.?ownerReferences.orValue([]).exists(o, o.kind == 'Job')",
        },
      ],
      validations: [
        {
          expression: 'object.spec.containers.all(c, has(c.livenessProbe) && has(c.readinessProbe))',
          message: 'Every container must have a livenessProbe and a readinessProbe.',
        },
      ],
    },
    {
      name: 'require-recommended-labels',
      title: 'Require the recommended labels',
      category: BEST_PRACTICES,
      severity: 'low',
      subject: 'Pod',
      description: `Dashboards, cost reports and alerts group workloads by the recommended labels: ${RECOMMENDED_LABELS.join(', ')}.`,
      resources: POD_RESOURCES,
      reads: ['spec', 'labels'],
      validations: [
        {
          expression: `${celList(RECOMMENDED_LABELS)}.all(l, l in object.metadata.?labels.orValue({}) && object.metadata.labels[l] != '')`,
          message: `The labels ${RECOMMENDED_LABELS.join(', ')} are required.`,
        },
      ],
    },
    {
      name: 'require-ro-rootfs',
      title: 'Require a read-only root filesystem',
      category: BEST_PRACTICES,
      severity: 'medium',
      subject: 'Pod',
      description:
        'A read-only root filesystem stops an intruder from changing binaries; write to an emptyDir instead.',
      resources: POD_RESOURCES,
      variables: [ALL_CONTAINERS],
      validations: [
        {
          expression:
            'variables.allContainers.all(c, c.?securityContext.?readOnlyRootFilesystem.orValue(false) == true)',
          message: 'Every container must set securityContext.readOnlyRootFilesystem to true.',
        },
      ],
    },
    {
      name: 'restrict-image-registries',
      title: 'Restrict image registries',
      category: BEST_PRACTICES,
      severity: 'high',
      subject: 'Pod',
      description: `Images come from the platform's ECR registry (${context.registryHost}) only, where they are scanned and immutable.`,
      resources: POD_RESOURCES,
      variables: [ALL_CONTAINERS],
      validations: [
        {
          expression: `variables.allContainers.all(c, c.image.startsWith('${context.registryHost}/'))`,
          message: `Images must come from ${context.registryHost}.`,
        },
      ],
    },
    {
      name: 'disallow-default-namespace',
      title: 'Disallow the default namespace',
      category: BEST_PRACTICES,
      severity: 'medium',
      subject: 'Pod,Service',
      description: 'Workloads belong to their team namespace, where quotas, NetworkPolicies and RBAC apply.',
      resources: ['pods', 'services', ...Object.values(POD_CONTROLLER_RESOURCES)],
      matchConditions: [
        {
          // The API server keeps its own Service `default/kubernetes` in line with its flags.
          name: 'not-the-api-server-service',
          expression:
            "!(object.kind == 'Service' && object.metadata.name == 'kubernetes' && object.metadata.?namespace.orValue('') == 'default')",
        },
      ],
      validations: [
        {
          expression: "object.metadata.?namespace.orValue('default') != 'default'",
          message: 'The default namespace may not be used; deploy to your team namespace.',
        },
      ],
    },
    {
      name: 'restrict-nodeport',
      title: 'Disallow NodePort services',
      category: BEST_PRACTICES,
      severity: 'medium',
      subject: 'Service',
      description: 'A NodePort opens a port on every node, outside the load balancer and its TLS; use the ALB ingress.',
      resources: ['services'],
      validations: [
        {
          expression: "object.spec.?type.orValue('ClusterIP') != 'NodePort'",
          message: 'Services of type NodePort are not allowed.',
        },
      ],
    },
    {
      name: 'restrict-secret-store-role',
      title: "Restrict secret stores to their namespace's reader roles",
      category: MULTI_TENANCY,
      severity: 'high',
      subject: 'SecretStore,ClusterSecretStore',
      description:
        "External Secrets' chart lets the edit role create SecretStores: a store for AWS must assume a reader role of its own namespace (one of its services' readers, or a platform namespace's), which reads that namespace's secrets only, and may not add roles or credentials of its own. A ClusterSecretStore serves the ExternalSecrets of every namespace, and the platform ships none, so none is admitted. Denied in every environment and namespace: only the platform creates stores, and no add-on chart does.",
      enforcement: 'everywhere',
      resources: ['secretstores.external-secrets.io', 'clustersecretstores.external-secrets.io'],
      variables: [
        { name: 'readerRoles', expression: celMapOfLists(context.secretReaderRoles) },
        {
          name: 'allowedRoles',
          expression:
            "object.metadata.?namespace.orValue('') in variables.readerRoles ? variables.readerRoles[object.metadata.namespace] : []",
        },
      ],
      validations: [
        {
          expression: "object.kind != 'ClusterSecretStore'",
          message:
            "ClusterSecretStores are not allowed: one serves every namespace's ExternalSecrets. Use your namespace's SecretStores.",
        },
        {
          expression:
            "!object.spec.?provider.?aws.hasValue() || object.spec.provider.aws.?role.orValue('') in variables.allowedRoles",
          message:
            "A SecretStore for AWS must set spec.provider.aws.role to a reader role of its namespace (the role of one of the namespace's SecretStores in dist/: a team's namespace has one per service with a data store); a namespace without one may have no SecretStore for AWS.",
        },
        {
          expression: 'object.spec.?provider.?aws.?additionalRoles.orValue([]).size() == 0',
          message: 'A SecretStore may not chain further roles: spec.provider.aws.additionalRoles must be unset.',
        },
        {
          expression: '!object.spec.?provider.?aws.?auth.hasValue()',
          message:
            "A SecretStore may not bring credentials: spec.provider.aws.auth must be unset (the controller's own identity assumes the reader role).",
        },
      ],
    },
    {
      name: 'restrict-external-ips',
      title: 'Disallow external IPs',
      category: BEST_PRACTICES,
      severity: 'high',
      subject: 'Service',
      description: 'spec.externalIPs lets a Service capture traffic for any address (CVE-2020-8554).',
      resources: ['services'],
      validations: [
        {
          expression: 'object.spec.?externalIPs.orValue([]).size() == 0',
          message: 'Services may not set externalIPs.',
        },
      ],
    },
  ];
}
