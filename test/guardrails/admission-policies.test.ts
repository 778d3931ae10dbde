import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  ADDON_NAMESPACES,
  ADDON_POLICY_SUFFIX,
  AdmissionPolicies,
  EXCEPTION_REASON_ANNOTATION,
  GUARDRAILS_LABEL,
  POLICY_ANNOTATIONS,
} from '@platform/k8s-platform';
import {
  EnvironmentNaming,
  loadPlatformModel,
  PLATFORM_NAMESPACES,
  registryHost,
  secretReaders,
  UserError,
} from '@platform/model';
import { Chart } from 'cdk8s';
import { parse, parseAllDocuments } from 'yaml';
import { testCdk8sApp } from '../support/cdk8s-app';
import { evaluateWithCel } from './support/cel-evaluation';
import { type DistManifest, namespaceLabelsOf, ofKind, readDistEnvironment } from './support/dist-manifests';
import {
  canAutogen,
  isDenied,
  KIND_RESOURCES,
  type KubeObject,
  POD_BEARING_KINDS,
  type PolicyResult,
} from './support/kyverno-evaluation';
import {
  compliantPod,
  compliantSecretStore,
  compliantService,
  DENIED_EVERYWHERE,
  expectedVerdict,
  fixtureObjects,
  fixtureReader,
  KYVERNO_TEST_ENVIRONMENT,
  type PolicyFixtures,
  policyFixtures,
  renderFixtureFiles,
} from './support/policy-fixtures';

const model = loadPlatformModel();
const registry = registryHost(model.organization);
const dist = new Map<string, DistManifest[]>(model.environments.map((e) => [e.name, readDistEnvironment(e.name)]));
const policiesOf = (environment: string) => ofKind(dist.get(environment) ?? [], 'ValidatingPolicy');
const namespacesOf = (environment: string) => namespaceLabelsOf(dist.get(environment) ?? []);
const isAddonPolicy = (policy: KubeObject) => policy.metadata.name.endsWith(ADDON_POLICY_SUFFIX);
const exceptionsOf = (environment: string) => ofKind(dist.get(environment) ?? [], 'PolicyException');
const annotations = (object: KubeObject) => (object.metadata.annotations ?? {}) as Record<string, string>;
// biome-ignore lint/suspicious/noExplicitAny: manifests are free-form
const spec = (object: KubeObject) => object.spec as Record<string, any>;
const failures = (results: readonly PolicyResult[]) =>
  results.filter((r) => r.verdict === 'fail' || r.verdict === 'error');

/** `compute` for each key once, when a test first asks for it: the evaluations below are each run once per file. */
function once<T>(compute: (key: string) => T): (key: string) => T {
  const computed = new Map<string, T>();
  return (key) => {
    if (!computed.has(key)) computed.set(key, compute(key));
    return computed.get(key) as T;
  };
}

/** The workloads and Services an environment ships, which its policies and exceptions judge at admission. */
const shippedObjectsOf = (environment: string) => ofKind(dist.get(environment) ?? [], ...Object.keys(KIND_RESOURCES));
const shippedResults = once((environment) =>
  evaluateWithCel(
    policiesOf(environment),
    exceptionsOf(environment),
    shippedObjectsOf(environment),
    namespacesOf(environment),
  ),
);
/**
 * The same pairs as if the environment shipped no exception. Only a pair an exception waived (or whose exception
 * could not be evaluated) can differ, so only those are evaluated again, without exceptions. `evaluateWithCel`
 * gives the results policy by policy, each in the order of the objects.
 */
const shippedResultsWithoutExceptions = once((environment) => {
  const policies = policiesOf(environment);
  const objects = shippedObjectsOf(environment);
  return shippedResults(environment).map((result, index) =>
    result.verdict === 'excepted' || result.verdict === 'error'
      ? evaluateWithCel(
          [policies[Math.floor(index / objects.length)]],
          [],
          [objects[index % objects.length]],
          namespacesOf(environment),
        )[0]
      : result,
  );
});

