/**
 * How the platform's add-ons run their pods at their pinned chart versions, with the values this platform sets:
 * the facts the admission policies and Pod Security levels must admit. Each entry names the chart, the version
 * the facts were read at and the template file; only what admission looks at is recorded (host access, security
 * contexts, volume types, resources, probes, images). Read by rendering each chart with the values of its
 * Application (`helm template`) and reading its templates; hook Jobs count (Argo CD and Helm run them), Helm
 * test pods do not (Argo CD never runs them).
 */

import {
  LOG_COLLECTOR_HOST_PATHS,
  LOG_COLLECTOR_RESOURCES,
  LOG_COLLECTOR_SECURITY_CONTEXT,
  TRACE_COLLECTOR_IMAGE,
  TRACE_COLLECTOR_RESOURCES,
  TRACE_COLLECTOR_SECURITY_CONTEXT,
} from '@platform/k8s-platform';

// biome-ignore lint/suspicious/noExplicitAny: security contexts are free-form manifest fragments
type Json = Record<string, any>;

export interface ContainerFacts {
  readonly name: string;
  readonly image: string;
  readonly securityContext?: Json;
  /** Only the keys the chart sets; absent when it sets none. */
  readonly resources?: Json;
  /** Whether the container has both a liveness and a readiness probe. */
  readonly probes?: boolean;
  /** Host ports, including the ones the API server defaults from containerPort on the host network. */
  readonly hostPorts?: readonly number[];
}

export interface WorkloadFacts {
  readonly kind: 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Job';
  readonly name: string;
  /** The chart file (or operator source) the pod comes from. */
  readonly template: string;
  /** Helm hook that creates it, for hook Jobs. */
  readonly hook?: string;
  readonly hostNetwork?: boolean;
  readonly hostPID?: boolean;
  readonly podSecurityContext?: Json;
  /** Volume sources by type, `hostPath:<path>` for host paths. */
  readonly volumes?: readonly string[];
  readonly initContainers?: readonly ContainerFacts[];
  readonly containers: readonly ContainerFacts[];
}

export interface AddonFacts {
  /** The Argo CD Application (or, for Argo CD itself and EKS add-ons, the release) the pods belong to. */
  readonly addon: string;
  readonly chart: string;
  /** The chart version the facts were read at. */
  readonly version: string;
  /** Where the chart was read. */
  readonly source: string;
  readonly workloads: readonly WorkloadFacts[];
}

const DROP_ALL = { drop: ['ALL'] };
const RUNTIME_DEFAULT = { type: 'RuntimeDefault' };

// external-secrets values.yaml `securityContext` (shared by controller, webhook and cert-controller).
const ESO_CONTAINER = {
  allowPrivilegeEscalation: false,
  capabilities: DROP_ALL,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  runAsUser: 1000,
  seccompProfile: RUNTIME_DEFAULT,
};
// kyverno values.yaml: every controller and hook container gets this security context.
const KYVERNO_CONTAINER = {
  allowPrivilegeEscalation: false,
  capabilities: DROP_ALL,
  privileged: false,
  readOnlyRootFilesystem: true,
  runAsGroup: 65534,
  runAsNonRoot: true,
  runAsUser: 65534,
  seccompProfile: RUNTIME_DEFAULT,
};
const KYVERNO_HOOK_RESOURCES = { limits: { cpu: '100m', memory: '256Mi' }, requests: { cpu: '10m', memory: '64Mi' } };
const KYVERNO_CONTROLLER_RESOURCES = { limits: { memory: '128Mi' }, requests: { cpu: '100m', memory: '64Mi' } };
// argo-cd values.yaml `global.containerSecurityContext`.
const ARGO_CD_CONTAINER = {
  allowPrivilegeEscalation: false,
  capabilities: DROP_ALL,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  seccompProfile: RUNTIME_DEFAULT,
};
const ARGO_CD_IMAGE = 'quay.io/argoproj/argocd:v3.4.4';
// prometheus-operator v0.93.0 pkg/operator/config_reloader.go: the config-reloader's own security context.
const CONFIG_RELOADER = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: DROP_ALL,
};
const CONFIG_RELOADER_IMAGE = 'quay.io/prometheus-operator/prometheus-config-reloader:v0.93.0';
// kube-prometheus-stack values.yaml `prometheus.prometheusSpec.securityContext` and the Alertmanager's alike.
const PROMETHEUS_POD = {
  fsGroup: 2000,
  runAsGroup: 2000,
  runAsNonRoot: true,
  runAsUser: 1000,
  seccompProfile: RUNTIME_DEFAULT,
};
const NON_ROOT_65534 = { fsGroup: 65534, runAsGroup: 65534, runAsNonRoot: true, runAsUser: 65534 };

