/**
 * The parts of the Kyverno check of `npm run verify` that need no Kyverno CLI: what it feeds `kyverno apply`, and
 * how it reads the CLI's answers. The CLI itself runs in `npm run verify` (tools/verify/kyverno.ts).
 */
import { loadPlatformModel } from '@platform/model';
import {
  applyInputs,
  judge,
  type KubeObject,
  namespaceValues,
  type ReportResult,
  readEnvironment,
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
    expect(judge([], inputs).violations).toEqual(['Deployment n/d: no policy evaluated it']);
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
