import { UPSTREAM_MODULES, type UpstreamModule } from './upstream-crds';

/**
 * Which Helm values each chart we install defines, at the version we pin. Helm ignores a values key
 * that no template reads, without a word: a misspelt key (`replicas` where the chart reads
 * `replicaCount`) leaves the chart's default in force. This table records, per release and pinned
 * chart version, the key paths the chart defines that our values set or are expected to set (their
 * parents are implied), read from the chart's values.yaml at the release's tag. A test checks every
 * key path of every Helm Application in dist/ and of the cloud half's Argo CD release against it.
 *
 * Where the chart's values.yaml is in a Go module at its tag, `pnpm fetch:upstream` downloads it (as
 * it does the CRDs, ./upstream-crds.ts) to `.upstream/charts/<release>/values.yaml`, and the test
 * checks that every key of the table is in that file, so the table cannot drift from the chart.
 * Nothing upstream is committed: only key names, with the file and tag they were read from.
 *
 * Bump a chart pin and its row together: the test fails while a release's chart or version differs
 * from its row.
 */
export interface ChartValuesSource {
  /** GitHub repository (`owner/name`) the chart is released from. */
  readonly repository: string;
  /** Git tag (or commit) of the chart release the keys were read at. */
  readonly ref: string;
  /** values.yaml of the chart, inside the repository. */
  readonly file: string;
  /** values.schema.json beside it, when the chart has one (Helm validates values against it). */
  readonly schema?: string;
}

/** A chart's values.yaml inside a Go module: fetched at setup, checked by SHA-256. */
export interface ChartValuesModuleFile {
  readonly module: UpstreamModule;
  /** Path of values.yaml inside the module. */
  readonly file: string;
  /** SHA-256 of the file, hex. */
  readonly sha256: string;
}

/** A chart the release's chart depends on: the keys under `key` are the subchart's. */
export interface SubchartValues {
  /** Top-level key of the parent's values that Helm hands to the subchart (its name or alias). */
  readonly key: string;
  readonly chart: string;
  /** The version the parent's Chart.yaml depends on at its tag. */
  readonly version: string;
  readonly source: ChartValuesSource;
}

export interface ChartValueKeys {
  /** Helm release: the Argo CD Application of dist/, or `argo-cd`, the release the cloud half installs. */
  readonly release: string;
  /** Chart name; for an OCI chart, the last segment of its reference. */
  readonly chart: string;
  /** The pinned chart version. */
  readonly version: string;
  readonly source: ChartValuesSource;
  /** Set where `source` is in a Go module at the chart's tag. */
  readonly module?: ChartValuesModuleFile;
  /**
   * Key paths the chart defines, dot-separated (`features.policyExceptions.enabled`). A list value is a
   * leaf: its items are objects the chart hands on as they are (env vars, volumes, tolerations).
   */
  readonly keys: readonly string[];
  /**
   * Key paths of free-form maps the chart documents as such (podAnnotations, nodeSelector, resources,
   * a config file it renders as given): any key below them is allowed.
   */
  readonly open: readonly string[];
  readonly subcharts?: readonly SubchartValues[];
}

/** Where `pnpm fetch:upstream` puts the charts' values.yaml files: `<directory>/<release>/values.yaml`. */
export const UPSTREAM_CHART_VALUES_DIRECTORY = '.upstream/charts';

/**
 * metrics-server v0.8.0: the controller chart 3.13.0 runs (its Chart.yaml `appVersion`). The module's
 * charts/metrics-server/values.yaml (its Chart.yaml says 3.12.2) is byte for byte the values.yaml at
 * the chart tag metrics-server-helm-chart-3.13.0; the proxy serves no module version at that tag.
 */
const METRICS_SERVER: UpstreamModule = {
  path: 'sigs.k8s.io/metrics-server',
  version: 'v0.8.0',
  sum: 'h1:Zlsi3sBWEtFKCD3+xSysThvXyLQ363rUAlqpnsY5JwI=',
};

/**
 * external-dns v0.22.0: the controller chart 1.22.0 runs (its Chart.yaml `appVersion`). At that tag the module's
 * charts/external-dns (its Chart.yaml says 1.21.1) holds what 1.22.0 released but `hostAliases` and the `crd`
 * registry value (the chart's CHANGELOG.md, "v1.22.0"), neither of them a key set here; v0.23.0, whose chart folder
 * is 1.22.0's, declares Go 1.27, which the Go the setup installs cannot download.
 */
