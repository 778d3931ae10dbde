/**
 * The cluster admits its own add-ons, at their pinned chart versions and with the values this platform sets, in
 * every environment: the Kyverno policies in dist/ do not deny their pods or controllers, and the Pod Security
 * level of their namespace admits them. The guard rails still deny tenant workloads that break them, and never
 * deny an UPDATE that leaves what they check unchanged.
 */
import { ARGO_CD_CHART } from '@platform/aws-platform';
import {
  ADDON_NAMESPACES,
  ADDON_POLICY_SUFFIX,
  AdmissionPolicies,
  addonNamespaceSecurity,
  GUARDRAILS_LABEL,
} from '@platform/k8s-platform';
import { loadPlatformModel, PLATFORM_NAMESPACES, registryHost, UserError } from '@platform/model';
import { Chart } from 'cdk8s';
import { testCdk8sApp } from '../support/cdk8s-app';
import { ADDON_FACTS, type AddonFacts } from './support/addon-pod-facts';
import { addonObjects, podSpecOf } from './support/addon-pods';
import { evaluateWithCel } from './support/cel-evaluation';
import { type DistManifest, namespaceLabelsOf, ofKind, readDistEnvironment } from './support/dist-manifests';
import {
  type AdmissionRequest,
  describe as describeObject,
  isDenied,
  type KubeObject,
  type PolicyResult,
} from './support/kyverno-evaluation';
import { type Level, podSecurityViolations, strictestAdmittingLevel } from './support/pod-security-standards';
import { compliantPod, DENIED_EVERYWHERE, fixtureObjects, policyFixtures } from './support/policy-fixtures';

const model = loadPlatformModel();
const registry = registryHost(model.organization);
const dist = new Map<string, DistManifest[]>(model.environments.map((e) => [e.name, readDistEnvironment(e.name)]));
/** The environment whose pins and namespaces stand for all: the add-ons are the same in every one. */
const ENVIRONMENT = model.environments[model.environments.length - 1].name;
const manifestsOf = (env: string) => dist.get(env) ?? [];
const policiesOf = (env: string) => ofKind(manifestsOf(env), 'ValidatingPolicy');
const exceptionsOf = (env: string) => ofKind(manifestsOf(env), 'PolicyException');
// biome-ignore lint/suspicious/noExplicitAny: manifests are free-form
const spec = (object: KubeObject) => object.spec as Record<string, any>;
const POD_SECURITY_ENFORCE = 'pod-security.kubernetes.io/enforce';

/** Add-on Applications in dist/ (Helm charts) and the chart version each pins. */
function pinnedCharts(env: string): Map<string, string> {
  const applications = ofKind(manifestsOf(env), 'Application').filter((a) => spec(a).source?.helm);
  return new Map(applications.map((a) => [a.metadata.name, spec(a).source.targetRevision as string]));
}
const destinationOf = (env: string, addon: string) =>
  ofKind(manifestsOf(env), 'Application').find((a) => a.metadata.name === addon && spec(a).source?.helm)?.spec as
    | { destination: { namespace: string } }
    | undefined;

// Installed outside Argo CD: Argo CD itself by the cloud stack (gitops-bootstrap.ts), the VPC CNI by EKS.
const INSTALLED_OUTSIDE_ARGO_CD: Readonly<Record<string, { namespace: string; pinned?: string }>> = {
  [ARGO_CD_CHART.chart]: { namespace: PLATFORM_NAMESPACES.argocd, pinned: ARGO_CD_CHART.version },
  'vpc-cni': { namespace: PLATFORM_NAMESPACES.kubeSystem },
};
// Charts that run no pods: karpenter-crd holds the CRDs of the karpenter chart only.
const WITHOUT_PODS = ['karpenter-crd'];
/**
 * Facts read at another version than the pin, because the pinned chart cannot be obtained here. Each entry names
 * the pin it stands for, so a bump of the pin fails this test until the facts are read again.
 */
const READ_AT_ANOTHER_VERSION: readonly { addon: string; pinned: string; why: string }[] = [
  { addon: 'argo-cd', pinned: '10.3.3', why: 'the newest argo-helm snapshot obtainable here ends at argo-cd-10.1.1' },
];

