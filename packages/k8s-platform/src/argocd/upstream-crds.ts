/**
 * Where the CustomResourceDefinitions of the kinds in dist/ come from: one upstream Go module per
 * release, at the version the add-on that installs the CRDs in the cluster runs. `pnpm fetch:upstream`
 * (run by `npm run setup`) downloads each module from the Go module proxy, checks the module's
 * go.sum hash and each file's SHA-256 against this table, and copies the files to
 * `.upstream/crds/<name>.yaml` (git-ignored). The CRD classes (`pnpm import:crds`) and the schema tests
 * read them there. Nothing upstream is committed.
 *
 * Bump an add-on's chart and its row here together: a test checks that every chart pin (the add-on
 * catalog, and the Argo CD chart of the cloud half) equals `chart.version` of its rows.
 */
export interface UpstreamModule {
  /** Go module path, e.g. `github.com/kyverno/kyverno`. */
  readonly path: string;
  /** Module version: the release tag of the controller the chart runs. */
  readonly version: string;
  /** The module's `h1:` hash, as go.sum records it (the Go checksum database's). */
  readonly sum: string;
}

export interface UpstreamCrd {
  /** File name under `.upstream/crds/`, without `.yaml`; also the import name in cdk8s.yaml. */
  readonly name: string;
  readonly module: UpstreamModule;
  /** Path of the CRD file inside the module. */
  readonly file: string;
  /** SHA-256 of the file, hex. */
  readonly sha256: string;
  /** API group and kinds the file defines. */
  readonly group: string;
  readonly kinds: readonly string[];
  /**
   * The Helm chart whose release installs this CRD in the cluster, and its pinned version; `release`
   * names the Argo CD Application of dist/ (or `argo-cd`, the release the cloud half installs).
   */
  readonly chart: { readonly release: string; readonly version: string };
}

const KYVERNO: UpstreamModule = {
  path: 'github.com/kyverno/kyverno',
  version: 'v1.19.0',
  sum: 'h1:KV42j5lv9lN6WgFlt4X+Mhn0aQD0wLWzlJ/5jdWVdqI=',
};
const PROMETHEUS_OPERATOR: UpstreamModule = {
  path: 'github.com/prometheus-operator/prometheus-operator',
  version: 'v0.93.0',
  sum: 'h1:AohlYJT+En8TmNpAcEUJ3GsaJTAqfEBwHmGTVpRm/Io=',
};
const ARGO_CD: UpstreamModule = {
  path: 'github.com/argoproj/argo-cd/v3',
  version: 'v3.5.1',
  sum: 'h1:jtwPLEFX9mNj3jSq88ugFcScGnOZVs2DWaXFuZxrRT8=',
};
const EXTERNAL_SECRETS: UpstreamModule = {
  path: 'github.com/external-secrets/external-secrets',
  version: 'v1.3.2',
  sum: 'h1:u2J8RjlHIeF0oZCqtl92adI/uZWUwOesJIDkfql6LqQ=',
};
const KARPENTER: UpstreamModule = {
  path: 'github.com/aws/karpenter-provider-aws',
  version: 'v1.14.1',
  sum: 'h1:WGtIQTQcxpElYMdWfWuPwaF2+9muR+hYhPZsTtoY8Gs=',
};
const VERTICAL_POD_AUTOSCALER: UpstreamModule = {
  path: 'k8s.io/autoscaler/vertical-pod-autoscaler',
  version: 'v1.4.1',
  sum: 'h1:egVuwoIPvX7EPRi57bxpoIu/+9z1fK1AqyyhI/p8+v0=',
};

const VELERO: UpstreamModule = {
  path: 'github.com/vmware-tanzu/velero',
  version: 'v1.18.2',
  sum: 'h1:FUscTf6W+d/WpDHfGTlAbCgMETkduMuyCeWDbqiOqgM=',
};
const EXTERNAL_SNAPSHOTTER: UpstreamModule = {
  path: 'github.com/kubernetes-csi/external-snapshotter/client/v8',
  version: 'v8.7.0',
  sum: 'h1:HVaSUeRRHPu49aSiL8eXOjS9Re9G6pM0NzdTGI7mM14=',
};
/**
 * vmware-tanzu/helm-charts at commit 6b2197350079 (2026-09-16), whose charts/velero/Chart.yaml is version 12.2.0
 * (appVersion 1.18.2): the repository tags chart releases (`velero-<version>`) but the proxy serves it by commit.
 */
const VMWARE_TANZU_HELM_CHARTS: UpstreamModule = {
  path: 'github.com/vmware-tanzu/helm-charts',
  version: 'v0.0.0-20260916040517-6b2197350079',
  sum: 'h1:OeFnf6ocrxTQEQKekVpf3EV+0EZy8Lap9i2zDKE02M4=',
};