const EXTERNAL_DNS: UpstreamModule = {
  path: 'sigs.k8s.io/external-dns',
  version: 'v0.22.0',
  sum: 'h1:+ASJ3KF7DLqHo2LsG8Qinuh2J389MS86I19i/r8ewUc=',
};

const under = (parent: string, children: readonly string[]): string[] => children.map((child) => `${parent}.${child}`);

/**
 * kube-prometheus-stack 88.0.0 (prometheus-community/helm-charts, tag kube-prometheus-stack-88.0.0,
 * charts/kube-prometheus-stack/values.yaml): the rule groups `defaultRules.rules.<group>` switches.
 */
const KUBE_PROMETHEUS_STACK_RULE_GROUPS = [
  'alertmanager',
  'etcd',
  'configReloaders',
  'general',
  'k8sContainerCpuUsageSecondsTotal',
  'k8sContainerMemoryCache',
  'k8sContainerMemoryRss',
  'k8sContainerMemorySwap',
  'k8sContainerResource',
  'k8sContainerMemoryWorkingSetBytes',
  'k8sPodOwner',
  'kubeApiserverAvailability',
  'kubeApiserverBurnrate',
  'kubeApiserverHistogram',
  'kubeApiserverSlos',
  'kubeControllerManager',
  'kubelet',
  'kubeProxy',
  'kubePrometheusGeneral',
  'kubePrometheusNodeRecording',
  'kubernetesApps',
  'kubernetesResources',
  'kubernetesStorage',
  'kubernetesSystem',
  'kubeSchedulerAlerting',
  'kubeSchedulerRecording',
  'kubeStateMetrics',
  'network',
  'node',
  'nodeExporterAlerting',
  'nodeExporterRecording',
  'prometheus',
  'prometheusOperator',
  'windows',
];