describe.each(model.environments.map((e) => [e.name, e.policyMode] as const))('policies in dist/%s', (env, mode) => {
  const policies = policiesOf(env);

  test('hold every guard rail twice and every policy denied everywhere once, each with the Kyverno annotations, the mode and background scanning', () => {
    const names = policyFixtures(registry).map((f) => f.policy);
    const guardrails = names.filter((n) => !DENIED_EVERYWHERE.includes(n));
    expect(policies.map((p) => p.metadata.name).sort()).toEqual(
      [...names, ...guardrails.map((n) => `${n}${ADDON_POLICY_SUFFIX}`)].sort(),
    );
    for (const policy of policies) {
      for (const key of Object.values(POLICY_ANNOTATIONS)) expect(annotations(policy)[key]).toMatch(/\S/);
      expect(policy.apiVersion).toBe('policies.kyverno.io/v1');
      const action = isAddonPolicy(policy) ? 'Audit' : DENIED_EVERYWHERE.includes(policy.metadata.name) ? 'Deny' : mode;
      expect({ policy: policy.metadata.name, actions: spec(policy).validationActions }).toEqual({
        policy: policy.metadata.name,
        actions: [action],
      });
      expect(spec(policy).evaluation.background.enabled).toBe(true);
      expect(spec(policy).validations.length).toBeGreaterThan(0);
    }
  });

  test("fail closed only where they deny: a policy that only audits sits in Kyverno's ignoring webhook", () => {
    // Kyverno 1.19.0 (pkg/controllers/webhook/validating.go) puts a policy in its fail-closed webhook unless
    // its failurePolicy is Ignore; while Kyverno is down that webhook rejects every matching request.
    for (const policy of policies) {
      const denies = (spec(policy).validationActions as string[]).includes('Deny');
      expect({ policy: policy.metadata.name, failurePolicy: spec(policy).failurePolicy }).toEqual({
        policy: policy.metadata.name,
        failurePolicy: denies ? 'Fail' : 'Ignore',
      });
    }
  });

  test('a policy denied everywhere selects no namespaces: it judges every namespace and cluster-scoped objects', () => {
    for (const name of DENIED_EVERYWHERE) {
      const policy = policies.find((p) => p.metadata.name === name) as KubeObject;
      expect({ policy: name, selector: spec(policy).matchConstraints.namespaceSelector }).toEqual({
        policy: name,
        selector: undefined,
      });
    }
  });

  test('each pair splits the namespaces by the guardrails label: audit for the companion, everything else for the policy', () => {
    for (const policy of policies.filter((p) => !DENIED_EVERYWHERE.includes(p.metadata.name))) {
      expect({ policy: policy.metadata.name, selector: spec(policy).matchConstraints.namespaceSelector }).toEqual({
        policy: policy.metadata.name,
        selector: {
          matchExpressions: [
            { key: GUARDRAILS_LABEL, operator: isAddonPolicy(policy) ? 'In' : 'NotIn', values: ['audit'] },
          ],
        },
      });
      const { namespaceSelector: _selector, ...constraints } = spec(policy).matchConstraints;
      const twin = policies.find(
        (p) =>
          p.metadata.name ===
          (isAddonPolicy(policy)
            ? policy.metadata.name.replace(ADDON_POLICY_SUFFIX, '')
            : `${policy.metadata.name}${ADDON_POLICY_SUFFIX}`),
      ) as KubeObject;
      const { namespaceSelector: _twinSelector, ...twinConstraints } = spec(twin).matchConstraints;
      expect(constraints).toEqual(twinConstraints);
      expect(spec(policy).validations).toEqual(spec(twin).validations);
      expect(spec(policy).matchConditions).toEqual(spec(twin).matchConditions);
    }
  });

  test('policies about Pods alone qualify for Kyverno autogen, so their controllers are checked at admission', () => {
    const podPolicies = policies.filter((p) =>
      spec(p).matchConstraints.resourceRules.every((r: { resources: string[] }) =>
        r.resources.every((resource) => resource.split('/')[0] === 'pods'),
      ),
    );
    expect(podPolicies.length).toBeGreaterThan(policies.length / 2);
    for (const policy of podPolicies) {
      expect({ policy: policy.metadata.name, autogen: canAutogen(spec(policy).matchConstraints) }).toEqual({
        policy: policy.metadata.name,
        autogen: true,
      });
    }
  });

  test('exceptions, if any, are each for one enforcing policy in one namespace outside the add-on ones, with a reason', () => {
    const names = policies.filter((p) => !isAddonPolicy(p)).map((p) => p.metadata.name);
    // Kyverno reads exceptions from the one namespace its Application's values name, and ignores all others.
    const kyverno = ofKind(dist.get(env) ?? [], 'Application').find((a) => a.metadata.name === 'kyverno');
    const exceptionSettings = spec(kyverno as KubeObject).source.helm.valuesObject.features.policyExceptions;
    expect(exceptionSettings).toEqual({ enabled: true, namespace: PLATFORM_NAMESPACES.kyverno });
    for (const exception of exceptionsOf(env)) {
      expect(exception.metadata.namespace).toBe(exceptionSettings.namespace);
      expect(annotations(exception)[EXCEPTION_REASON_ANNOTATION]?.length).toBeGreaterThan(20);
      const { policyRefs, matchConditions } = spec(exception);
      expect(policyRefs).toHaveLength(1);
      expect(names).toContain(policyRefs[0].name);
      expect(matchConditions).toHaveLength(1);
      const namespace = /^object\.metadata\.\?namespace\.orValue\(''\) == '([a-z-]+)'$/.exec(
        matchConditions[0].expression,
      );
      expect(ADDON_NAMESPACES.map((n) => n.name)).not.toContain(namespace?.[1]);
      expect(exception.metadata.name).toBe(`${namespace?.[1]}-${policyRefs[0].name}`);
    }
  });

  test('every workload and Service in dist/ passes every policy', () => {
    const objects = shippedObjectsOf(env);
    const results = shippedResults(env);
    expect(results).toHaveLength(policies.length * objects.length);
    expect(failures(results)).toEqual([]);
  });

  test('every catalog service has a workload there, and the Pod policies apply to each workload', () => {
    const workloads = ofKind(dist.get(env) ?? [], ...POD_BEARING_KINDS);
    expect(workloads.length).toBeGreaterThanOrEqual(model.services.length);
    // Each workload against every policy, without exceptions: the shipped objects' results (a workload is one).
    const results = shippedResultsWithoutExceptions(env);
    // The workloads live in team namespaces: the enforcing policies apply, their add-on companions do not.
    const podPolicies = policies
      .filter((p) => !isAddonPolicy(p))
      .filter((p) =>
        spec(p).matchConstraints.resourceRules.some((r: { resources: string[] }) => r.resources.includes('pods')),
      )
      .map((p) => p.metadata.name);
    for (const workload of workloads) {
      const checked = results.filter((r) => r.resource === describeObject(workload) && r.verdict !== 'not-applicable');
      const runsToCompletion = ['Job', 'CronJob'].includes(workload.kind);
      const expected = podPolicies.filter((p) => !(runsToCompletion && p === 'require-probes'));
      expect({ workload: describeObject(workload), policies: checked.map((r) => r.policy).sort() }).toEqual({
        workload: describeObject(workload),
        policies: expected.sort(),
      });
    }
  });
});

