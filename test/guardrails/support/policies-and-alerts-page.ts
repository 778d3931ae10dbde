/**
 * docs/policies-and-alerts.md, rendered from the objects in dist/ so the page cannot drift from what is
 * deployed. `pnpm synth` writes it (tools/generated-files.ts); `pnpm synth:check` and a test compare.
 */
import { ARGO_CD_CHART } from '@platform/aws-platform';
import { ADDON_NAMESPACES, ADDON_POLICY_SUFFIX, GUARDRAILS_LABEL } from '@platform/k8s-platform';
import { AlertmanagerSetup, routeAlert } from './alertmanager-config';
import type { DistManifest } from './dist-manifests';
import type { KubeObject } from './kyverno-evaluation';

interface PolicySpec {
  readonly validationActions: string[];
  readonly matchConstraints: { resourceRules: { resources: string[] }[] };
  readonly autogen?: { podControllers?: { controllers?: string[] } };
  readonly validations: { message: string }[];
}
interface AlertRule {
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

const annotation = (object: KubeObject, key: string) =>
  ((object.metadata.annotations ?? {}) as Record<string, string>)[key] ?? '';
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderPoliciesAndAlertsPage(environments: ReadonlyMap<string, readonly DistManifest[]>): string {
  const names = [...environments.keys()];
  const objectsOf = (env: string, kind: string) =>
    (environments.get(env) ?? []).filter((m) => m.object.kind === kind).map((m) => m.object);
  const reference = names[names.length - 1];
  // The enforcing policies; each one's add-on companion, if it has one, shares its annotations and validations.
  const all = objectsOf(reference, 'ValidatingPolicy');
  const policies = all.filter((p) => !p.metadata.name.endsWith(ADDON_POLICY_SUFFIX));
  const companionOf = (policy: KubeObject) =>
    all.find((p) => p.metadata.name === `${policy.metadata.name}${ADDON_POLICY_SUFFIX}`)?.metadata.name;
  // Policies without a companion: one policy, without namespace selector, for every namespace.
  const everywhere = policies.filter((p) => companionOf(p) === undefined).map((p) => `\`${p.metadata.name}\``);
  const namespaceLabels = (name: string) =>
    (objectsOf(reference, 'Namespace').find((n) => n.metadata.name === name)?.metadata.labels ?? {}) as Record<
      string,
      string
    >;
  const exceptions = objectsOf(reference, 'PolicyException');
  const alerts = objectsOf(reference, 'PrometheusRule').flatMap((rule) =>
    (rule.spec as { groups: { name: string; rules: AlertRule[] }[] }).groups.flatMap((g) =>
      g.rules.filter((r) => r.alert).map((r) => ({ group: g.name, rule: r })),
    ),
  );
  // The chart and version an add-on's Application pins; Argo CD itself comes from the cloud stack.
  const chartOf = (addon: string) => {
    const source = (
      objectsOf(reference, 'Application').find((a) => a.metadata.name === addon)?.spec as
        | { source?: { chart?: string; repoURL: string; targetRevision: string; helm?: unknown } }
        | undefined
    )?.source;
    if (source?.helm) return `${source.chart ?? source.repoURL.split('/').pop()} ${source.targetRevision}`;
    if (addon === ARGO_CD_CHART.chart) return `${ARGO_CD_CHART.chart} ${ARGO_CD_CHART.version} (cloud stack)`;
    return 'EKS add-on';
  };
  const modeOf = (env: string, policy: string) =>
    (
      objectsOf(env, 'ValidatingPolicy').find((p) => p.metadata.name === policy)?.spec as PolicySpec | undefined
    )?.validationActions.join(', ') ?? 'absent';
  const inAddonNamespaces = (policy: KubeObject) => {
    const companion = companionOf(policy);
    return companion
      ? `\`${companion}\`: ${modeOf(reference, companion)}`
      : `\`${policy.metadata.name}\` itself: ${modeOf(reference, policy.metadata.name)}`;
  };

  const lines = [
    '# Policies and alerts',
    '',
    '<!-- Generated from dist/ by `pnpm synth`; `pnpm synth:check` fails when it differs. Do not edit. -->',
    '',
    'The guard rails of every environment: Kyverno `ValidatingPolicy` objects in `dist/<env>/policies/` and',
    'PrometheusRules in `dist/<env>/alerting/`. Both are tested by their real engines: the policies by the Kyverno',
    'CLI of the release the cluster runs (`npm run verify`: `kyverno test` on the good and bad examples of',
    '`test/guardrails/fixtures/`, `kyverno apply` to every workload in `dist/`) and, in the jest suites, by a CEL',
    'engine against the same examples and workloads; the alerts with `promtool check rules` and `promtool test rules`.',
    '',
    '## Admission policies',
    '',
    '`Audit` records a violation in a PolicyReport and admits the object; `Deny` rejects it. Each guard rail is',
    `two policies, split by the namespace label \`${GUARDRAILS_LABEL}\`: \`<name>\` acts in the environment's mode in`,
    'every namespace not labelled `audit` (the team namespaces, `default`, and any namespace without the label), and',
    `\`<name>${ADDON_POLICY_SUFFIX}\` only audits, in the add-on namespaces (see below).${everywhereSentence(everywhere)} An UPDATE that leaves what a policy`,
    'checks unchanged (the Pod spec, or the Pod template of a controller) is not checked again, so removing a',
    'finalizer or scaling a Deployment never fails on an object admitted before a policy existed. Policies about Pods',
    `apply to Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs and CronJobs too (Kyverno autogen)${limitedAutogen(policies)}.`,
    'Kyverno 1.19 derives those rules only for a policy that matches `pods` alone, so the policies do not match the',
    '`pods/ephemeralcontainers` subresource that `kubectl debug` adds containers through; in the team namespaces Pod',
    'Security Admission (`restricted`) checks those. Background scanning reports objects that were admitted before',
    'a policy existed.',
    '',
    `| Policy | Category | Severity | What and why | ${names.map((n) => `Mode in ${n}`).join(' | ')} | In add-on namespaces |`,
    `| --- | --- | --- | --- | ${names.map(() => '---').join(' | ')} | --- |`,
    ...policies.map(
      (p) =>
        `| \`${p.metadata.name}\` (${cell(annotation(p, 'policies.kyverno.io/title'))}) | ${cell(annotation(p, 'policies.kyverno.io/category'))} | ${annotation(p, 'policies.kyverno.io/severity')} | ${cell(annotation(p, 'policies.kyverno.io/description'))} | ${names.map((n) => modeOf(n, p.metadata.name)).join(' | ')} | ${inAddonNamespaces(p)} |`,
    ),
    '',
    '### Messages',
    '',
    'What a rejected or reported object is told, per policy:',
    '',
    ...policies.flatMap((p) => (p.spec as PolicySpec).validations.map((v) => `- \`${p.metadata.name}\`: ${v.message}`)),
    '',
    '### Add-on namespaces',
    '',
    "The add-ons' charts run upstream images with their own labels, and several leave out requests, limits or probes",
    'by default; a guard rail that denied them would stop their next restart or upgrade, which Argo CD cannot heal.',
    `So their namespaces are labelled \`${GUARDRAILS_LABEL}: audit\`: the guard rails report there, and Pod Security`,
    'Admission enforces the strictest level the add-ons need (the least strict level any add-on of the namespace needs).',
    'The levels are checked against the pods of each chart at its pinned version (`test/guardrails/addon-admission.test.ts`).',
    'A policy that only audits sets `failurePolicy: Ignore`, so Kyverno registers it in its fail-open webhook: while',
    'Kyverno is down, pods of these namespaces (Argo CD, which would repair Kyverno, among them) still start.',
    '',
    '| Namespace | Pod Security enforce | Guard rails | Add-on | Chart | Level it needs | Why |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...ADDON_NAMESPACES.flatMap((namespace) =>
      namespace.addons.map(
        (addon) =>
          `| ${namespace.name} | ${namespaceLabels(namespace.name)['pod-security.kubernetes.io/enforce'] ?? 'absent'} | ${namespaceLabels(namespace.name)[GUARDRAILS_LABEL] ?? 'absent'} | ${addon.addon} | ${chartOf(addon.addon)} | ${addon.level} | ${cell(addon.why)} |`,
      ),
    ),
    '',
    '### Exceptions',
    '',
    'A waiver of an enforcing policy is a `PolicyException` (in the `kyverno` namespace) for one policy in one',
    'namespace, with its reason in the `policies.kyverno.io/reason` annotation; every other policy still applies there.',
    'The add-on namespaces need none, and may have none.',
    '',
    ...(exceptions.length === 0
      ? ['None are granted.']
      : [
          '| Namespace | Policy waived | Reason |',
          '| --- | --- | --- |',
          ...exceptions.map((e) => {
            const spec = e.spec as { policyRefs: { name: string }[]; matchConditions: { expression: string }[] };
            const namespace = /'([a-z0-9-]+)'$/.exec(spec.matchConditions[0]?.expression ?? '')?.[1] ?? '?';
            return `| ${namespace} | \`${spec.policyRefs[0]?.name}\` | ${cell(annotation(e, 'policies.kyverno.io/reason'))} |`;
          }),
        ]),
    '',
    '### Requesting an exception',
    '',
    '1. Fix the workload if you can: every message above says what to change. Most violations have a compliant',
    '   alternative (an `emptyDir` instead of a writable root filesystem, `NET_BIND_SERVICE` instead of root).',
    '2. Otherwise open a pull request that adds one entry to `PLATFORM_EXCEPTIONS` in',
    '   `packages/k8s-platform/src/guardrails/platform-exceptions.ts`, or passes an `exceptions` list to',
    '   `AdmissionPolicies`: one enforcing policy, one namespace outside the add-on ones, and the reason (what needs',
    '   it and why no alternative works).',
    '3. Run `pnpm synth` and `pnpm test`, regenerate this page, and ask the platform team for review. The reason',
    "   lands in the exception's annotation and in the table above.",
    '',
    '## Alerts',
    '',
    'Alertmanager (kube-prometheus-stack) sends `critical` alerts to the pager (PagerDuty) where the model configures',
    "one and to tickets otherwise, `warning` and `info` alerts to tickets (a webhook), and the chart's always-firing",
    "`Watchdog` to a dead man's switch about once a minute, so that an outside service alerts when the pipeline stops.",
    'A critical alert holds back the warnings and infos of the same `alertname` and `namespace`, a warning the infos;',
    "the chart's `InfoInhibitor` holds back a namespace's `info` alerts while no warning or critical alert fires there,",
    'and is itself held back by `Watchdog` (its route ends at `null`, the one receiver without integration). Each alert',
    'links its runbook. A receiver reads its credential from a file mounted from a Secret in `monitoring` that an',
    '`ExternalSecret` fills from the Secrets Manager secret the model names (`environments[].alerting.receivers`); the',
    'AWS half creates those secrets empty and the on-call team sets them (see',
    '[the runbooks](runbooks/README.md#before-the-first-alert-set-the-receivers)). No credential is in Git. The',
    'control-plane components EKS does not let Prometheus scrape (scheduler, controller manager, etcd, kube-proxy)',
    'have no scrape target and no rules, so nothing fires for ever on a healthy cluster.',
    '',
    '| Environment | Alerts | Receiver | Delivers through | Secrets Manager secret |',
    '| --- | --- | --- | --- | --- |',
    ...names.flatMap((env) => routingRows(env, environments.get(env) ?? [])),
    '',
    '| Alert | Rule group | Severity | For | Condition | Runbook |',
    '| --- | --- | --- | --- | --- | --- |',
    ...alerts.map(
      ({ group, rule }) =>
        `| ${rule.alert} | ${group} | ${rule.labels?.severity} | ${rule.for ?? 'at once'} | ${cell(condition(rule))} | [${rule.alert}](runbooks/${rule.alert}.md) |`,
    ),
    '',
  ];
  return lines.join('\n');
}