/** Every Helm release of the platform, with the value keys its chart defines at the pinned version. */
export const CHART_VALUE_KEYS: readonly ChartValueKeys[] = [
  {
    release: 'aws-load-balancer-controller',
    chart: 'aws-load-balancer-controller',
    version: '3.2.2',
    // Not served by the Go module proxy at v3.2.2 (the tag's go.mod lacks the /v3 suffix). The chart
    // published as 3.2.2 (aws/eks-charts stable/aws-load-balancer-controller) has the same values.yaml.
    source: {
      repository: 'kubernetes-sigs/aws-load-balancer-controller',
      ref: 'v3.2.2',
      file: 'helm/aws-load-balancer-controller/values.yaml',
    },
    keys: ['clusterName', 'region', 'replicaCount', 'serviceAccount.create', 'serviceAccount.name'],
    open: ['vpcTags'],
  },
  {
    release: 'external-dns',
    chart: 'external-dns',
    version: '1.22.0',
    source: {
      repository: 'kubernetes-sigs/external-dns',
      ref: 'external-dns-helm-chart-1.22.0',
      file: 'charts/external-dns/values.yaml',
      schema: 'charts/external-dns/values.schema.json',
    },
    module: {
      module: EXTERNAL_DNS,
      file: 'charts/external-dns/values.yaml',
      sha256: '48b482b508b1ac0c1c59377a8cfa30d52fba90dcf05ee50be87d0924636ebfc5',
    },
    keys: [
      'provider.name',
      'sources',
      'policy',
      'registry',
      'txtOwnerId',
      'txtPrefix',
      'domainFilters',
      'interval',
      'triggerLoopOnEvent',
      // A list of arguments as given (the chart also takes a map).
      'extraArgs',
      'env',
      'serviceAccount.create',
      'serviceAccount.name',
      // templates/servicemonitor.yaml: the Service port `http` (7979), path /metrics.
      'serviceMonitor.enabled',
    ],
    open: ['resources'],
  },
  {
    release: 'external-secrets',
    chart: 'external-secrets',
    version: '1.3.2',
    // The tag's Chart.yaml still says 1.3.1; tag helm-chart-1.3.2 bumps only Chart.yaml, README and
    // test snapshots, so its values.yaml is this one byte for byte.
    source: {
      repository: 'external-secrets/external-secrets',
      ref: 'v1.3.2',
      file: 'deploy/charts/external-secrets/values.yaml',
      schema: 'deploy/charts/external-secrets/values.schema.json',
    },
    module: {
      module: UPSTREAM_MODULES.externalSecrets,
      file: 'deploy/charts/external-secrets/values.yaml',
      sha256: 'f4693db10524486115220baf9d911d27e29db642383c2178f8c54a3d5c539b68',
    },
    keys: [
      'installCRDs',
      'replicaCount',
      'leaderElect',
      'serviceAccount.create',
      'serviceAccount.name',
      'webhook.replicaCount',
    ],
    open: [],
  },
  {
    release: 'karpenter-crd',
    chart: 'karpenter-crd',
    version: '1.14.1',
    // The tag's Chart.yaml says 1.13.0: the release commit after the tag bumps Chart.yaml and the
    // controller image tag and digest only; the keys are the same.
    source: { repository: 'aws/karpenter-provider-aws', ref: 'v1.14.1', file: 'charts/karpenter-crd/values.yaml' },
    module: {
      module: UPSTREAM_MODULES.karpenter,
      file: 'charts/karpenter-crd/values.yaml',
      sha256: '8fcfe5dd6d8010b61d500148d6e2a91f1b8a40a11a6ef2e89ac3304649eee892',
    },
    keys: [],
    open: [],
  },
  {
    release: 'karpenter',
    chart: 'karpenter',
    version: '1.14.1',
    // As karpenter-crd: at the tag only `controller.image.tag`/`digest` differ from the released 1.14.1.
    source: { repository: 'aws/karpenter-provider-aws', ref: 'v1.14.1', file: 'charts/karpenter/values.yaml' },
    module: {
      module: UPSTREAM_MODULES.karpenter,
      file: 'charts/karpenter/values.yaml',
      sha256: '18813aba28c48fd65d76007e8919d355acc3583d82c6c14ea797c8cd5bf09437',
    },
    keys: [
      'settings.clusterName',
      'settings.interruptionQueue',
      'controller.env',
      'serviceAccount.create',
      'serviceAccount.name',
      'replicas',
    ],
    open: [],
  },
  {
    release: 'kyverno',
    chart: 'kyverno',
    version: '3.9.0',
    source: { repository: 'kyverno/kyverno', ref: 'v1.19.0', file: 'charts/kyverno/values.yaml' },
    module: {
      module: UPSTREAM_MODULES.kyverno,
      file: 'charts/kyverno/values.yaml',
      sha256: 'a65e42acd9112ba83497a18e09a9b8a2bb122d339d040921ca7b0393b2c57efe',
    },
    keys: [
      'features.policyExceptions.enabled',
      'features.policyExceptions.namespace',
      'admissionController.replicas',
      'backgroundController.replicas',
      'cleanupController.replicas',
      'reportsController.replicas',
    ],
    open: [],
  },
  {
    release: 'kube-prometheus-stack',
    chart: 'kube-prometheus-stack',
    version: '88.0.0',
    // Not in a Go module: read at the tag, not re-checked at test time.
    source: {
      repository: 'prometheus-community/helm-charts',
      ref: 'kube-prometheus-stack-88.0.0',
      file: 'charts/kube-prometheus-stack/values.yaml',
    },
    keys: [
      'defaultRules.create',
      ...under('defaultRules.rules', KUBE_PROMETHEUS_STACK_RULE_GROUPS),
      'defaultRules.runbookUrl',
      'defaultRules.appNamespacesTarget',
      'defaultRules.keepFiringFor',
      'defaultRules.node.fsSelector',
      'alertmanager.enabled',
      'alertmanager.stringConfig',
      'alertmanager.tplConfig',
      'alertmanager.podDisruptionBudget.enabled',
      'alertmanager.podDisruptionBudget.minAvailable',
      ...under('alertmanager.alertmanagerSpec', [
        'volumes',
        'volumeMounts',
        'secrets',
        'configMaps',
        'useExistingSecret',
        'replicas',
        'retention',
        'externalUrl',
        'logLevel',
        'tolerations',
        'podAntiAffinity',
        'podAntiAffinityTopologyKey',
        'topologySpreadConstraints',
        'priorityClassName',
      ]),
      // The scrape targets of control-plane components, which EKS does not expose.
      'kubeApiServer.enabled',
      'kubelet.enabled',
      'kubeControllerManager.enabled',
      'coreDns.enabled',
      'kubeDns.enabled',
      'kubeEtcd.enabled',
      'kubeScheduler.enabled',
      'kubeProxy.enabled',
      'kubeStateMetrics.enabled',
      'nodeExporter.enabled',
      'grafana.enabled',
      // The dashboard sidecar (keys of the grafana subchart, see `subcharts`) and the data source uid, which the
      // parent chart's templates/grafana/configmaps-datasources.yaml reads.
      ...under('grafana.sidecar.dashboards', ['enabled', 'label', 'labelValue', 'searchNamespace']),
      'grafana.sidecar.datasources.uid',
      'windowsMonitoring.enabled',
      'thanosRuler.enabled',
      'prometheus.enabled',
      ...under('prometheus.prometheusSpec', [
        'ruleSelectorNilUsesHelmValues',
        'serviceMonitorSelectorNilUsesHelmValues',
        'podMonitorSelectorNilUsesHelmValues',
        'probeSelectorNilUsesHelmValues',
        'scrapeConfigSelectorNilUsesHelmValues',
        'retention',
        'retentionSize',
        'replicas',
        'tolerations',
        'scrapeInterval',
        'evaluationInterval',
        'priorityClassName',
      ]),
      // Keys of the prometheus-node-exporter subchart (see `subcharts`).
      ...under('prometheus-node-exporter', [
        'hostRootFsMount.enabled',
        'hostRootFsMount.mountPropagation',
        'extraArgs',
        'tolerations',
        'prometheus.monitor.enabled',
        'prometheus.monitor.interval',
        'prometheus.monitor.relabelings',
        'prometheus.monitor.metricRelabelings',
      ]),
    ],
    open: [
      // The Alertmanager configuration file, rendered as given.
      'alertmanager.config',
      'alertmanager.templateFiles',
      'alertmanager.alertmanagerSpec.storage',
      'alertmanager.alertmanagerSpec.resources',
      'alertmanager.alertmanagerSpec.nodeSelector',
      'alertmanager.alertmanagerSpec.podMetadata',
      'alertmanager.alertmanagerSpec.alertmanagerConfigSelector',
      'alertmanager.alertmanagerSpec.alertmanagerConfigNamespaceSelector',
      'alertmanager.alertmanagerSpec.alertmanagerConfiguration',
      'alertmanager.alertmanagerSpec.alertmanagerConfigMatcherStrategy',
      // Alert names to leave out, and labels and annotations added to every rule.
      'defaultRules.disabled',
      'defaultRules.labels',
      'defaultRules.annotations',
      'defaultRules.additionalRuleLabels',
      'defaultRules.additionalRuleAnnotations',
      // Passed to the Prometheus resource as they are (a Kubernetes StorageSpec, ResourceRequirements, …).
      'prometheus.prometheusSpec.storageSpec',
      'prometheus.prometheusSpec.resources',
      'prometheus.prometheusSpec.nodeSelector',
      'prometheus.prometheusSpec.externalLabels',
      'prometheus-node-exporter.nodeSelector',
      'prometheus-node-exporter.resources',
      'prometheus-node-exporter.podLabels',
    ],
    subcharts: [
      {
        key: 'grafana',
        chart: 'grafana',
        version: '12.10.0',
        source: {
          repository: 'grafana-community/helm-charts',
          ref: 'grafana-12.10.0',
          file: 'charts/grafana/values.yaml',
        },
      },
      {
        key: 'prometheus-node-exporter',
        chart: 'prometheus-node-exporter',
        version: '4.56.1',
        source: {
          repository: 'prometheus-community/helm-charts',
          ref: 'prometheus-node-exporter-4.56.1',
          file: 'charts/prometheus-node-exporter/values.yaml',
        },
      },
    ],
  },
  {
    release: 'metrics-server',
    chart: 'metrics-server',
    version: '3.13.0',
    source: {
      repository: 'kubernetes-sigs/metrics-server',
      ref: 'metrics-server-helm-chart-3.13.0',
      file: 'charts/metrics-server/values.yaml',
    },
    module: {
      module: METRICS_SERVER,
      file: 'charts/metrics-server/values.yaml',
      sha256: '683ed81c6074e7b49f732ab37168e316767e9782f0560ed905ad521d0b0e5b0d',
    },
    keys: ['replicas', 'podDisruptionBudget.enabled', 'podDisruptionBudget.maxUnavailable'],
    open: [],
  },
  {
    release: 'vertical-pod-autoscaler',
    chart: 'vpa',
    version: '4.10.0',
    // Not in a Go module: FairwindsOps/charts tags no chart release; this commit sets version 4.10.0.
    source: {
      repository: 'FairwindsOps/charts',
      ref: 'cc2cd1e0a958829d3ba946abe38a5d8614b04065',
      file: 'stable/vpa/values.yaml',
    },
    keys: ['recommender.enabled', 'updater.enabled', 'admissionController.enabled'],
    open: [],
  },
  {
    release: 'velero',
    chart: 'velero',
    version: '12.2.0',
    source: {
      repository: 'vmware-tanzu/helm-charts',
      ref: '6b2197350079',
      file: 'charts/velero/values.yaml',
      schema: 'charts/velero/values.schema.json',
    },
    module: {
      module: UPSTREAM_MODULES.vmwareTanzuHelmCharts,
      file: 'charts/velero/values.yaml',
      sha256: '3364919b9c239c78e316b021c181c3820c42116dcbce7ae8f708433c50a20d4b',
    },
    keys: [
      'upgradeCRDs',
      // A list of containers, handed to the Deployment as given.
      'initContainers',
      'credentials.useSecret',
      'serviceAccount.server.create',
      'serviceAccount.server.name',
      'snapshotsEnabled',
      'deployNodeAgent',
      // A list of locations, each rendered into a BackupStorageLocation (templates/backupstoragelocation.yaml).
      'configuration.backupStorageLocation',
      'configuration.features',
      'metrics.enabled',
      'metrics.serviceMonitor.enabled',
      'metrics.serviceMonitor.autodetect',
    ],
    // Security contexts and resources, handed to the pod and the velero container as given.
    open: ['podSecurityContext', 'containerSecurityContext', 'resources'],
  },
  {
    release: 'fluent-bit',
    chart: 'fluent-bit',
    version: '0.58.1',
    // Not in a Go module: read at the tag, not re-checked at test time.
    source: { repository: 'fluent/helm-charts', ref: 'fluent-bit-0.58.1', file: 'charts/fluent-bit/values.yaml' },
    keys: [
      'testFramework.enabled',
      'serviceAccount.create',
      'serviceAccount.name',
      'tolerations',
      'config.service',
      'config.inputs',
      'config.filters',
      'config.outputs',
      'daemonSetVolumes',
      'daemonSetVolumeMounts',
      // templates/servicemonitor.yaml: the Service port `http` (the container's `metricsPort`, 2020), path
      // /api/v2/metrics/prometheus, rendered where the cluster serves monitoring.coreos.com/v1.
      'serviceMonitor.enabled',
    ],
    // The container's security context and resources, passed to the pod as they are (templates/_pod.tpl).
    open: ['securityContext', 'resources'],
  },
  {
    release: 'opentelemetry-collector',
    chart: 'opentelemetry-collector',
    version: '0.170.0',
    // Not in a Go module: read at the tag, not re-checked at test time. Its schema refuses unknown top-level keys.
    source: {
      repository: 'open-telemetry/opentelemetry-helm-charts',
      ref: 'opentelemetry-collector-0.170.0',
      file: 'charts/opentelemetry-collector/values.yaml',
      schema: 'charts/opentelemetry-collector/values.schema.json',
    },
    keys: [
      'mode',
      'replicaCount',
      'image.repository',
      'image.tag',
      'command.name',
      'serviceAccount.create',
      'serviceAccount.name',
      'ports.jaeger-compact.enabled',
      'ports.jaeger-thrift.enabled',
      'ports.jaeger-grpc.enabled',
      'ports.zipkin.enabled',
      // values.yaml `ports.metrics` (8888, disabled by default); templates/servicemonitor.yaml scrapes it by name
      // (`serviceMonitor.metricsEndpoints`, default port `metrics`) and templates/pdb.yaml reads `enabled` and
      // `maxUnavailable` (values.yaml shows `minAvailable` and `maxUnavailable` commented out).
      'ports.metrics.enabled',
      'serviceMonitor.enabled',
      'podDisruptionBudget.enabled',
      'podDisruptionBudget.maxUnavailable',
    ],
    // The collector's configuration file, rendered as given; the container's security context and resources.
    open: ['alternateConfig', 'securityContext', 'resources'],
  },
  {
    release: 'argo-cd',
    chart: 'argo-cd',
    version: '10.3.3',
    // Not in a Go module. Read at argo-cd-10.1.1, the newest chart tag that could be read here; these
    // keys have stood unchanged since the 7.x charts.
    source: { repository: 'argoproj/argo-helm', ref: 'argo-cd-10.1.1', file: 'charts/argo-cd/values.yaml' },
    keys: ['global.tolerations', 'crds.keep', 'dex.enabled'],
    // configs.cm: every key but `create` and `annotations` becomes a key of the argocd-cm ConfigMap.
    open: ['global.nodeSelector', 'configs.cm'],
  },
];

/** The row of a Helm release, if any. */
export function chartValueKeysOf(release: string): ChartValueKeys | undefined {
  return CHART_VALUE_KEYS.find((row) => row.release === release);
}