describe('good and bad fixtures', () => {
  const fixtures = policyFixtures(registry);
  // The SecretStore examples assume the reader role of a namespace of each environment (its account differs).
  const readerOf = (environment: string) => fixtureReader(model, environment);
  const fixturesOf = (environment: string) => policyFixtures(registry, readerOf(environment));
  const objectsOf = (environment: string, f: PolicyFixtures) => fixtureObjects(f, registry, readerOf(environment));
  // Every environment's policies, each against its own examples: the mode and the reader roles differ.
  const results = once((environment) =>
    fixturesOf(environment).flatMap((f) =>
      evaluateWithCel(
        policiesOf(environment).filter((p) => p.metadata.name === f.policy),
        [],
        objectsOf(environment, f).map((o) => o.object),
        namespacesOf(environment),
      ),
    ),
  );
  const resultOf = (environment: string, policy: string, object: KubeObject) =>
    results(environment).find((r) => r.policy === policy && r.resource === describeObject(object));
  const messagesOf = (policy: string) =>
    (
      spec(policiesOf(KYVERNO_TEST_ENVIRONMENT).find((p) => p.metadata.name === policy) as KubeObject).validations as {
        message: string;
      }[]
    ).map((v) => v.message);

  test.each(fixtures.map((f) => [f.policy, f] as const))(
    '%s denies each bad example with its message and passes each good one',
    (policy, f) => {
      expect(f.good.length).toBeGreaterThan(0);
      expect(f.bad.length).toBeGreaterThan(0);
      for (const environment of model.environments.map((e) => e.name)) {
        const ofEnvironment = fixturesOf(environment).find(
          (candidate) => candidate.policy === policy,
        ) as PolicyFixtures;
        for (const fixture of objectsOf(environment, ofEnvironment)) {
          const result = resultOf(environment, policy, fixture.object);
          const expected = expectedVerdict(policy, fixture);
          expect({ fixture: describeObject(fixture.object), verdict: result?.verdict }).toEqual({
            fixture: describeObject(fixture.object),
            verdict: expected,
          });
          if (expected === 'fail') {
            expect(result?.messages.length).toBeGreaterThan(0);
            for (const message of result?.messages ?? []) expect(messagesOf(policy)).toContain(message);
          }
        }
      }
    },
  );

  test('examples are named uniquely, so no result stands for another example', () => {
    const names = fixtures.flatMap((f) => fixtureObjects(f, registry).map((o) => describeObject(o.object)));
    expect(new Set(names).size).toBe(names.length);
  });

  test('each resource a Kyverno CLI test names is one object of its resources.yaml, of the declared kind', () => {
    // kyverno test (1.19) finds a result's resources by name alone, whatever the result's kind says.
    const files = renderFixtureFiles(registry);
    const tests = [...files].filter(([path]) => path.endsWith('/kyverno-test.yaml'));
    expect(tests.length).toBe(fixtures.length);
    for (const [path, text] of tests) {
      const test = parse(text) as { resources: string[]; results: { kind: string; resources: string[] }[] };
      const objects = test.resources.flatMap((file) =>
        parseAllDocuments(files.get(join(dirname(path), file)) ?? '').map((d) => d.toJS() as KubeObject),
      );
      for (const result of test.results) {
        for (const name of result.resources) {
          const named = objects.filter((o) => o.metadata.name === name).map((o) => o.kind);
          expect({ path, name, kinds: named }).toEqual({ path, name, kinds: [result.kind] });
        }
      }
    }
  });

  test('the compliant Pod, Service and SecretStore, from which every example is made, pass every policy', () => {
    for (const { name } of model.environments) {
      const reader = readerOf(name);
      const objects = [
        compliantPod(registry),
        compliantService(),
        // Without a reader in the environment, a store of another provider stands for the compliant one.
        reader.isReader
          ? compliantSecretStore(reader)
          : { ...compliantSecretStore(reader), spec: { provider: { fake: { data: [] } } } },
      ] as KubeObject[];
      const evaluated = evaluateWithCel(policiesOf(name), [], objects, namespacesOf(name));
      expect(failures(evaluated)).toEqual([]);
      const passed = new Set(evaluated.filter((r) => r.verdict === 'pass').map((r) => r.policy));
      expect([...passed].sort()).toEqual(
        policiesOf(name)
          .filter((p) => !isAddonPolicy(p))
          .map((p) => p.metadata.name)
          .sort(),
      );
    }
  });

  test('the committed fixture files and Kyverno CLI tests are what the fixtures render', () => {
    const stale = [...renderFixtureFiles(registry)].filter(
      ([path, text]) => readFileOrEmpty(join(__dirname, 'fixtures', path)) !== text,
    );
    expect(stale.map(([path]) => path)).toEqual([]);
  });
});

