import {
  ADDON_SERVICE_ACCOUNTS,
  type Environment,
  type EnvironmentNaming,
  PLATFORM_NAMESPACES,
  PROMETHEUS_RETENTION_DAYS,
} from '@platform/model';
import { kubePrometheusStackAlertingValues } from '../alerting/kube-prometheus-stack-alerting';
import { grafanaDashboardValues } from '../dashboards/grafana-sidecar';
import { externalDnsAddon } from '../edge/external-dns';
import type { ApplicationSpecIgnoreDifferences } from '../imports/argocd-application-argoproj.io';
import { logCollectorValues } from '../observability/log-collector-values';
import { LOG_COLLECTOR, TRACE_COLLECTOR } from '../observability/telemetry-collectors';
import { traceCollectorValues } from '../observability/trace-collector-values';
import { DEFAULT_STORAGE_CLASS } from '../storage/ebs-storage-class';
import { veleroValues } from './velero-values';

/** A platform add-on installed by Argo CD from a Helm chart at a pinned version. */
export interface Addon {
  /** Name of the Argo CD Application and the Helm release. */
  readonly name: string;
  readonly namespace: string;
  /**
   * A Helm repository, or the chart itself in an OCI registry (`oci://…`), which Argo CD (3.1 and later)
   * pulls without a registered repository.
   */
  readonly repoUrl: string;
  /** Chart name in a Helm repository; an OCI reference names the chart itself. */
  readonly chart?: string;
  readonly version: string;
  /** Sync options besides the defaults, e.g. ServerSideApply for CRDs too large for client-side apply. */
  readonly syncOptions?: readonly string[];
  /** Whether Helm leaves the chart's CRDs out, because another add-on installs them. */
  readonly skipCrds?: boolean;
  /**
   * Namespaces besides `namespace` that the chart's templates write to; its AppProject must permit them.
   * @default - none
   */
  readonly otherNamespaces?: readonly string[];
  /**
   * Fields the chart renders differently on every render (generated certificates), which Argo CD must
   * neither report as drift nor overwrite on a later sync (RespectIgnoreDifferences).
   * @default - none
   */
  readonly ignoreDifferences?: readonly ApplicationSpecIgnoreDifferences[];
  readonly values: Record<string, unknown>;
}

export interface AddonContext {
  readonly environment: Environment;
  readonly naming: EnvironmentNaming;
}

/** The one namespace whose Kyverno PolicyExceptions Kyverno honours. */
export const POLICY_EXCEPTION_NAMESPACE = PLATFORM_NAMESPACES.kyverno;

/**
 * The add-ons and their chart versions. Each chart that installs CRDs of kinds in dist/ is pinned
 * together with those CRDs in UPSTREAM_CRDS (./upstream-crds.ts); a test checks that the two agree.
 * Helm ignores a values key its chart does not define: every key set here must be in the chart's row
 * of CHART_VALUE_KEYS (./chart-values.ts), at the same version, and a test checks dist/ against it.
 */
