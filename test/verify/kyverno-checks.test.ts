/**
 * The parts of the Kyverno check of `npm run verify` that need no Kyverno CLI: what it feeds `kyverno apply`, and
 * how it reads the CLI's answers. The CLI itself runs in `npm run verify` (tools/verify/kyverno.ts).
 */
import { loadPlatformModel } from '@platform/model';
import { addonNamespace, GUARDRAILS_LABEL, withAddonCopies } from '../../tools/verify/kyverno/addon-namespace';
import {
  applyInputs,
  judge,
  type KubeObject,
  namespaceValues,
  type ReportResult,
  readEnvironment,
  runProblem,
  WORKLOAD_KINDS,
} from '../../tools/verify/kyverno/apply-dist';
import { checkRows, type DeclaredCase, parseRows, type TestRow } from '../../tools/verify/kyverno/cli-tests';

const root = `${__dirname}/../..`;
const model = loadPlatformModel();

describe('kyverno apply inputs', () => {
  test.each(model.environments.map((e) => e.name))('dist/%s: every workload, policy and Namespace is fed', (env) => {
    const objects = readEnvironment(root, env);
    const inputs = applyInputs(objects);
    expect(inputs.problems).toEqual([]);
    expect(inputs.policies.length).toBe(objects.filter((o) => o.kind === 'ValidatingPolicy').length);
    expect(inputs.exceptions.length).toBe(objects.filter((o) => o.kind === 'PolicyException').length);
    expect(inputs.namespaces.length).toBe(objects.filter((o) => o.kind === 'Namespace').length);
    const workloads = objects.filter((o) => Object.keys(WORKLOAD_KINDS).includes(o.kind));
    expect(inputs.workloads).toEqual(workloads);
    expect(inputs.workloads.length).toBeGreaterThanOrEqual(model.services.length);
  });

  const policy = (resources: string[], apiGroups = ['']): KubeObject => ({
    apiVersion: 'policies.kyverno.io/v1',
    kind: 'ValidatingPolicy',
    metadata: { name: 'p' },
    spec: { matchConstraints: { resourceRules: [{ apiGroups, apiVersions: ['v1'], resources }] } },
  });

  test('a policy on a resource the check does not feed, or a Kyverno kind it does not evaluate, is a problem', () => {
    expect(applyInputs([policy(['pods', 'pods/ephemeralcontainers'])]).problems).toEqual([]);
    expect(applyInputs([policy(['ingresses'], ['networking.k8s.io'])]).problems).toEqual([
      'ValidatingPolicy p matches networking.k8s.io/ingresses, which this check does not feed it',
    ]);
    expect(applyInputs([policy(['*'])]).problems).toHaveLength(1);
    const clusterPolicy = { apiVersion: 'kyverno.io/v1', kind: 'ClusterPolicy', metadata: { name: 'c' } };
    expect(applyInputs([clusterPolicy]).problems).toEqual([
      'ClusterPolicy c (kyverno.io/v1) is not evaluated by this check',
    ]);
  });

  test('a kind of another API group than the workload kinds is not fed', () => {
    const lookalike = { apiVersion: 'example.com/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'x' } };
    expect(applyInputs([lookalike]).workloads).toEqual([]);
  });

  test('namespaces carry the label the API server gives each one', () => {
    const values = namespaceValues([
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'team', labels: { 'platform.io/guardrails': 'enforce' } },
      },
    ]) as { kind: string; namespaces: KubeObject[] };
    expect(values.kind).toBe('Values');
    expect(values.namespaces[0].metadata.labels).toEqual({
      'platform.io/guardrails': 'enforce',
      'kubernetes.io/metadata.name': 'team',
    });
  });
});