describe('the autogen model of the evaluation', () => {
  const rule = (resources: string[], apiGroups = ['']) => ({ apiGroups, apiVersions: ['v1'], resources });

  test('derives controller rules only from a single core/v1 `pods` rule, as Kyverno 1.19 does', () => {
    expect(canAutogen({ resourceRules: [rule(['pods'])] })).toBe(true);
    expect(canAutogen({ resourceRules: [rule(['pods', 'pods/ephemeralcontainers'])] })).toBe(false);
    expect(canAutogen({ resourceRules: [rule(['pods']), rule(['deployments'], ['apps'])] })).toBe(false);
    expect(canAutogen({ resourceRules: [rule(['pods', 'services'])] })).toBe(false);
    expect(canAutogen({ resourceRules: [rule(['pods'])], objectSelector: { matchLabels: { a: 'b' } } })).toBe(false);
    expect(canAutogen({ resourceRules: [rule(['pods'])], excludeResourceRules: [rule(['pods'])] })).toBe(false);
  });
});

describe('add-on namespaces', () => {
  const env = KYVERNO_TEST_ENVIRONMENT;
  // A team's namespace of the model (the guard rails enforce there), or one of no team if the model has none.
  const team = model.teams[0]?.name ?? 'team-example';
  const nodeAgent = (namespace: string): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'node-agent', namespace },
    spec: {
      template: { spec: { hostNetwork: true, containers: [{ name: 'agent', image: 'public.ecr.aws/x/agent:1.0.0' }] } },
    },
  });
  const results = once(() =>
    evaluateWithCel(
      policiesOf(env),
      exceptionsOf(env),
      [nodeAgent(PLATFORM_NAMESPACES.kubeSystem), nodeAgent(PLATFORM_NAMESPACES.monitoring), nodeAgent(team)],
      namespacesOf(env),
    ),
  );
  const verdict = (namespace: string, policy: string) =>
    results(env).find((r) => r.policy === policy && r.resource === `DaemonSet ${namespace}/node-agent`)?.verdict;

  test('audit a guard rail there instead of enforcing it', () => {
    for (const namespace of [PLATFORM_NAMESPACES.kubeSystem, PLATFORM_NAMESPACES.monitoring]) {
      expect(verdict(namespace, 'disallow-host-namespaces')).toBe('not-applicable');
      expect(verdict(namespace, `disallow-host-namespaces${ADDON_POLICY_SUFFIX}`)).toBe('fail');
      expect(verdict(namespace, `restrict-image-registries${ADDON_POLICY_SUFFIX}`)).toBe('fail');
    }
  });

  test('leave the guard rails in force in a team namespace', () => {
    expect(verdict(team, 'disallow-host-namespaces')).toBe('fail');
    expect(verdict(team, `disallow-host-namespaces${ADDON_POLICY_SUFFIX}`)).toBe('not-applicable');
    expect(verdict(team, 'restrict-image-registries')).toBe('fail');
  });

  test('an exception for an unknown policy is a user error naming the namespace and the policy', () => {
    const build = () =>
      new AdmissionPolicies(new Chart(testCdk8sApp(), 'test'), 'policies', {
        mode: 'Deny',
        registryHost: registry,
        exceptions: [{ namespace: team, policy: 'disallow-everything', reason: 'no such policy' }],
      });
    expect(build).toThrow(UserError);
    expect(build).toThrow(new RegExp(`namespace '${team}'.*'disallow-everything'`));
  });
});

