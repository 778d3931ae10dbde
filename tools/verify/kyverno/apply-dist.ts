/**
 * `kyverno apply` of an environment's ValidatingPolicies and PolicyExceptions (policies.kyverno.io) to the
 * workloads of its dist/ folder, with the labels of the environment's Namespaces, and the reading of the
 * policy report the CLI prints.
 *
 * For ValidatingPolicies the CLI reads namespace labels only from a values file's `namespaces`; a namespace it
 * is not given carries just `kubernetes.io/metadata.name` (kyverno/kyverno v1.19.0
 * cmd/cli/kubectl-kyverno/variables/variables.go, pkg/cel/matching/predicates/namespace/matcher.go).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { listFiles } from '../../../apps/cluster/src/dist-directory';
import { lastLines, runProcess } from '../process-output';

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

/**
 * The kinds fed to the policies, with their API group and resource: what a Pod policy reaches directly or through
 * Kyverno's autogen (pkg/cel/autogen/data.go), Services, and External Secrets' SecretStores and ClusterSecretStores
 * (dist/ ships none of the latter; one it shipped would be judged). A policy matching any other resource fails the
 * check, as nothing here would show it at work.
 */
export const WORKLOAD_KINDS: Readonly<Record<string, { readonly group: string; readonly resource: string }>> = {
  Pod: { group: '', resource: 'pods' },
  Service: { group: '', resource: 'services' },
  Deployment: { group: 'apps', resource: 'deployments' },
  StatefulSet: { group: 'apps', resource: 'statefulsets' },
  DaemonSet: { group: 'apps', resource: 'daemonsets' },
  ReplicaSet: { group: 'apps', resource: 'replicasets' },
  Job: { group: 'batch', resource: 'jobs' },
  CronJob: { group: 'batch', resource: 'cronjobs' },
  SecretStore: { group: 'external-secrets.io', resource: 'secretstores' },
  ClusterSecretStore: { group: 'external-secrets.io', resource: 'clustersecretstores' },
};

const KYVERNO_GROUPS = ['kyverno.io', 'policies.kyverno.io'];
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** What one environment's check is made of. */
export interface ApplyInputs {
  readonly policies: readonly KubeObject[];
  readonly exceptions: readonly KubeObject[];
  readonly workloads: readonly KubeObject[];
  readonly namespaces: readonly KubeObject[];
  /** Kyverno objects this check does not evaluate, and policy rules it cannot feed. */
  readonly problems: readonly string[];
}

/** Every object of dist/<environment>/, in file order. */
export function readEnvironment(root: string, environment: string): KubeObject[] {
  const directory = join(root, 'dist', environment);
  return listFiles(directory)
    .filter((path) => path.endsWith('.yaml'))
    .flatMap((path) =>
      parseAllDocuments(readFileSync(join(directory, path), 'utf8'))
        .map((document) => document.toJS() as KubeObject | null)
        .filter((object): object is KubeObject => object !== null),
    );
}

const groupOf = (object: KubeObject) => (object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '');
const isOf = (object: KubeObject, group: string, kind: string) => groupOf(object) === group && object.kind === kind;

/** Splits an environment's objects into what `kyverno apply` is given. */
export function applyInputs(objects: readonly KubeObject[]): ApplyInputs {
  const policies = objects.filter((o) => isOf(o, 'policies.kyverno.io', 'ValidatingPolicy'));
  const exceptions = objects.filter((o) => isOf(o, 'policies.kyverno.io', 'PolicyException'));
  const problems = objects
    .filter((o) => KYVERNO_GROUPS.includes(groupOf(o)) && !policies.includes(o) && !exceptions.includes(o))
    .map((o) => `${o.kind} ${o.metadata.name} (${o.apiVersion}) is not evaluated by this check`);
  const fed = new Set(Object.values(WORKLOAD_KINDS).map((k) => `${k.group}/${k.resource}`));
  for (const policy of policies) {
    const spec = policy.spec as {
      matchConstraints?: { resourceRules?: { apiGroups?: string[]; resources?: string[] }[] };
    };
    for (const rule of spec.matchConstraints?.resourceRules ?? []) {
      for (const group of rule.apiGroups ?? []) {
        for (const resource of rule.resources ?? []) {
          const key = `${group}/${resource.split('/')[0]}`;
          if (!fed.has(key)) {
            problems.push(`ValidatingPolicy ${policy.metadata.name} matches ${key}, which this check does not feed it`);
          }
        }
      }
    }
  }
  const workloads = objects.filter((o) => {
    const kind = WORKLOAD_KINDS[o.kind];
    return kind !== undefined && groupOf(o) === kind.group;
  });
  const namespaces = objects.filter((o) => isOf(o, '', 'Namespace'));
  return { policies, exceptions, workloads, namespaces, problems };
}

/** One result of the policy report `kyverno apply --policy-report` prints. */
export interface ReportResult {
  readonly policy: string;
  readonly result: 'pass' | 'fail' | 'warn' | 'error' | 'skip';
  readonly message?: string;
  readonly resources: readonly { readonly kind: string; readonly namespace?: string; readonly name: string }[];
}