export function platformAddons({ environment, naming }: AddonContext): Addon[] {
  const highlyAvailable = { replicas: 2 };
  const externalDns = externalDnsAddon({ environment, naming });
  return [
    {
      name: 'aws-load-balancer-controller',
      namespace: ADDON_SERVICE_ACCOUNTS.loadBalancerController.namespace,
      repoUrl: 'https://aws.github.io/eks-charts',
      chart: 'aws-load-balancer-controller',
      version: '3.2.2',
      // With neither cert-manager nor keepTLSSecret, the chart generates a new webhook CA on every render
      // (templates/_helpers.tpl, genCA; Argo CD renders without Helm's lookup): Argo CD would swap the
      // serving certificate and the webhooks' caBundle on each re-render, failing pod and Service admission
      // until the controller reloads. The first render's pair is kept.
      ignoreDifferences: [
        ...['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'].map((kind) => ({
          group: 'admissionregistration.k8s.io',
          kind,
          name: 'aws-load-balancer-webhook',
          jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'],
        })),
        {
          group: '',
          kind: 'Secret',
          name: 'aws-load-balancer-tls',
          namespace: ADDON_SERVICE_ACCOUNTS.loadBalancerController.namespace,
          jsonPointers: ['/data'],
        },
      ],
      values: {
        clusterName: naming.clusterName,
        region: environment.region,
        // Found by its Name tag: pods cannot reach the instance metadata service (hop limit 1).
        vpcTags: { Name: naming.vpcName },
        replicaCount: 2,
        serviceAccount: { create: true, name: ADDON_SERVICE_ACCOUNTS.loadBalancerController.name },
      },
    },
    ...(externalDns ? [externalDns] : []),
    {
      name: 'external-secrets',
      namespace: ADDON_SERVICE_ACCOUNTS.externalSecrets.namespace,
      repoUrl: 'https://charts.external-secrets.io',
      chart: 'external-secrets',
      // 1.3.2 is the newest release whose CRDs the Go module proxy serves (2.x is published without a
      // /v2 module path, which the proxy refuses), so the newest whose CRDs dist/ can be checked against.
      version: '1.3.2',
      // The SecretStore and ClusterSecretStore CRDs exceed the 256 KiB annotation limit of client-side apply.
      syncOptions: ['ServerSideApply=true'],
      values: {
        installCRDs: true,
        // The chart's keys are `replicaCount`, not `replicas`; two controllers must elect a leader, or both
        // reconcile every ExternalSecret.
        replicaCount: 2,
        leaderElect: true,
        // Its admission webhook fails closed (`webhook.failurePolicy: Fail`): one replica would block every
        // write of a SecretStore or ExternalSecret while it restarts.
        webhook: { replicaCount: 2 },
        serviceAccount: { create: true, name: ADDON_SERVICE_ACCOUNTS.externalSecrets.name },
      },
    },
    {
      name: 'karpenter-crd',
      namespace: ADDON_SERVICE_ACCOUNTS.karpenter.namespace,
      repoUrl: 'oci://public.ecr.aws/karpenter/karpenter-crd',
      version: '1.14.1',
      syncOptions: ['ServerSideApply=true'],
      values: {},
    },
    {
      name: 'karpenter',
      namespace: ADDON_SERVICE_ACCOUNTS.karpenter.namespace,
      repoUrl: 'oci://public.ecr.aws/karpenter/karpenter',
      version: '1.14.1',
      skipCrds: true,
      // Its chart binds a Role in kube-system (templates/role.yaml, rolebinding.yaml at v1.14.1).
      otherNamespaces: [PLATFORM_NAMESPACES.kubeSystem],
      values: {
        settings: { clusterName: naming.clusterName, interruptionQueue: naming.karpenterInterruptionQueueName },
        // Its region, which it would otherwise ask the instance metadata for: pods cannot reach it (hop limit 1).
        controller: { env: [{ name: 'AWS_REGION', value: environment.region }] },
        serviceAccount: { create: true, name: ADDON_SERVICE_ACCOUNTS.karpenter.name },
        ...highlyAvailable,
      },
    },
    {
      name: 'kyverno',
      namespace: PLATFORM_NAMESPACES.kyverno,
      repoUrl: 'https://kyverno.github.io/kyverno',
      chart: 'kyverno',
      version: '3.9.0',
      syncOptions: ['ServerSideApply=true'],
      values: {
        // The guard rails ship PolicyExceptions in this namespace; Kyverno ignores exceptions anywhere else,
        // so whoever may write in a team namespace cannot exempt themselves.
        features: { policyExceptions: { enabled: true, namespace: POLICY_EXCEPTION_NAMESPACE } },
        // Admission webhooks sit in the path of every write: three replicas survive a zone outage.
        admissionController: { replicas: 3 },
        backgroundController: highlyAvailable,
        cleanupController: highlyAvailable,
        reportsController: highlyAvailable,
      },
    },
    {
      name: 'kube-prometheus-stack',
      namespace: PLATFORM_NAMESPACES.monitoring,
      repoUrl: 'https://prometheus-community.github.io/helm-charts',
      chart: 'kube-prometheus-stack',
      version: '88.0.0',
      // Its exporter Services for CoreDNS and the control plane (templates/exporters/*/service.yaml).
      otherNamespaces: [PLATFORM_NAMESPACES.kubeSystem],
      // The operator's CRDs exceed the 256 KiB annotation limit of client-side apply.
      syncOptions: ['ServerSideApply=true'],
      values: {
        ...kubePrometheusStackAlertingValues(environment),
        // Its Grafana loads the dashboards of dist/ (GrafanaDashboards) from the monitoring namespace only.
        grafana: grafanaDashboardValues(),
        prometheus: {
          prometheusSpec: {
            // Select the PrometheusRules, ServiceMonitors and PodMonitors of every namespace, not only the chart's.
            ruleSelectorNilUsesHelmValues: false,
            serviceMonitorSelectorNilUsesHelmValues: false,
            podMonitorSelectorNilUsesHelmValues: false,
            probeSelectorNilUsesHelmValues: false,
            // The SLO rules read the 30-day error ratio: history must cover the whole window.
            retention: `${PROMETHEUS_RETENTION_DAYS}d`,
            // On a volume, so a restart or a node consolidation keeps the history; the size cap keeps it from filling up.
            retentionSize: '90GB',
            storageSpec: {
              volumeClaimTemplate: {
                spec: {
                  storageClassName: DEFAULT_STORAGE_CLASS,
                  accessModes: ['ReadWriteOnce'],
                  resources: { requests: { storage: '100Gi' } },
                },
              },
            },
          },
        },
      },
    },
    {
      name: 'velero',
      namespace: ADDON_SERVICE_ACCOUNTS.velero.namespace,
      repoUrl: 'https://vmware-tanzu.github.io/helm-charts',
      chart: 'velero',
      version: '12.2.0',
      // Argo CD applies the chart's CRDs (crds/) with server-side apply: the Backup and Restore CRDs are large.
      syncOptions: ['ServerSideApply=true'],
      values: veleroValues({ environment, naming }),
    },
    {
      name: 'metrics-server',
      namespace: PLATFORM_NAMESPACES.kubeSystem,
      repoUrl: 'https://kubernetes-sigs.github.io/metrics-server',
      chart: 'metrics-server',
      version: '3.13.0',
      values: { replicas: 2, podDisruptionBudget: { enabled: true, maxUnavailable: 1 } },
    },
    {
      name: 'vertical-pod-autoscaler',
      namespace: PLATFORM_NAMESPACES.kubeSystem,
      repoUrl: 'https://charts.fairwinds.com/stable',
      chart: 'vpa',
      version: '4.10.0',
      // Recommendations only: the HPAs own the replica counts and nothing evicts pods to resize them.
      values: { recommender: { enabled: true }, updater: { enabled: false }, admissionController: { enabled: false } },
    },
    {
      // Ships container and node logs to the environment's log groups (docs/observability.md, Logs).
      name: LOG_COLLECTOR.release,
      namespace: LOG_COLLECTOR.namespace,
      repoUrl: 'https://fluent.github.io/helm-charts',
      chart: 'fluent-bit',
      version: '0.58.1',
      values: logCollectorValues(environment, naming),
    },
    {
      // Receives the services' traces over OTLP and sends them to AWS X-Ray (docs/observability.md, Traces).
      name: TRACE_COLLECTOR.release,
      namespace: TRACE_COLLECTOR.namespace,
      repoUrl: 'https://open-telemetry.github.io/opentelemetry-helm-charts',
      chart: 'opentelemetry-collector',
      version: '0.170.0',
      values: traceCollectorValues(environment, naming),
    },
  ];
}