function namespaceOf(addon: AddonFacts, env: string): string {
  const outside = INSTALLED_OUTSIDE_ARGO_CD[addon.addon];
  const namespace = outside?.namespace ?? destinationOf(env, addon.addon)?.destination.namespace;
  if (!namespace) throw new Error(`no Application and no known installer for add-on ${addon.addon}`);
  return namespace;
}

const denials = (results: readonly PolicyResult[]) =>
  results
    .filter((r) => (r.verdict === 'fail' || r.verdict === 'error') && r.actions.includes('Deny'))
    .map((r) => `${r.resource}: ${r.policy}: ${r.messages.join(' ')}`);

describe('add-on pod facts', () => {
  test('cover every add-on that runs pods, read at the chart version the platform pins', () => {
    for (const env of model.environments.map((e) => e.name)) {
      const pins = new Map([...pinnedCharts(env)].filter(([addon]) => !WITHOUT_PODS.includes(addon)));
      for (const [addon, { pinned }] of Object.entries(INSTALLED_OUTSIDE_ARGO_CD)) if (pinned) pins.set(addon, pinned);
      expect([...ADDON_FACTS.map((f) => f.addon)].sort()).toEqual(
        [...pins.keys(), ...Object.keys(INSTALLED_OUTSIDE_ARGO_CD).filter((a) => !pins.has(a))].sort(),
      );
      for (const facts of ADDON_FACTS) {
        const pinned = pins.get(facts.addon);
        if (pinned === undefined) continue;
        const other = READ_AT_ANOTHER_VERSION.find((r) => r.addon === facts.addon);
        expect({ addon: facts.addon, readAt: facts.version, pinned }).toEqual({
          addon: facts.addon,
          readAt: other && other.pinned === pinned ? facts.version : pinned,
          pinned,
        });
      }
    }
  });

  test('facts read at another version than the pin name the pin they stand for, so a new pin needs new facts', () => {
    for (const entry of READ_AT_ANOTHER_VERSION) {
      const pinned = pinnedCharts(ENVIRONMENT).get(entry.addon) ?? INSTALLED_OUTSIDE_ARGO_CD[entry.addon]?.pinned;
      expect({ addon: entry.addon, pinned }).toEqual({ addon: entry.addon, pinned: entry.pinned });
    }
  });

  test('every add-on namespace lists exactly the add-ons whose pods run there', () => {
    const declared = ADDON_NAMESPACES.flatMap((n) => n.addons.map((a) => `${n.name}/${a.addon}`)).sort();
    expect(declared).toEqual(ADDON_FACTS.map((f) => `${namespaceOf(f, ENVIRONMENT)}/${f.addon}`).sort());
  });

  test('each add-on declares the strictest Pod Security level that admits all its pods', () => {
    for (const namespace of ADDON_NAMESPACES) {
      for (const declared of namespace.addons) {
        const facts = ADDON_FACTS.find((f) => f.addon === declared.addon) as AddonFacts;
        const needed = facts.workloads.map((w) => strictestAdmittingLevel(podSpecOf(w)));
        const leastStrict = (['privileged', 'baseline', 'restricted'] as Level[]).find((l) => needed.includes(l));
        expect({ addon: declared.addon, level: declared.level }).toEqual({ addon: declared.addon, level: leastStrict });
      }
    }
  });
});

const renamed = (object: KubeObject, name: string, namespace = object.metadata.namespace): KubeObject => ({
  ...object,
  metadata: { ...object.metadata, name, ...(namespace && { namespace }) },
});
const withPodSpec = (pod: KubeObject, change: (podSpec: ReturnType<typeof spec>) => void): KubeObject => {
  const copy = structuredClone(pod);
  change(spec(copy));
  return copy;
};