/** The modules above by name, for the other tables of upstream facts (chart values: ./chart-values.ts). */
export const UPSTREAM_MODULES = {
  kyverno: KYVERNO,
  prometheusOperator: PROMETHEUS_OPERATOR,
  argoCd: ARGO_CD,
  externalSecrets: EXTERNAL_SECRETS,
  karpenter: KARPENTER,
  verticalPodAutoscaler: VERTICAL_POD_AUTOSCALER,
  velero: VELERO,
  externalSnapshotter: EXTERNAL_SNAPSHOTTER,
  vmwareTanzuHelmCharts: VMWARE_TANZU_HELM_CHARTS,
} as const;

/**
 * Chart → controller release, facts from each chart's Chart.yaml (`appVersion`) at its tag:
 * kyverno 3.9.0 → v1.19.0 (kyverno/kyverno charts/kyverno/Chart.yaml at v1.19.0);
 * kube-prometheus-stack 88.0.0 → prometheus-operator v0.93.0 (prometheus-community/helm-charts, tag
 * kube-prometheus-stack-88.0.0); argo-cd 10.3.3 → v3.5.1 (argoproj/argo-helm, tag argo-cd-10.3.3);
 * external-secrets 1.3.2 → v1.3.2 and karpenter / karpenter-crd 1.14.1 → 1.14.1 (their charts are
 * released with the controller's version); vpa 4.10.0 → 1.4.1 (FairwindsOps/charts stable/vpa/Chart.yaml).
 */
const KYVERNO_CHART = { release: 'kyverno', version: '3.9.0' };
const KUBE_PROMETHEUS_STACK_CHART = { release: 'kube-prometheus-stack', version: '88.0.0' };
const ARGO_CD_CHART_RELEASE = { release: 'argo-cd', version: '10.3.3' };
const EXTERNAL_SECRETS_CHART = { release: 'external-secrets', version: '1.3.2' };
const KARPENTER_CRD_CHART = { release: 'karpenter-crd', version: '1.14.1' };
const VPA_CHART = { release: 'vertical-pod-autoscaler', version: '4.10.0' };
/**
 * Releases of UPSTREAM_CRDS that the cloud half installs before the root Application syncs dist/: the argo-cd
 * Helm chart (gitops-bootstrap.ts) and the EKS managed add-on snapshot-controller (platform-cluster.ts), which
 * brings the VolumeSnapshot CRDs. An EKS add-on runs EKS's default version for the cluster's Kubernetes version;
 * its row's `version` is the external-snapshotter release whose CRD file is pinned (the v1 API of
 * snapshot.storage.k8s.io, unchanged since external-snapshotter v4).
 */
export const CLOUD_HALF_CRD_RELEASES = {
  argoCd: ARGO_CD_CHART_RELEASE,
  snapshotController: { release: 'snapshot-controller', version: EXTERNAL_SNAPSHOTTER.version },
} as const;

/** velero 12.2.0 → v1.18.2 (vmware-tanzu/helm-charts charts/velero/Chart.yaml, VMWARE_TANZU_HELM_CHARTS). */
const VELERO_CHART = { release: 'velero', version: '12.2.0' };

