/**
 * No alert fires for ever on a healthy EKS cluster because Prometheus is told to scrape what EKS does not expose.
 * The chart's templates are judged by their own `if` conditions, evaluated on the values the kube-prometheus-stack
 * Application of dist/<env>/ hands to Helm (Helm merges them into the chart's defaults).
 */
import { loadPlatformModel } from '@platform/model';
import { readDistEnvironment } from './support/dist-manifests';

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML has no static shape
type Json = Record<string, any>;

/**
 * What EKS does not let an in-cluster Prometheus scrape. The scheduler, controller manager and etcd run in the
 * managed control plane: no pod or endpoint of theirs is in the cluster. The kube-proxy add-on serves its metrics
 * on 127.0.0.1:10249 of each node, out of a pod's reach, and its configuration does not change that.
 */
const EKS_UNSCRAPED = ['kube-scheduler', 'kube-controller-manager', 'etcd', 'kube-proxy'] as const;
/** Components EKS does expose, which must stay monitored. */
const EKS_SCRAPED = ['kube-apiserver', 'kubelet', 'coredns'] as const;
type Component = (typeof EKS_UNSCRAPED)[number] | (typeof EKS_SCRAPED)[number];

/**
 * kube-prometheus-stack 88.0.0: each template that scrapes a control-plane component or alerts on it, and the
 * value paths its `{{- if and … }}` tests (`!` marks one that must be false). Facts from
 * charts/kube-prometheus-stack/templates/exporters/<component>/*.yaml and templates/prometheus/rules-1.14/*.yaml.
 */
const CHART_TEMPLATES: readonly { template: string; component: Component; when: readonly string[] }[] = [
  ...(
    [
      ['kube-scheduler', 'kubeScheduler'],
      ['kube-controller-manager', 'kubeControllerManager'],
      ['kube-etcd', 'kubeEtcd'],
      ['kube-proxy', 'kubeProxy'],
    ] as const
  ).flatMap(([folder, key]) => {
    const component: Component = folder === 'kube-etcd' ? 'etcd' : folder;
    const always = [`${key}.enabled`, 'kubernetesServiceMonitors.enabled'];
    return [
      { template: `exporters/${folder}/service.yaml`, component, when: [...always, `${key}.service.enabled`] },
      {
        template: `exporters/${folder}/servicemonitor.yaml`,
        component,
        when: [...always, `${key}.serviceMonitor.enabled`],
      },
    ];
  }),
  {
    template: 'rules-1.14/kubernetes-system-scheduler.yaml (KubeSchedulerDown, KubeSchedulerInstanceUnreachable)',
    component: 'kube-scheduler',
    when: [
      'defaultRules.create',
      'kubeScheduler.enabled',
      'defaultRules.rules.kubeSchedulerAlerting',
      '!defaultRules.disabled.KubeSchedulerDown',
    ],
  },
  {
    template: 'rules-1.14/kube-scheduler.rules.yaml',
    component: 'kube-scheduler',
    when: ['defaultRules.create', 'kubeScheduler.enabled', 'defaultRules.rules.kubeSchedulerRecording'],
  },
  {
    template:
      'rules-1.14/kubernetes-system-controller-manager.yaml (KubeControllerManagerDown, KubeControllerManagerInstanceUnreachable)',
    component: 'kube-controller-manager',
    when: [
      'defaultRules.create',
      'kubeControllerManager.enabled',
      'defaultRules.rules.kubeControllerManager',
      '!defaultRules.disabled.KubeControllerManagerDown',
    ],
  },
  {
    template: 'rules-1.14/etcd.yaml (etcdMembersDown, etcdInsufficientMembers, etcdNoLeader, …)',
    component: 'etcd',
    when: ['defaultRules.create', 'kubeEtcd.enabled', 'defaultRules.rules.etcd'],
  },
  {
    template: 'rules-1.14/kubernetes-system-kube-proxy.yaml (KubeProxyDown, KubeProxyInstanceUnreachable)',
    component: 'kube-proxy',
    when: [
      'defaultRules.create',
      'kubeProxy.enabled',
      'defaultRules.rules.kubeProxy',
      '!defaultRules.disabled.KubeProxyDown',
    ],
  },
  {
    template: 'exporters/kube-api-server/servicemonitor.yaml',
    component: 'kube-apiserver',
    when: ['kubeApiServer.enabled', 'kubernetesServiceMonitors.enabled'],
  },
  {
    template: 'exporters/kubelet/servicemonitor.yaml',
    component: 'kubelet',
    when: ['kubelet.enabled', 'kubelet.serviceMonitor.enabled', 'kubernetesServiceMonitors.enabled'],
  },
  {
    template: 'exporters/core-dns/servicemonitor.yaml',
    component: 'coredns',
    when: ['coreDns.enabled', 'coreDns.serviceMonitor.enabled', 'kubernetesServiceMonitors.enabled'],
  },
  {
    template: 'rules-1.14/kubelet.rules.yaml',
    component: 'kubelet',
    when: ['defaultRules.create', 'kubelet.enabled', 'defaultRules.rules.kubelet'],
  },
];