export const ADDON_FACTS: readonly AddonFacts[] = [
  {
    addon: 'external-secrets',
    chart: 'external-secrets',
    version: '1.3.2',
    source:
      'deploy/charts/external-secrets of github.com/external-secrets/external-secrets v1.3.2 (its Chart.yaml still reads 1.3.1)',
    workloads: [
      {
        kind: 'Deployment',
        name: 'external-secrets',
        template: 'templates/deployment.yaml',
        // The controller has no probes by default (livenessProbe.enabled false, no readiness probe).
        containers: [
          {
            name: 'external-secrets',
            image: 'ghcr.io/external-secrets/external-secrets:v1.3.1',
            securityContext: ESO_CONTAINER,
          },
        ],
      },
      {
        kind: 'Deployment',
        name: 'external-secrets-webhook',
        template: 'templates/webhook-deployment.yaml',
        volumes: ['secret'],
        containers: [
          {
            name: 'webhook',
            image: 'ghcr.io/external-secrets/external-secrets:v1.3.1',
            securityContext: ESO_CONTAINER,
          },
        ],
      },
      {
        kind: 'Deployment',
        name: 'external-secrets-cert-controller',
        template: 'templates/cert-controller-deployment.yaml',
        containers: [
          {
            name: 'cert-controller',
            image: 'ghcr.io/external-secrets/external-secrets:v1.3.1',
            securityContext: ESO_CONTAINER,
          },
        ],
      },
    ],
  },
  {
    addon: 'karpenter',
    chart: 'karpenter',
    version: '1.14.1',
    source: 'charts/karpenter of github.com/aws/karpenter-provider-aws v1.14.1 (its Chart.yaml still reads 1.13.0)',
    workloads: [
      {
        kind: 'Deployment',
        name: 'karpenter',
        template: 'templates/deployment.yaml',
        podSecurityContext: { fsGroup: 65532, seccompProfile: RUNTIME_DEFAULT },
        containers: [
          {
            name: 'controller',
            image: 'public.ecr.aws/karpenter/controller:1.13.0',
            // values.yaml `controller.resources` is empty: no requests, no limits.
            securityContext: {
              privileged: false,
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              runAsNonRoot: true,
              runAsUser: 65532,
              runAsGroup: 65532,
              capabilities: DROP_ALL,
            },
            probes: true,
          },
        ],
      },
    ],
  },
  {
    addon: 'kyverno',
    chart: 'kyverno',
    version: '3.9.0',
    source: 'charts/kyverno of github.com/kyverno/kyverno v1.19.0 (chart 3.9.0)',
    workloads: [
      {
        kind: 'Deployment',
        name: 'kyverno-admission-controller',
        template: 'templates/admission-controller/deployment.yaml',
        volumes: ['emptyDir', 'projected'],
        initContainers: [
          {
            name: 'kyverno-pre',
            image: 'reg.kyverno.io/kyverno/kyvernopre:v1.19.0',
            securityContext: KYVERNO_CONTAINER,
            resources: KYVERNO_HOOK_RESOURCES,
          },
        ],
        containers: [
          {
            name: 'kyverno',
            image: 'reg.kyverno.io/kyverno/kyverno:v1.19.0',
            securityContext: KYVERNO_CONTAINER,
            resources: { limits: { memory: '384Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
            probes: true,
          },
        ],
      },
      {
        kind: 'Deployment',
        name: 'kyverno-background-controller',
        template: 'templates/background-controller/deployment.yaml',
        volumes: ['projected'],
        containers: [
          {
            name: 'controller',
            image: 'reg.kyverno.io/kyverno/background-controller:v1.19.0',
            securityContext: KYVERNO_CONTAINER,
            resources: KYVERNO_CONTROLLER_RESOURCES,
          },
        ],
      },
      {
        kind: 'Deployment',
        name: 'kyverno-cleanup-controller',
        template: 'templates/cleanup-controller/deployment.yaml',
        volumes: ['projected'],
        containers: [
          {
            name: 'controller',
            image: 'reg.kyverno.io/kyverno/cleanup-controller:v1.19.0',
            securityContext: KYVERNO_CONTAINER,
            resources: KYVERNO_CONTROLLER_RESOURCES,
            probes: true,
          },
        ],
      },
      {
        kind: 'Deployment',
        name: 'kyverno-reports-controller',
        template: 'templates/reports-controller/deployment.yaml',
        volumes: ['emptyDir', 'projected'],
        containers: [
          {
            name: 'controller',
            image: 'reg.kyverno.io/kyverno/reports-controller:v1.19.0',
            securityContext: KYVERNO_CONTAINER,
            resources: KYVERNO_CONTROLLER_RESOURCES,
          },
        ],
      },
      ...(
        [
          [
            'kyverno-migrate-resources',
            'post-upgrade',
            'templates/hooks/post-upgrade-migrate-resources.yaml',
            'kyverno-cli',
            'reg.kyverno.io/kyverno/kyverno-cli:v1.19.0',
          ],
          [
            'kyverno-rm-webhooks',
            'pre-delete',
            'templates/hooks/pre-delete-remove-webhooks.yaml',
            'kubectl',
            'ghcr.io/kyverno/readiness-checker:v1.19.0',
          ],
          [
            'kyverno-scale-to-zero',
            'pre-delete',
            'templates/hooks/pre-delete-scale-to-zero.yaml',
            'kubectl',
            'ghcr.io/kyverno/readiness-checker:v1.19.0',
          ],
        ] as const
      ).map(
        ([name, hook, template, container, image]): WorkloadFacts => ({
          kind: 'Job',
          name,
          hook,
          template,
          containers: [
            { name: container, image, securityContext: KYVERNO_CONTAINER, resources: KYVERNO_HOOK_RESOURCES },
          ],
        }),
      ),
    ],
  },
  {
    addon: 'kube-prometheus-stack',
    chart: 'kube-prometheus-stack',
    version: '88.0.0',
    source:
      'charts/kube-prometheus-stack of github.com/prometheus-community/helm-charts at tag kube-prometheus-stack-88.0.0, with its subcharts prometheus-node-exporter 4.56.1, kube-state-metrics 8.0.0 (same repository) and grafana 12.10.0 (github.com/grafana-community/helm-charts); Prometheus and Alertmanager pods from prometheus-operator v0.93.0',
    workloads: [
      {
        kind: 'DaemonSet',
        name: 'kube-prometheus-stack-prometheus-node-exporter',
        template: 'charts/prometheus-node-exporter/templates/daemonset.yaml',
        hostNetwork: true,
        hostPID: true,
        podSecurityContext: NON_ROOT_65534,
        volumes: ['hostPath:/proc', 'hostPath:/sys', 'hostPath:/'],
        containers: [
          {
            name: 'node-exporter',
            image: 'quay.io/prometheus/node-exporter:v1.12.1-distroless',
            securityContext: { readOnlyRootFilesystem: true },
            probes: true,
            // containerPort 9100 on the host network: the API server defaults hostPort to it.
            hostPorts: [9100],
          },
        ],
      },
      {
        kind: 'Deployment',
        name: 'kube-prometheus-stack-grafana',
        template: 'charts/grafana/templates/deployment.yaml',
        podSecurityContext: { fsGroup: 472, runAsGroup: 472, runAsNonRoot: true, runAsUser: 472 },
        volumes: ['configMap', 'emptyDir'],
        containers: [
          ...['grafana-sc-dashboard', 'grafana-sc-datasources'].map((name) => ({
            name,
            image: 'quay.io/kiwigrid/k8s-sidecar:2.10.0',
            securityContext: {
              allowPrivilegeEscalation: false,
              capabilities: DROP_ALL,
              seccompProfile: RUNTIME_DEFAULT,
            },
          })),
          {
            name: 'grafana',
            image: 'docker.io/grafana/grafana:13.1.1',
            securityContext: {
              allowPrivilegeEscalation: false,
              capabilities: DROP_ALL,
              privileged: false,
              seccompProfile: RUNTIME_DEFAULT,
            },
            probes: true,
          },
        ],
      },
      {
        kind: 'Deployment',
        name: 'kube-prometheus-stack-kube-state-metrics',
        template: 'charts/kube-state-metrics/templates/deployment.yaml',
        podSecurityContext: { ...NON_ROOT_65534, seccompProfile: RUNTIME_DEFAULT },
        containers: [
          {
            name: 'kube-state-metrics',
            image: 'registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.19.1',
            securityContext: { allowPrivilegeEscalation: false, capabilities: DROP_ALL, readOnlyRootFilesystem: true },
            probes: true,
          },
        ],
      },
      {
        kind: 'Deployment',
        name: 'kube-prometheus-stack-operator',
        template: 'templates/prometheus-operator/deployment.yaml',
        podSecurityContext: { ...NON_ROOT_65534, seccompProfile: RUNTIME_DEFAULT },
        volumes: ['secret'],
        containers: [
          {
            name: 'kube-prometheus-stack',
            image: 'quay.io/prometheus-operator/prometheus-operator:v0.93.0',
            securityContext: { allowPrivilegeEscalation: false, capabilities: DROP_ALL, readOnlyRootFilesystem: true },
            probes: true,
          },
        ],
      },
      ...(
        [
          ['kube-prometheus-stack-admission-create', 'pre-install,pre-upgrade', 'job-createSecret.yaml', 'create'],
          ['kube-prometheus-stack-admission-patch', 'post-install,post-upgrade', 'job-patchWebhook.yaml', 'patch'],
        ] as const
      ).map(
        ([name, hook, file, container]): WorkloadFacts => ({
          kind: 'Job',
          name,
          hook,
          template: `templates/prometheus-operator/admission-webhooks/job-patch/${file}`,
          podSecurityContext: {
            runAsGroup: 2000,
            runAsNonRoot: true,
            runAsUser: 2000,
            seccompProfile: RUNTIME_DEFAULT,
          },
          // values.yaml `prometheusOperator.admissionWebhooks.patch.resources` is empty.
          containers: [
            {
              name: container,
              image: 'ghcr.io/jkroepke/kube-webhook-certgen:1.8.5',
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: DROP_ALL,
                readOnlyRootFilesystem: true,
              },
            },
          ],
        }),
      ),
      {
        kind: 'StatefulSet',
        name: 'prometheus-kube-prometheus-stack-prometheus',
        template:
          'prometheus-operator v0.93.0 pkg/prometheus/server/statefulset.go, from templates/prometheus/prometheus.yaml',
        podSecurityContext: PROMETHEUS_POD,
        volumes: ['secret', 'projected', 'emptyDir', 'configMap', 'persistentVolumeClaim'],
        initContainers: [
          { name: 'init-config-reloader', image: CONFIG_RELOADER_IMAGE, securityContext: CONFIG_RELOADER },
        ],
        containers: [
          {
            name: 'prometheus',
            image: 'quay.io/prometheus/prometheus:v3.13.1-distroless',
            securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: DROP_ALL },
            probes: true,
          },
          // The chart passes --config-reloader-{cpu,memory}-{request,limit}=0 (no resources) and leaves
          // --enable-config-reloader-probes off (prometheusOperator.prometheusConfigReloader.enableProbe: false).
          { name: 'config-reloader', image: CONFIG_RELOADER_IMAGE, securityContext: CONFIG_RELOADER },
        ],
      },
      {
        kind: 'StatefulSet',
        name: 'alertmanager-kube-prometheus-stack-alertmanager',
        template:
          'prometheus-operator v0.93.0 pkg/alertmanager/statefulset.go, from templates/alertmanager/alertmanager.yaml',
        podSecurityContext: PROMETHEUS_POD,
        // The receivers Secret is this platform's (alertmanagerSpec.volumes).
        volumes: ['secret', 'projected', 'emptyDir'],
        initContainers: [
          { name: 'init-config-reloader', image: CONFIG_RELOADER_IMAGE, securityContext: CONFIG_RELOADER },
        ],
        containers: [
          {
            name: 'alertmanager',
            image: 'quay.io/prometheus/alertmanager:v0.33.1',
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: DROP_ALL },
            // The operator requests 200Mi of memory when spec.resources names none.
            resources: { requests: { memory: '200Mi' } },
            probes: true,
          },
          { name: 'config-reloader', image: CONFIG_RELOADER_IMAGE, securityContext: CONFIG_RELOADER },
        ],
      },
    ],
  },
  {
    addon: 'argo-cd',
    chart: 'argo-cd',
    version: '10.1.1',
    source:
      'charts/argo-cd of github.com/argoproj/argo-helm at tag argo-cd-10.1.1, the newest tag obtainable here (values of the cloud stack: dex off)',
    workloads: [
      ...(
        [
          ['argo-cd-argocd-server', 'templates/argocd-server/deployment.yaml', 'server', true, true],
          [
            'argo-cd-argocd-applicationset-controller',
            'templates/argocd-applicationset/deployment.yaml',
            'applicationset-controller',
            false,
            true,
          ],
          [
            'argo-cd-argocd-notifications-controller',
            'templates/argocd-notifications/deployment.yaml',
            'notifications-controller',
            false,
            false,
          ],
        ] as const
      ).map(
        ([name, template, container, probes, emptyDir]): WorkloadFacts => ({
          kind: 'Deployment',
          name,
          template,
          volumes: ['configMap', ...(emptyDir ? ['emptyDir'] : []), 'secret'],
          containers: [{ name: container, image: ARGO_CD_IMAGE, securityContext: ARGO_CD_CONTAINER, probes }],
        }),
      ),
      {
        kind: 'Deployment',
        name: 'argo-cd-argocd-repo-server',
        template: 'templates/argocd-repo-server/deployment.yaml',
        volumes: ['configMap', 'emptyDir', 'secret'],
        initContainers: [{ name: 'copyutil', image: ARGO_CD_IMAGE, securityContext: ARGO_CD_CONTAINER }],
        containers: [{ name: 'repo-server', image: ARGO_CD_IMAGE, securityContext: ARGO_CD_CONTAINER, probes: true }],
      },
      {
        kind: 'StatefulSet',
        name: 'argo-cd-argocd-application-controller',
        template: 'templates/argocd-application-controller/statefulset.yaml',
        volumes: ['configMap', 'emptyDir', 'secret'],
        // A readiness probe only.
        containers: [{ name: 'application-controller', image: ARGO_CD_IMAGE, securityContext: ARGO_CD_CONTAINER }],
      },
      {
        kind: 'Deployment',
        name: 'argo-cd-argocd-redis',
        template: 'templates/redis/deployment.yaml',
        podSecurityContext: { runAsNonRoot: true, runAsUser: 999, seccompProfile: RUNTIME_DEFAULT },
        volumes: ['configMap'],
        containers: [
          {
            name: 'redis',
            image: 'ecr-public.aws.com/docker/library/redis:8.2.3-alpine',
            securityContext: { allowPrivilegeEscalation: false, capabilities: DROP_ALL, readOnlyRootFilesystem: true },
          },
        ],
      },
      {
        kind: 'Job',
        name: 'argo-cd-argocd-redis-secret-init',
        hook: 'pre-install,pre-upgrade',
        template: 'templates/redis-secret-init/job.yaml',
        containers: [{ name: 'secret-init', image: ARGO_CD_IMAGE, securityContext: ARGO_CD_CONTAINER }],
      },
    ],
  },
  {
    addon: 'aws-load-balancer-controller',
    chart: 'aws-load-balancer-controller',
    version: '3.2.2',
    source: 'stable/aws-load-balancer-controller of github.com/aws/eks-charts at the v3.2.2 release commit',
    workloads: [
      {
        kind: 'Deployment',
        name: 'aws-load-balancer-controller',
        template: 'templates/deployment.yaml',
        podSecurityContext: { fsGroup: 65534 },
        volumes: ['secret'],
        containers: [
          {
            name: 'aws-load-balancer-controller',
            image: 'public.ecr.aws/eks/aws-load-balancer-controller:v3.2.2',
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true },
            probes: true,
          },
        ],
      },
    ],
  },
  {
    addon: 'external-dns',
    chart: 'external-dns',
    version: '1.22.0',
    source:
      'charts/external-dns of the Go module sigs.k8s.io/external-dns v0.23.0, whose Chart.yaml is 1.22.0 with nothing unreleased',
    workloads: [
      {
        kind: 'Deployment',
        name: 'external-dns',
        template: 'templates/deployment.yaml',
        podSecurityContext: { runAsNonRoot: true, fsGroup: 65534, seccompProfile: RUNTIME_DEFAULT },
        containers: [
          {
            name: 'external-dns',
            image: 'registry.k8s.io/external-dns/external-dns:v0.22.0',
            securityContext: {
              privileged: false,
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              runAsNonRoot: true,
              runAsUser: 65532,
              runAsGroup: 65532,
              capabilities: DROP_ALL,
            },
            // The platform's values (edge/external-dns.ts); the chart sets none.
            resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '128Mi' } },
            probes: true,
          },
        ],
      },
    ],
  },
  {
    addon: 'metrics-server',
    chart: 'metrics-server',
    version: '3.13.0',
    source:
      'charts/metrics-server of github.com/kubernetes-sigs/metrics-server at tag metrics-server-helm-chart-3.13.0',
    workloads: [
      {
        kind: 'Deployment',
        name: 'metrics-server',
        template: 'templates/deployment.yaml',
        volumes: ['emptyDir'],
        containers: [
          {
            name: 'metrics-server',
            image: 'registry.k8s.io/metrics-server/metrics-server:v0.8.0',
            securityContext: {
              allowPrivilegeEscalation: false,
              capabilities: DROP_ALL,
              readOnlyRootFilesystem: true,
              runAsNonRoot: true,
              runAsUser: 1000,
              seccompProfile: RUNTIME_DEFAULT,
            },
            resources: { requests: { cpu: '100m', memory: '200Mi' } },
            probes: true,
          },
        ],
      },
    ],
  },
  {
    addon: 'velero',
    chart: 'velero',
    version: '12.2.0',
    source:
      'charts/velero of github.com/vmware-tanzu/helm-charts at commit 6b2197350079 (Chart.yaml 12.2.0), with the values of velero-values.ts: upgradeCRDs false (no pre-install Job), no node agent, no label-namespace Job (no namespace.labels)',
    workloads: [
      {
        kind: 'Deployment',
        name: 'velero',
        template: 'templates/deployment.yaml',
        podSecurityContext: {
          runAsNonRoot: true,
          runAsUser: 1002,
          runAsGroup: 1000,
          fsGroup: 1000,
          seccompProfile: RUNTIME_DEFAULT,
        },
        // plugins and scratch always, tmpdir with a read-only root filesystem; no credentials secret (Pod Identity).
        volumes: ['emptyDir', 'emptyDir', 'emptyDir'],
        initContainers: [
          {
            name: 'velero-plugin-for-aws',
            image: 'docker.io/velero/velero-plugin-for-aws:v1.14.3',
            securityContext: { allowPrivilegeEscalation: false, capabilities: DROP_ALL, readOnlyRootFilesystem: true },
            resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } },
          },
        ],
        containers: [
          {
            name: 'velero',
            image: 'docker.io/velero/velero:v1.18.2',
            securityContext: { allowPrivilegeEscalation: false, capabilities: DROP_ALL, readOnlyRootFilesystem: true },
            resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
            // livenessProbe and readinessProbe on /metrics, rendered while metrics.enabled.
            probes: true,
          },
        ],
      },
    ],
  },
  {
    addon: 'vertical-pod-autoscaler',
    chart: 'vpa',
    version: '4.10.0',
    source: 'stable/vpa of github.com/FairwindsOps/charts at the 4.10.0 release commit (recommender only)',
    workloads: [
      {
        kind: 'Deployment',
        name: 'vertical-pod-autoscaler-vpa-recommender',
        template: 'templates/recommender-deployment.yaml',
        podSecurityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: RUNTIME_DEFAULT },
        containers: [
          {
            name: 'vpa',
            image: 'registry.k8s.io/autoscaling/vpa-recommender:1.4.1',
            securityContext: { allowPrivilegeEscalation: false, capabilities: DROP_ALL, readOnlyRootFilesystem: true },
            resources: { requests: { cpu: '50m', memory: '500Mi' } },
            probes: true,
          },
        ],
      },
    ],
  },
  {
    addon: 'vpc-cni',
    chart: 'aws-vpc-cni',
    version: '1.22.4',
    source:
      'stable/aws-vpc-cni of github.com/aws/eks-charts 1.22.4; EKS installs the add-on (its version is the EKS default, not pinned here)',
    workloads: [
      {
        kind: 'DaemonSet',
        name: 'aws-node',
        template: 'templates/daemonset.yaml',
        hostNetwork: true,
        volumes: [
          'hostPath:/etc/cni/net.d',
          'hostPath:/opt/cni/bin',
          'hostPath:/run/xtables.lock',
          'hostPath:/sys/fs/bpf',
          'hostPath:/var/log/aws-routed-eni',
          'hostPath:/var/run/aws-node',
        ],
        initContainers: [
          {
            name: 'aws-vpc-cni-init',
            image: '602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni-init:v1.22.4',
            securityContext: { privileged: true },
            resources: { requests: { cpu: '25m' } },
          },
        ],
        containers: [
          {
            name: 'aws-node',
            image: '602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.22.4',
            securityContext: { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } },
            resources: { requests: { cpu: '25m' } },
            probes: true,
          },
          {
            name: 'aws-eks-nodeagent',
            image: '602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon/aws-network-policy-agent:v1.4.0',
            securityContext: { capabilities: { add: ['NET_ADMIN'] }, privileged: true },
            resources: { requests: { cpu: '25m' } },
          },
        ],
      },
    ],
  },
  {
    addon: 'fluent-bit',
    chart: 'fluent-bit',
    version: '0.58.1',
    source:
      'charts/fluent-bit of github.com/fluent/helm-charts at tag fluent-bit-0.58.1 (Fluent Bit 5.1.1); the security context, resources and host paths are the values the platform sets, which templates/_pod.tpl passes on as they are',
    workloads: [
      {
        kind: 'DaemonSet',
        name: 'fluent-bit',
        template: 'templates/daemonset.yaml',
        volumes: ['configMap', ...Object.values(LOG_COLLECTOR_HOST_PATHS).map(({ path }) => `hostPath:${path}`)],
        containers: [
          {
            name: 'fluent-bit',
            image: 'cr.fluentbit.io/fluent/fluent-bit:5.1.1',
            securityContext: LOG_COLLECTOR_SECURITY_CONTEXT,
            resources: LOG_COLLECTOR_RESOURCES,
            probes: true,
          },
        ],
      },
    ],
  },
  {
    addon: 'opentelemetry-collector',
    chart: 'opentelemetry-collector',
    version: '0.170.0',
    source:
      'charts/opentelemetry-collector of github.com/open-telemetry/opentelemetry-helm-charts at tag opentelemetry-collector-0.170.0 (collector 0.158.0); templates/_pod.tpl renders the security context and resources the platform sets as they are, and an empty pod security context',
    workloads: [
      {
        kind: 'Deployment',
        name: 'opentelemetry-collector',
        template: 'templates/deployment.yaml',
        podSecurityContext: {},
        volumes: ['configMap'],
        containers: [
          {
            name: 'opentelemetry-collector',
            image: `${TRACE_COLLECTOR_IMAGE.repository}:${TRACE_COLLECTOR_IMAGE.tag}`,
            securityContext: TRACE_COLLECTOR_SECURITY_CONTEXT,
            resources: TRACE_COLLECTOR_RESOURCES,
            probes: true,
          },
        ],
      },
    ],
  },
];