/** Every request the tests below look at, so each environment needs one evaluation only. */
function requestsOf(env: string): {
  addons: Map<string, KubeObject[]>;
  tenant: { policy: string; object: KubeObject }[];
  finalizerUpdates: AdmissionRequest[];
  specUpdates: Record<'privileged' | 'unlabelled' | 'scaled' | 'apiServerService' | 'otherService', AdmissionRequest>;
  placements: { namespace: string; pod: KubeObject }[];
} {
  const addons = new Map(
    ADDON_FACTS.map((f) => [f.addon, f.workloads.flatMap((w) => addonObjects(f, w, namespaceOf(f, env)))]),
  );
  const targets = [...model.teams.map((t) => t.name), 'default', 'scratch'];
  const addonNamespaces = ADDON_NAMESPACES.map((n) => n.name);
  // Each policy's bad examples moved into every target namespace (and the add-on namespaces, for a policy denied
  // everywhere); disallow-default-namespace's and cluster-scoped ones stay where they are.
  const tenant = policyFixtures(registry).flatMap((fixtures) => {
    const badExamples = fixtureObjects(fixtures, registry).filter((f) => f.expected === 'fail');
    const stay = badExamples.filter(
      (f) => fixtures.policy === 'disallow-default-namespace' || f.object.metadata.namespace === undefined,
    );
    const namespaces = DENIED_EVERYWHERE.includes(fixtures.policy) ? [...targets, ...addonNamespaces] : targets;
    return [
      ...stay.map((f) => ({ policy: fixtures.policy, object: f.object })),
      ...namespaces.flatMap((namespace) =>
        badExamples
          .filter((f) => !stay.includes(f))
          .map((f) => ({
            policy: fixtures.policy,
            object: renamed(f.object, f.object.metadata.name, namespace),
          })),
      ),
    ];
  });
  const bad = policyFixtures(registry)
    .flatMap((f) => fixtureObjects(f, registry))
    .filter((f) => f.expected === 'fail' && f.object.metadata.namespace !== undefined)
    .map((f) => renamed(f.object, `update-${f.object.metadata.name}`));
  const finalizerUpdates = bad.map(
    (object): AdmissionRequest => ({
      operation: 'UPDATE',
      oldObject: { ...object, metadata: { ...object.metadata, finalizers: ['example.com/cleanup'] } },
      object,
    }),
  );
  const good = renamed(compliantPod(registry) as KubeObject, 'update-good');
  const deployment = bad.find((o) => o.kind === 'Deployment') as KubeObject;
  const service = (name: string, ipFamilyPolicy?: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { type: 'ClusterIP', ports: [{ name: 'https', port: 443 }], ...(ipFamilyPolicy && { ipFamilyPolicy }) },
  });
  const serviceUpdate = (name: string): AdmissionRequest => ({
    operation: 'UPDATE',
    oldObject: service(name),
    object: service(name, 'SingleStack'),
  });
  const specUpdates = {
    privileged: {
      operation: 'UPDATE',
      oldObject: renamed(good, 'update-privileged'),
      object: withPodSpec(renamed(good, 'update-privileged'), (s) => {
        s.containers[0].securityContext.privileged = true;
      }),
    },
    unlabelled: {
      operation: 'UPDATE',
      oldObject: renamed(good, 'update-unlabelled'),
      object: (() => {
        const copy = structuredClone(renamed(good, 'update-unlabelled'));
        delete (copy.metadata.labels as Record<string, string>)['app.kubernetes.io/part-of'];
        return copy;
      })(),
    },
    scaled: {
      operation: 'UPDATE',
      oldObject: renamed(deployment, 'update-scaled'),
      object: { ...renamed(deployment, 'update-scaled'), spec: { ...spec(deployment), replicas: 5 } },
    },
    apiServerService: serviceUpdate('kubernetes'),
    otherService: serviceUpdate('other'),
  } satisfies Record<string, AdmissionRequest>;
  const placements = [model.teams[0].name, 'scratch', ...ADDON_NAMESPACES.map((n) => n.name)].map((namespace) => ({
    namespace,
    pod: renamed(compliantPod(registry) as KubeObject, 'placed', namespace),
  }));
  return { addons, tenant, finalizerUpdates, specUpdates, placements };
}