function describeObject(object: KubeObject): string {
  return `${object.kind} ${object.metadata.namespace ?? '(cluster)'}/${object.metadata.name}`;
}

function readFileOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

describe.each(model.environments.map((e) => [e.name] as const))('secret stores in dist/%s', (env) => {
  // Derived from the naming contract, not from the policy: every namespace the model gives a reader, and its role.
  const environment = model.environments.find((e) => e.name === env) as (typeof model.environments)[number];
  const naming = new EnvironmentNaming(model.organization, environment);
  // The ARN is the naming contract's: a service's reader (with its path) in a team namespace, else the namespace's.
  const readers = secretReaders(naming, model.teams, model.services).map((r) => ({
    namespace: r.namespace,
    roleArn:
      r.service === undefined ? naming.secretReaderRoleArn(r.namespace) : naming.serviceSecretReaderRoleArn(r.service),
  }));
  const readerNamespaces = [...new Set(readers.map((r) => r.namespace))];
  // Team namespaces, default, and the add-on namespaces (monitoring among them): whichever have no reader.
  const withoutReader = [...model.teams.map((t) => t.name), 'default', ...ADDON_NAMESPACES.map((n) => n.name)].filter(
    (namespace) => !readers.some((r) => r.namespace === namespace),
  );
  const store = (namespace: string, roleArn: string): KubeObject => ({
    apiVersion: 'external-secrets.io/v1',
    kind: 'SecretStore',
    metadata: { name: `assumes-${roleArn.split('/').pop()}`, namespace },
    spec: { provider: { aws: { service: 'SecretsManager', region: environment.region, role: roleArn } } },
  });
  /** A ClusterSecretStore that assumes a reader's role, offered to that reader's namespace alone or to all. */
  const clusterStore = (roleArn: string, namespaces?: string[]): KubeObject => ({
    apiVersion: 'external-secrets.io/v1',
    kind: 'ClusterSecretStore',
    metadata: { name: `cluster-assumes-${roleArn.split('/').pop()}${namespaces ? '-conditioned' : ''}` },
    spec: {
      provider: { aws: { service: 'SecretsManager', region: environment.region, role: roleArn } },
      ...(namespaces && { conditions: [{ namespaces }] }),
    },
  });
  const requests = [
    // A store may assume any reader of its own namespace (each service's), and no other namespace's.
    ...readerNamespaces.flatMap((namespace) =>
      readers.map((r) => ({ own: r.namespace === namespace, object: store(namespace, r.roleArn) })),
    ),
    ...withoutReader.flatMap((namespace) => readers.map((r) => ({ own: false, object: store(namespace, r.roleArn) }))),
  ];
  const clusterStores = readers.flatMap((r) => [clusterStore(r.roleArn), clusterStore(r.roleArn, [r.namespace])]);
  const results = evaluateWithCel(
    policiesOf(env),
    [],
    [...requests.map((r) => r.object), ...clusterStores],
    namespacesOf(env),
  );
  const resultsOf = (object: KubeObject) =>
    results.filter((r) => r.resource === describeObject(object) && r.verdict !== 'not-applicable');

  test("each namespace's store may assume its own reader roles and no other namespace's, denied in every namespace and environment", () => {
    expect(requests.length).toBeGreaterThan(0);
    for (const { own, object } of requests) {
      // One policy judges a store wherever it is, add-on namespaces included, and denies whatever the mode.
      const judged = resultsOf(object);
      expect({
        store: describeObject(object),
        policies: judged.map((r) => r.policy),
        denied: isDenied(judged),
      }).toEqual({
        store: describeObject(object),
        policies: ['restrict-secret-store-role'],
        denied: !own,
      });
      expect(judged[0]?.verdict).toBe(own ? 'pass' : 'fail');
    }
  });

  test('no ClusterSecretStore is admitted, not even one offered to the namespace whose reader role it assumes', () => {
    expect(clusterStores.length).toBe(2 * readers.length);
    for (const object of clusterStores) {
      const judged = resultsOf(object);
      expect({ store: describeObject(object), verdicts: judged.map((r) => `${r.policy} ${r.verdict}`) }).toEqual({
        store: describeObject(object),
        verdicts: ['restrict-secret-store-role fail'],
      });
      expect(isDenied(judged)).toBe(true);
    }
  });

  test("the platform's own stores in dist/ are SecretStores that assume their namespace's reader roles", () => {
    expect(ofKind(dist.get(env) ?? [], 'ClusterSecretStore')).toEqual([]);
    const stores = ofKind(dist.get(env) ?? [], 'SecretStore');
    expect(stores.map((s) => s.metadata.namespace).sort()).toEqual(
      readers.flatMap((r) => [r.namespace, r.namespace]).sort(),
    );
    const evaluated = evaluateWithCel(policiesOf(env), [], stores, namespacesOf(env));
    expect(failures(evaluated)).toEqual([]);
    expect(evaluated.filter((r) => r.verdict === 'pass').length).toBe(stores.length);
  });
});