export interface ApplyOutcome {
  readonly results: readonly ReportResult[];
  /** Each failed, erroneous or warned result, and each workload no policy evaluated. */
  readonly violations: readonly string[];
  /** Results skipped because a PolicyException waived the policy. */
  readonly excepted: number;
}

/** `kyverno apply` of the inputs; resolves with the report's results, rejects when the CLI gives no report. */
export async function applyPolicies(cli: string, inputs: ApplyInputs): Promise<ApplyOutcome> {
  const work = mkdtempSync(join(tmpdir(), 'verify-kyverno-apply-'));
  try {
    const file = (name: string, objects: readonly unknown[]) => {
      writeFileSync(join(work, name), objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n'));
      return join(work, name);
    };
    const args = [
      'apply',
      file('policies.yaml', inputs.policies),
      '--resource',
      file('workloads.yaml', inputs.workloads),
    ];
    // An empty exceptions file is an error to the CLI.
    if (inputs.exceptions.length > 0) args.push('--exception', file('exceptions.yaml', inputs.exceptions));
    args.push('--values-file', file('values.yaml', [namespaceValues(inputs.namespaces)]));
    args.push('--policy-report', '--output-format', 'json', '--remove-color');
    const run = await runProcess(cli, args, { cwd: work });
    const start = run.stdout.indexOf('{');
    let report: { results?: ReportResult[] } | undefined;
    try {
      report = start >= 0 ? JSON.parse(run.stdout.slice(start)) : undefined;
    } catch {
      report = undefined;
    }
    if (!report)
      throw new Error(
        `kyverno apply gave no policy report (exit ${run.status}):\n${lastLines(`${run.stdout}${run.stderr}`, 40)}`,
      );
    const results = report.results ?? [];
    const problem = runProblem(run.status, run.stderr, results);
    if (problem) throw new Error(`kyverno apply: ${problem}`);
    return judge(results, inputs);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The CLI's values file: the environment's Namespaces with the label the API server gives every namespace, so
 * namespace selectors see what they would see in the cluster.
 */
export function namespaceValues(namespaces: readonly KubeObject[]): unknown {
  return {
    apiVersion: 'cli.kyverno.io/v1alpha1',
    kind: 'Values',
    metadata: { name: 'namespaces' },
    namespaces: namespaces.map((n) => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: n.metadata.name, labels: { ...n.metadata.labels, [NAMESPACE_NAME_LABEL]: n.metadata.name } },
    })),
  };
}

const describe = (r: { kind: string; namespace?: string; name: string }) =>
  `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;

/**
 * The error the CLI reports when results failed or erred, its way of exiting 1 (kyverno/kyverno v1.19.0
 * cmd/cli/kubectl-kyverno/commands/apply/command.go, func exit).
 */
const VIOLATION_EXIT = /exit as there are policy (violations|errors)/;

/**
 * Why a run of `kyverno apply` cannot be trusted, or undefined when it can: the CLI exits 0, or 1 when the report
 * holds a failed or erroneous result (see VIOLATION_EXIT); any other exit, or any other error line on stderr,
 * means it did not evaluate everything.
 */
export function runProblem(
  status: number | null,
  stderr: string,
  results: readonly ReportResult[],
): string | undefined {
  const failing = results.some((r) => r.result === 'fail' || r.result === 'error');
  const errorLines = stderr
    .split('\n')
    .filter((line) => /\b(error|fatal|panic)\b/i.test(line) && !(failing && VIOLATION_EXIT.test(line)));
  if (status !== 0 && !(status === 1 && failing)) {
    return `exit ${status}${failing ? '' : ' without a failing result'}: ${stderr.trim() || '(no stderr)'}`;
  }
  if (errorLines.length > 0) return `error on stderr (exit ${status}): ${stderr.trim()}`;
  return undefined;
}

/**
 * Violations of a report: any result but pass or skip, any workload the policies never evaluated, and any policy
 * that gave no result at all (nothing shows it at work).
 */
export function judge(results: readonly ReportResult[], inputs: ApplyInputs): ApplyOutcome {
  const actions = new Map(
    inputs.policies.map((p) => [
      p.metadata.name,
      ((p.spec as { validationActions?: string[] }).validationActions ?? []).join(','),
    ]),
  );
  const violations = results
    .filter((r) => r.result !== 'pass' && r.result !== 'skip')
    .map((r) =>
      `${r.resources.map(describe).join(', ')}: ${r.policy} (${actions.get(r.policy) ?? '?'}) ${r.result}: ${r.message ?? ''}`.trim(),
    );
  const evaluated = new Set(results.flatMap((r) => r.resources.map(describe)));
  for (const workload of inputs.workloads) {
    const name = describe({ ...workload.metadata, kind: workload.kind });
    if (!evaluated.has(name)) violations.push(`${name}: no policy evaluated it`);
  }
  const answered = new Set(results.map((r) => r.policy));
  for (const policy of inputs.policies) {
    const name = policy.metadata.name;
    if (!answered.has(name))
      violations.push(`ValidatingPolicy ${name} (${actions.get(name) ?? '?'}): no result for any workload`);
  }
  return { results, violations, excepted: results.filter((r) => r.result === 'skip').length };
}