// The policies that are one policy for every namespace, in every environment's mode alike.
function everywhereSentence(names: readonly string[]): string {
  if (names.length === 0) return '';
  const [subject, verb, each] = names.length === 1 ? [names[0], 'is', 'it is'] : [names.join(', '), 'are', 'each is'];
  return ` ${subject} ${verb} not split: about objects only the platform creates, ${each} a single policy without namespace selector that judges every namespace (add-on ones included) and cluster-scoped objects, and denies in every environment (Kyverno's chart keeps its webhooks out of kube-system and kyverno, where only cluster administrators write).`;
}

// Policies whose autogen covers fewer controllers than all of them, e.g. require-probes (Jobs run to completion).
function limitedAutogen(policies: readonly KubeObject[]): string {
  const limited = policies.flatMap((p) => {
    const controllers = (p.spec as PolicySpec).autogen?.podControllers?.controllers;
    return controllers ? [`\`${p.metadata.name}\`, which covers only ${controllers.join(', ')}`] : [];
  });
  return limited.length > 0 ? `, except ${limited.join('; ')}` : '';
}

// Where each kind of alert goes in one environment, as dist/ configures Alertmanager.
function routingRows(env: string, manifests: readonly DistManifest[]): string[] {
  const objects = manifests.map((m) => m.object as unknown as Record<string, unknown>);
  const application = objects.find(
    (o) => o.kind === 'Application' && (o.metadata as { name: string }).name === 'kube-prometheus-stack',
  );
  if (!application) return [`| ${env} | | absent | | |`];
  const setup = new AlertmanagerSetup(application, objects);
  const kinds: [string, Record<string, string>][] = [
    ['`critical`', { alertname: 'Any', severity: 'critical' }],
    ['`warning`, `info`', { alertname: 'Any', severity: 'warning' }],
    ['`Watchdog`', { alertname: 'Watchdog', severity: 'none' }],
  ];
  return kinds.flatMap(([what, labels]) =>
    routeAlert(setup.config.route, labels).flatMap(({ receiver }) =>
      setup
        .deliveries(receiver)
        .map(
          (d) =>
            `| ${env} | ${what} | \`${receiver}\` | ${d.integration.replace(/_configs$/, '')} | \`${d.secretName}\` |`,
        ),
    ),
  );
}

// Burn-rate alerts read best as their window pairs and thresholds; the others by their summary.
function condition(rule: AlertRule): string {
  const pairs = [
    ...rule.expr.matchAll(/ratio_rate(\w+)\{[^}]*\} > ([\d.]+)\n\s*and\n\s*\S+ratio_rate(\w+)\{[^}]*\} > [\d.]+/g),
  ];
  if (pairs.length === 0) return rule.annotations?.summary ?? '';
  return `error ratio ${pairs.map(([, long, threshold, short]) => `> ${threshold} over ${long} and ${short}`).join(', or ')}`;
}