describe('reading the policy report of kyverno apply', () => {
  const deployment: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'n' } };
  const inputs = {
    policies: [
      {
        apiVersion: 'policies.kyverno.io/v1',
        kind: 'ValidatingPolicy',
        metadata: { name: 'p' },
        spec: { validationActions: ['Audit'] },
      },
    ],
    exceptions: [],
    workloads: [deployment],
    namespaces: [],
    problems: [],
  };
  const result = (outcome: ReportResult['result']): ReportResult => ({
    policy: 'p',
    result: outcome,
    message: 'why',
    resources: [{ kind: 'Deployment', namespace: 'n', name: 'd' }],
  });

  test('a pass or an exception is no violation; a failure of an auditing policy is one', () => {
    expect(judge([result('pass')], inputs).violations).toEqual([]);
    expect(judge([result('skip')], inputs)).toMatchObject({ violations: [], excepted: 1 });
    expect(judge([result('fail')], inputs).violations).toEqual(['Deployment n/d: p (Audit) fail: why']);
    expect(judge([result('error')], inputs).violations).toHaveLength(1);
  });

  test('a workload no policy evaluated is a violation, as nothing was checked', () => {
    expect(judge([], inputs).violations).toEqual([
      'Deployment n/d: no policy evaluated it',
      'ValidatingPolicy p (Audit): no result for any workload',
    ]);
  });

  test('a policy that gave no result for any workload is a violation, naming the policy', () => {
    const unused: KubeObject = {
      ...inputs.policies[0],
      metadata: { name: 'q' },
      spec: { validationActions: ['Deny'] },
    };
    const both = { ...inputs, policies: [...inputs.policies, unused] };
    expect(judge([result('pass')], both).violations).toEqual(['ValidatingPolicy q (Deny): no result for any workload']);
    expect(judge([result('pass'), { ...result('skip'), policy: 'q' }], both).violations).toEqual([]);
  });

  test('kyverno apply must exit 0, or 1 with a failing result, and print no other error on stderr', () => {
    const violation = 'Error: exit as there are policy violations\n';
    expect(runProblem(0, '', [result('pass')])).toBeUndefined();
    expect(runProblem(1, violation, [result('fail')])).toBeUndefined();
    expect(runProblem(1, violation, [result('pass')])).toMatch(/exit 1 without a failing result/);
    expect(runProblem(1, '', [])).toMatch(/exit 1/);
    expect(runProblem(2, '', [result('fail')])).toMatch(/exit 2/);
    expect(runProblem(null, '', [result('pass')])).toMatch(/exit null/);
    expect(runProblem(0, 'Error: failed to load policy x\n', [result('pass')])).toMatch(/failed to load policy x/);
    expect(runProblem(0, violation, [result('pass')])).toMatch(/error on stderr/);
  });
});

describe('workloads copied into an add-on namespace', () => {
  test.each(model.environments.map((e) => e.name))(
    'dist/%s: every policy selects the Namespaces of its own workloads or of their add-on copies',
    (env) => {
      const own = applyInputs(readEnvironment(root, env));
      const addons = addonNamespace(own.namespaces);
      expect(addons).toBeDefined();
      const inputs = withAddonCopies(own, addons as string);
      const labelsOf = new Map(own.namespaces.map((n) => [n.metadata.name, n.metadata.labels ?? {}]));
      const reached = new Set(
        inputs.workloads.map((w) => labelsOf.get(w.metadata.namespace ?? '')?.[GUARDRAILS_LABEL]),
      );
      for (const policy of own.policies) {
        const selector = (
          policy.spec as {
            matchConstraints?: {
              namespaceSelector?: { matchExpressions?: { key: string; operator: string; values: string[] }[] };
            };
          }
        ).matchConstraints?.namespaceSelector;
        const wanted = (selector?.matchExpressions ?? []).filter((e) => e.key === GUARDRAILS_LABEL);
        for (const expression of wanted) {
          expect([policy.metadata.name, expression.values.some((v) => reached.has(v))]).toEqual([
            policy.metadata.name,
            true,
          ]);
        }
      }
    },
  );

  const workload = (kind: string, namespace: string, name: string): KubeObject => ({
    apiVersion: 'v1',
    kind,
    metadata: { name, namespace },
  });
  const namespace = (name: string, guardrails?: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: guardrails ? { [GUARDRAILS_LABEL]: guardrails } : {} },
  });

  test('the add-on namespace is the first audit-labelled one by name', () => {
    expect(
      addonNamespace([namespace('team', 'enforce'), namespace('monitoring', 'audit'), namespace('argocd', 'audit')]),
    ).toBe('argocd');
    expect(addonNamespace([namespace('team', 'enforce')])).toBeUndefined();
  });

  test('each workload gets one copy there, renamed only where names would clash', () => {
    const own = { policies: [], exceptions: [], namespaces: [], problems: [] };
    const copied = withAddonCopies(
      { ...own, workloads: [workload('Service', 'a', 's'), workload('Service', 'b', 's'), workload('Pod', 'a', 'p')] },
      'addons',
    );
    expect(copied.workloads.slice(3).map((w) => `${w.kind} ${w.metadata.namespace}/${w.metadata.name}`)).toEqual([
      'Service addons/a-s',
      'Service addons/b-s',
      'Pod addons/p',
    ]);
  });

  test("a SecretStore is not copied: it complies only in its own namespace, with that namespace's reader role", () => {
    const own = { policies: [], exceptions: [], namespaces: [], problems: [] };
    const store = { ...workload('SecretStore', 'a', 'store'), apiVersion: 'external-secrets.io/v1' };
    const copied = withAddonCopies({ ...own, workloads: [store, workload('Pod', 'a', 'p')] }, 'addons');
    expect(copied.workloads.slice(2).map((w) => `${w.kind} ${w.metadata.namespace}/${w.metadata.name}`)).toEqual([
      'Pod addons/p',
    ]);
  });
});