describe.each(model.environments.map((e) => [e.name, e.policyMode] as const))('in %s (%s)', (env, mode) => {
  const namespaces = namespaceLabelsOf(manifestsOf(env));
  const requests = requestsOf(env);
  /** The results of each request, by `<operation> <resource>`, in the order the evaluation gave them. */
  const resultsByRequest = new Map<string, PolicyResult[]>();
  const requestKey = (operation: string, resource: string) => `${operation} ${resource}`;
  beforeAll(() => {
    const policies = policiesOf(env);
    const results = [
      ...evaluateWithCel(
        policies,
        exceptionsOf(env),
        [
          ...[...requests.addons.values()].flat(),
          ...requests.finalizerUpdates,
          ...Object.values(requests.specUpdates),
          ...requests.placements.map((p) => p.pod),
        ],
        namespaces,
      ),
      // A tenant example is looked at for the guard rail it breaks only, so it is evaluated against that one.
      ...policies.flatMap((policy) =>
        evaluateWithCel(
          [policy],
          exceptionsOf(env),
          requests.tenant.filter((t) => t.policy === policy.metadata.name).map((t) => t.object),
          namespaces,
        ),
      ),
    ];
    for (const result of results) {
      const key = requestKey(result.operation, result.resource);
      const list = resultsByRequest.get(key) ?? [];
      list.push(result);
      resultsByRequest.set(key, list);
    }
  });
  const resultsOf = (object: KubeObject, operation: 'CREATE' | 'UPDATE' = 'CREATE') =>
    resultsByRequest.get(requestKey(operation, describeObject(object))) ?? [];
  const updateResults = (request: AdmissionRequest) => resultsOf(request.object, 'UPDATE');

  test('every add-on namespace is shipped with its Pod Security level and the guard rails in audit', () => {
    for (const namespace of ADDON_NAMESPACES) {
      expect({ namespace: namespace.name, labels: namespaces[namespace.name] }).toEqual({
        namespace: namespace.name,
        labels: expect.objectContaining({
          [GUARDRAILS_LABEL]: 'audit',
          [POD_SECURITY_ENFORCE]: addonNamespaceSecurity(namespace).enforce,
        }),
      });
    }
    for (const team of model.teams) expect(namespaces[team.name]?.[GUARDRAILS_LABEL]).toBe('enforce');
  });

  test.each(ADDON_FACTS.map((f) => [f.addon, f] as const))(
    'the pods and controllers of %s are admitted by the policies and by Pod Security',
    (addon, facts) => {
      const objects = requests.addons.get(addon) ?? [];
      expect(objects.length).toBe(2 * facts.workloads.length);
      expect(denials(objects.flatMap((o) => resultsOf(o)))).toEqual([]);
      const namespace = namespaceOf(facts, env);
      const level = namespaces[namespace]?.[POD_SECURITY_ENFORCE] as Level | undefined;
      expect({ namespace, shipped: level !== undefined }).toEqual({ namespace, shipped: true });
      for (const workload of facts.workloads) {
        expect({
          workload: workload.name,
          violations: podSecurityViolations(podSpecOf(workload), level ?? 'restricted'),
        }).toEqual({ workload: workload.name, violations: [] });
      }
    },
  );

  test('a tenant object that breaks a guard rail is denied in every team namespace, in default and in an unlabelled namespace, when the mode is Deny; one that breaks a policy denied everywhere, in every namespace and mode', () => {
    expect(requests.tenant.length).toBeGreaterThan(100);
    for (const { policy, object } of requests.tenant) {
      const checked = resultsOf(object).filter((r) => r.policy === policy && r.verdict !== 'not-applicable');
      if (object.kind === 'CronJob' && policy === 'require-probes') continue;
      const where = `${object.kind} ${object.metadata.namespace ?? '(cluster)'}/${object.metadata.name}`;
      expect({ where, verdicts: checked.map((r) => r.verdict) }).toEqual({ where, verdicts: ['fail'] });
      expect({ where, denied: isDenied(checked) }).toEqual({
        where,
        denied: mode === 'Deny' || DENIED_EVERYWHERE.includes(policy),
      });
    }
    // Each policy denied everywhere was shown its bad examples in the add-on namespaces too.
    for (const policy of DENIED_EVERYWHERE) {
      const namespaces = new Set(
        requests.tenant.filter((t) => t.policy === policy).map((t) => t.object.metadata.namespace),
      );
      for (const namespace of ADDON_NAMESPACES)
        expect({ policy, namespace: namespaces.has(namespace.name) }).toEqual({ policy, namespace: true });
    }
  });

  test('each guard rail acts exactly once on a Pod: in the mode outside the add-on namespaces, in Audit inside', () => {
    // The enforcing policies whose resource rules name Pods, as the policies themselves say.
    const podPolicies = policiesOf(env)
      .filter((p) =>
        (
          p.spec as { matchConstraints: { resourceRules: { resources: string[] }[] } }
        ).matchConstraints.resourceRules.some((r) => r.resources.includes('pods')),
      )
      .map((p) => p.metadata.name)
      .filter((n) => !n.endsWith(ADDON_POLICY_SUFFIX));
    const audited = ADDON_NAMESPACES.map((n) => n.name);
    for (const { namespace, pod } of requests.placements) {
      const applied = resultsOf(pod).filter((r) => r.verdict !== 'not-applicable');
      expect(applied.map((r) => r.policy.replace(ADDON_POLICY_SUFFIX, '')).sort()).toEqual([...podPolicies].sort());
      expect({ namespace, actions: [...new Set(applied.flatMap((r) => r.actions))] }).toEqual({
        namespace,
        actions: [audited.includes(namespace) ? 'Audit' : mode],
      });
    }
  });

  test('an UPDATE that only removes a finalizer is admitted, also for a Pod or controller that breaks the guard rails', () => {
    expect(requests.finalizerUpdates.length).toBeGreaterThan(50);
    expect(denials(requests.finalizerUpdates.flatMap(updateResults))).toEqual([]);
    // A Deployment scaled is not checked again either: under autogen the condition compares its Pod template.
    expect(denials(updateResults(requests.specUpdates.scaled))).toEqual([]);
  });

  test('an UPDATE that changes what a guard rail checks is still checked', () => {
    const privileged = updateResults(requests.specUpdates.privileged);
    expect(privileged.filter((r) => r.verdict === 'fail').map((r) => r.policy)).toEqual([
      'disallow-privileged-containers',
    ]);
    expect(isDenied(privileged)).toBe(mode === 'Deny');
    const unlabelled = updateResults(requests.specUpdates.unlabelled);
    expect(unlabelled.filter((r) => r.verdict === 'fail').map((r) => r.policy)).toEqual(['require-recommended-labels']);
  });

  test("the API server's own Service default/kubernetes may be updated; other Services in default may not", () => {
    expect(denials(updateResults(requests.specUpdates.apiServerService))).toEqual([]);
    expect(isDenied(updateResults(requests.specUpdates.otherService))).toBe(mode === 'Deny');
  });
});