/** Every CRD whose kinds dist/ uses, with its source. */
export const UPSTREAM_CRDS: readonly UpstreamCrd[] = [
  {
    name: 'kyverno-validatingpolicy',
    module: KYVERNO,
    file: 'config/crds/policies.kyverno.io/policies.kyverno.io_validatingpolicies.yaml',
    sha256: '87d8700778623b26ae2c9b2f512713e478714ddd0fbcb4e44574c76ae015f10f',
    group: 'policies.kyverno.io',
    kinds: ['ValidatingPolicy'],
    chart: KYVERNO_CHART,
  },
  {
    name: 'kyverno-policyexception',
    module: KYVERNO,
    file: 'config/crds/policies.kyverno.io/policies.kyverno.io_policyexceptions.yaml',
    sha256: '4663799165411bc350b3c2d35a370b05ac148a03ce3af9de9821974f77eb503d',
    group: 'policies.kyverno.io',
    kinds: ['PolicyException'],
    chart: KYVERNO_CHART,
  },
  {
    name: 'prometheus-rule',
    module: PROMETHEUS_OPERATOR,
    file: 'example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml',
    sha256: '78be98554b9c8506ab2b4f4feb91c5f3a56e536a0a510f3a8e876a459970d56d',
    group: 'monitoring.coreos.com',
    kinds: ['PrometheusRule'],
    chart: KUBE_PROMETHEUS_STACK_CHART,
  },
  {
    name: 'prometheus-servicemonitor',
    module: PROMETHEUS_OPERATOR,
    file: 'example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml',
    sha256: 'a99047972c9dd7679ce2050b9968e8a08773492e671b3e17abd476d42aa78a32',
    group: 'monitoring.coreos.com',
    kinds: ['ServiceMonitor'],
    chart: KUBE_PROMETHEUS_STACK_CHART,
  },
  {
    name: 'argocd-application',
    module: ARGO_CD,
    file: 'manifests/crds/application-crd.yaml',
    sha256: '5dde0e229249b6b707beb98674c1deae3949d5c319a6c45b9f5a80c99618e40c',
    group: 'argoproj.io',
    kinds: ['Application'],
    chart: ARGO_CD_CHART_RELEASE,
  },
  {
    name: 'argocd-appproject',
    module: ARGO_CD,
    file: 'manifests/crds/appproject-crd.yaml',
    sha256: 'ab225266944322750136f1198d93786e4a79a0e43c8d149abfba44da30a3eac8',
    group: 'argoproj.io',
    kinds: ['AppProject'],
    chart: ARGO_CD_CHART_RELEASE,
  },
  {
    name: 'eso-externalsecret',
    module: EXTERNAL_SECRETS,
    file: 'config/crds/bases/external-secrets.io_externalsecrets.yaml',
    sha256: '690dbc0d51b5f9bc5266b450b533cfd22c5273268e8569102e528a39519cd4ba',
    group: 'external-secrets.io',
    kinds: ['ExternalSecret'],
    chart: EXTERNAL_SECRETS_CHART,
  },
  {
    name: 'eso-secretstore',
    module: EXTERNAL_SECRETS,
    file: 'config/crds/bases/external-secrets.io_secretstores.yaml',
    sha256: 'ef1fc349941cea1d56b87f8c31cf05a9fed85b7c000a60e69c6b2b29a13fa648',
    group: 'external-secrets.io',
    kinds: ['SecretStore'],
    chart: EXTERNAL_SECRETS_CHART,
  },
  {
    name: 'karpenter-nodepool',
    module: KARPENTER,
    file: 'pkg/apis/crds/karpenter.sh_nodepools.yaml',
    sha256: '3bb64a20c80776b77aa19a699ebdaf34480a7b2e7ec4ef890b43225b3517f878',
    group: 'karpenter.sh',
    kinds: ['NodePool'],
    chart: KARPENTER_CRD_CHART,
  },
  {
    name: 'karpenter-ec2nodeclass',
    module: KARPENTER,
    file: 'pkg/apis/crds/karpenter.k8s.aws_ec2nodeclasses.yaml',
    sha256: '62dec59f01c0972d4503ca3ed25f243ba9c2f561be0d964ce7a14c8df406132f',
    group: 'karpenter.k8s.aws',
    kinds: ['EC2NodeClass'],
    chart: KARPENTER_CRD_CHART,
  },
  {
    name: 'vpa',
    module: VERTICAL_POD_AUTOSCALER,
    file: 'deploy/vpa-v1-crd-gen.yaml',
    sha256: '893b556b1a92c38ac417369c61abe2dadea7dec3661b3c74a450b6e540287064',
    group: 'autoscaling.k8s.io',
    kinds: ['VerticalPodAutoscaler', 'VerticalPodAutoscalerCheckpoint'],
    chart: VPA_CHART,
  },
  {
    name: 'velero-schedule',
    module: VELERO,
    file: 'config/crd/v1/bases/velero.io_schedules.yaml',
    sha256: 'd2276c19d93b63ed848fb492a0f34a2ac1e162938bed499a824acf356b5860c9',
    group: 'velero.io',
    kinds: ['Schedule'],
    chart: VELERO_CHART,
  },
  {
    name: 'volumesnapshotclass',
    module: EXTERNAL_SNAPSHOTTER,
    file: 'config/crd/snapshot.storage.k8s.io_volumesnapshotclasses.yaml',
    sha256: '75e6565aac2c0f2949ed13ea884bbaa388cb7be576b558b709cf1168e011828d',
    group: 'snapshot.storage.k8s.io',
    kinds: ['VolumeSnapshotClass'],
    chart: CLOUD_HALF_CRD_RELEASES.snapshotController,
  },
];

/** Where `pnpm fetch:upstream` puts the CRD files, relative to the repository root. */
export const UPSTREAM_CRD_DIRECTORY = '.upstream/crds';

/** The CRD row that defines `group`/`kind`, if any. */
export function upstreamCrdOf(group: string, kind: string): UpstreamCrd | undefined {
  return UPSTREAM_CRDS.find((crd) => crd.group === group && crd.kinds.includes(kind));
}