describe('reading kyverno test', () => {
  const declared = (resource: string, kind = 'Deployment', result = 'fail'): DeclaredCase => ({
    file: 'f/kyverno-test.yaml',
    policy: 'p',
    kind,
    resource,
    result,
  });
  const row = (resource: string, RESULT: string, REASON: string): TestRow => ({
    POLICY: 'p',
    RESOURCE: resource,
    RESULT,
    REASON,
  });

  test('a declared case holds only when a compared row of its kind and name passed', () => {
    expect(checkRows([declared('d')], [row('apps/v1/Deployment/n/d', 'Pass', 'Ok')])).toEqual({
      held: 1,
      failures: [],
    });
    expect(checkRows([declared('n/d')], [row('apps/v1/Deployment/n/d', 'Pass', 'Ok')]).held).toBe(1);
  });

  test('a resource the CLI excluded counts as passed to kyverno test, but not here', () => {
    expect(checkRows([declared('d')], [row('apps/v1/Deployment/n/d', 'Pass', 'Excluded')])).toEqual({
      held: 0,
      failures: ['f/kyverno-test.yaml: p on Deployment d: declared fail, but Kyverno did not evaluate it'],
    });
    expect(checkRows([declared('d', 'CronJob')], [row('apps/v1/Deployment/n/d', 'Pass', 'Ok')]).held).toBe(0);
  });

  test('a declared skip holds for a resource the policy gave no result', () => {
    const skip = declared('d', 'Deployment', 'skip');
    expect(checkRows([skip], [row('apps/v1/Deployment/n/d', 'Pass', 'Excluded')]).held).toBe(1);
    expect(checkRows([skip], [row('apps/v1/Deployment/n/d', 'Fail', 'Want skip, got pass')]).held).toBe(0);
    expect(checkRows([skip], []).held).toBe(0);
  });

  test('a failed row fails the check', () => {
    const checked = checkRows([declared('d')], [row('apps/v1/Deployment/n/d', 'Fail', 'Want fail, got pass')]);
    expect(checked.held).toBe(0);
    expect(checked.failures).toEqual(['p on apps/v1/Deployment/n/d: Fail (Want fail, got pass)']);
  });

  test('the JSON tables of several test files are read between the progress lines', () => {
    const table = (name: string) => JSON.stringify([row(`v1/Pod/n/${name}`, 'Pass', 'Ok')], null, 2);
    const stdout = `Loading test ( a ) ...\n  Checking results ...\n${table('a')}\nLoading test ( b ) ...\n${table('b')}\n\nTest Summary: 2 tests passed and 0 tests failed\n`;
    expect(parseRows(stdout).map((r) => r.RESOURCE)).toEqual(['v1/Pod/n/a', 'v1/Pod/n/b']);
  });
});