describe('AdmissionPolicies exceptions', () => {
  const build = (namespace: string, policy: string) => () =>
    new AdmissionPolicies(new Chart(testCdk8sApp(), 'test'), 'policies', {
      mode: 'Deny',
      registryHost: registry,
      exceptions: [{ namespace, policy, reason: 'a reason long enough to read' }],
    });

  test('an exception in an add-on namespace is refused: the guard rails only audit there', () => {
    expect(build(PLATFORM_NAMESPACES.monitoring, 'disallow-host-path')).toThrow(UserError);
    expect(build(PLATFORM_NAMESPACES.monitoring, 'disallow-host-path')).toThrow(
      /namespace 'monitoring'.*'disallow-host-path'.*only audit/,
    );
  });

  test('an exception in a team namespace waives the enforcing policy there', () => {
    expect(build(model.teams[0].name, 'require-ro-rootfs')).not.toThrow();
  });

  test('a waived policy is not evaluated in its namespace, whether the object breaks it or not, as Kyverno reports', () => {
    const team = model.teams[0].name;
    const other = `${team}-other`;
    const chart = new Chart(testCdk8sApp(), 'test');
    new AdmissionPolicies(chart, 'policies', {
      mode: 'Deny',
      registryHost: registry,
      exceptions: [{ namespace: team, policy: 'require-ro-rootfs', reason: 'a reason long enough to read' }],
    });
    const objects = chart.toJson() as KubeObject[];
    const pod = (namespace: string, readOnly: boolean): KubeObject => {
      const object = compliantPod(registry);
      object.metadata.namespace = namespace;
      object.spec.containers[0].securityContext.readOnlyRootFilesystem = readOnly;
      return object as KubeObject;
    };
    const results = evaluateWithCel(
      objects.filter((o) => o.kind === 'ValidatingPolicy' && o.metadata.name === 'require-ro-rootfs'),
      objects.filter((o) => o.kind === 'PolicyException'),
      [pod(team, true), pod(team, false), pod(other, true), pod(other, false)],
    );
    expect(results.map((r) => r.verdict)).toEqual(['excepted', 'excepted', 'pass', 'fail']);
  });
});