/** A value as Helm sees it: the Application's, else the chart default (true for these switches, unset under `disabled`). */
function valueAt(values: Json, path: string): boolean {
  let node: unknown = values;
  for (const key of path.split('.')) {
    node = typeof node === 'object' && node !== null ? (node as Json)[key] : undefined;
  }
  if (node === undefined) return !path.startsWith('defaultRules.disabled.');
  return Boolean(node);
}

/** Whether Helm would render the template: every tested value true, every `!` value false. */
function renders(values: Json, when: readonly string[]): boolean {
  return when.every((path) => (path.startsWith('!') ? !valueAt(values, path.slice(1)) : valueAt(values, path)));
}

const model = loadPlatformModel();

describe.each(model.environments.map((e) => e.name))('kube-prometheus-stack of dist/%s', (env) => {
  const objects = readDistEnvironment(env).map((m) => m.object as Json);
  const application = objects.find((o) => o.kind === 'Application' && o.metadata.name === 'kube-prometheus-stack');
  const values: Json = application?.spec.source.helm.valuesObject ?? {};

  test('renders no scrape target and no rule for a component EKS does not expose', () => {
    const rendered = CHART_TEMPLATES.filter(
      (t) => (EKS_UNSCRAPED as readonly string[]).includes(t.component) && renders(values, t.when),
    );
    expect(rendered.map((t) => `${t.component}: ${t.template}`)).toEqual([]);
  });

  test('keeps scraping and alerting on what EKS does expose', () => {
    const dropped = CHART_TEMPLATES.filter(
      (t) => (EKS_SCRAPED as readonly string[]).includes(t.component) && !renders(values, t.when),
    );
    expect(dropped.map((t) => `${t.component}: ${t.template}`)).toEqual([]);
  });

  test("the platform's own rules read no metric of those components", () => {
    const exprs = objects
      .filter((o) => o.kind === 'PrometheusRule')
      .flatMap((rule) => (rule.spec.groups as Json[]).flatMap((g) => (g.rules as Json[]).map((r) => String(r.expr))));
    expect(exprs.length).toBeGreaterThan(0);
    for (const component of EKS_UNSCRAPED) {
      expect(exprs.filter((expr) => expr.includes(`job="${component}"`) || expr.includes(`${component}_`))).toEqual([]);
    }
  });
});

describe('the evaluation of the chart conditions', () => {
  test('finds every control-plane template rendered with the chart defaults, and none once its component is off', () => {
    expect(CHART_TEMPLATES.every((t) => renders({}, t.when))).toBe(true);
    expect(
      renders({ kubeProxy: { enabled: false } }, CHART_TEMPLATES.find((t) => t.component === 'kube-proxy')?.when ?? []),
    ).toBe(false);
    expect(
      renders({ defaultRules: { disabled: { KubeProxyDown: true } } }, ['!defaultRules.disabled.KubeProxyDown']),
    ).toBe(false);
  });
});
