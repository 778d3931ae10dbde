/**
 * Good and bad examples per policy. A Pod example is also wrapped in a Deployment and a CronJob, so the
 * autogen rules are exercised too. The files under test/guardrails/fixtures/ are rendered from here
 * by `pnpm synth` (tools/generated-files.ts), with a Kyverno CLI test per policy.
 */
import { EnvironmentNaming, loadPlatformModel, type PlatformModel, secretReaders } from '@platform/model';
import { stringify } from 'yaml';
import type { KubeObject } from './kyverno-evaluation';

// biome-ignore lint/suspicious/noExplicitAny: fixtures are free-form manifests
type Json = Record<string, any>;

export interface FixtureCase {
  readonly name: string;
  /** Changes the compliant example into this case. */
  readonly change: (object: Json) => void;
  /** Also test the case wrapped in Pod controllers (Pod cases only). */
  readonly controllers?: boolean;
}

export interface PolicyFixtures {
  readonly policy: string;
  readonly subject: 'Pod' | 'Service' | 'SecretStore';
  readonly good: readonly FixtureCase[];
  readonly bad: readonly FixtureCase[];
}

/**
 * The namespace of the examples: a team's namespace of no particular model. The policies act on every namespace
 * that is not an add-on namespace (labelled `platform.io/guardrails: audit`), as Kyverno sees an unknown one.
 */
export const FIXTURE_NAMESPACE = 'team-example';

export function compliantPod(registryHost: string): Json {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'example',
      namespace: FIXTURE_NAMESPACE,
      labels: {
        'app.kubernetes.io/name': 'example',
        'app.kubernetes.io/instance': 'example',
        'app.kubernetes.io/version': '1.0.0',
        'app.kubernetes.io/component': 'api',
        'app.kubernetes.io/part-of': 'example',
        'app.kubernetes.io/managed-by': 'cdk8s',
      },
    },
    spec: {
      securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'app',
          image: `${registryHost}/acme/example:1.0.0`,
          ports: [{ name: 'http', containerPort: 8080 }],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
          livenessProbe: { httpGet: { path: '/healthz', port: 'http' } },
          readinessProbe: { httpGet: { path: '/readyz', port: 'http' } },
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          },
          volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
        },
      ],
      volumes: [{ name: 'tmp', emptyDir: {} }],
    },
  };
}

export function compliantService(): Json {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'example', namespace: FIXTURE_NAMESPACE },
    spec: {
      type: 'ClusterIP',
      selector: { 'app.kubernetes.io/name': 'example' },
      ports: [{ port: 80, targetPort: 'http' }],
    },
  };
}

/**
 * Policies that deny in every environment and namespace, add-on ones included, without an auditing companion:
 * only the platform creates what they judge (secret stores), so no team's development and no add-on chart needs
 * them to audit instead.
 */
export const DENIED_EVERYWHERE: readonly string[] = ['restrict-secret-store-role'];

/** A namespace with a reader role and that role, or the role of a namespace that cannot have one. */
export interface FixtureReader {
  readonly namespace: string;
  readonly roleArn: string;
  /** Whether `roleArn` is a reader role of the namespace in the environment (else no SecretStore for AWS passes). */
  readonly isReader: boolean;
}

/**
 * The namespace the SecretStore examples live in, for one environment of the model: its first secret reader's
 * (secret-access.ts), with that reader's role. Without readers, FIXTURE_NAMESPACE, where no store for AWS passes.
 */
export function fixtureReader(model: PlatformModel, environmentName: string): FixtureReader {
  const environment = model.environments.find((e) => e.name === environmentName);
  if (!environment) throw new Error(`no environment ${environmentName}`);
  const naming = new EnvironmentNaming(model.organization, environment);
  const reader = secretReaders(naming, model.teams, model.services)[0];
  return reader
    ? { namespace: reader.namespace, roleArn: reader.roleArn, isReader: true }
    : { namespace: FIXTURE_NAMESPACE, roleArn: naming.secretReaderRoleArn(FIXTURE_NAMESPACE), isReader: false };
}

/**
 * A reader role the naming contract would give a scope that never has one (a service or namespace named
 * kube-system): no namespace's SecretStore may assume it.
 */
const nobodysRole = (reader: FixtureReader): string =>
  reader.roleArn.replace(/-(sr|secrets)-[a-z0-9-]+$/, '-$1-kube-system');

export function compliantSecretStore(reader: FixtureReader): Json {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'SecretStore',
    metadata: { name: 'example', namespace: reader.namespace },
    spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1', role: reader.roleArn } } },
  };
}

/** The store as a ClusterSecretStore: cluster-scoped, so without a namespace. */
function asClusterStore(store: Json): void {
  store.kind = 'ClusterSecretStore';
  delete store.metadata.namespace;
}

const container = (pod: Json): Json => pod.spec.containers[0];
const containerSecurity = (pod: Json): Json => container(pod).securityContext;
const podSecurity = (pod: Json): Json => pod.spec.securityContext;
const ON = { controllers: true } as const;

/**
 * @param reader where the SecretStore examples live and the role they assume: an environment's (fixtureReader), by
 * default the environment the Kyverno CLI tests run against
 */
export function policyFixtures(
  registryHost: string,
  reader: FixtureReader = fixtureReader(loadPlatformModel(), KYVERNO_TEST_ENVIRONMENT),
): PolicyFixtures[] {
  const aws = (store: Json): Json => store.spec.provider.aws;
  return [
    {
      policy: 'disallow-host-process',
      subject: 'Pod',
      good: [
        { name: 'host-process-false', change: (p) => (containerSecurity(p).windowsOptions = { hostProcess: false }) },
      ],
      bad: [
        {
          name: 'host-process-container',
          ...ON,
          change: (p) => (containerSecurity(p).windowsOptions = { hostProcess: true }),
        },
        { name: 'host-process-pod', change: (p) => (podSecurity(p).windowsOptions = { hostProcess: true }) },
      ],
    },
    {
      policy: 'disallow-host-namespaces',
      subject: 'Pod',
      good: [{ name: 'host-network-false', change: (p) => (p.spec.hostNetwork = false) }],
      bad: [
        { name: 'host-network', ...ON, change: (p) => (p.spec.hostNetwork = true) },
        { name: 'host-pid', change: (p) => (p.spec.hostPID = true) },
        { name: 'host-ipc', change: (p) => (p.spec.hostIPC = true) },
      ],
    },
    {
      policy: 'disallow-host-path',
      subject: 'Pod',
      good: [{ name: 'empty-dir', change: () => {} }],
      bad: [
        { name: 'host-path', ...ON, change: (p) => p.spec.volumes.push({ name: 'node', hostPath: { path: '/var' } }) },
      ],
    },
    {
      policy: 'disallow-host-ports',
      subject: 'Pod',
      good: [{ name: 'host-port-zero', change: (p) => (container(p).ports[0].hostPort = 0) }],
      bad: [{ name: 'host-port', ...ON, change: (p) => (container(p).ports[0].hostPort = 8080) }],
    },
    {
      policy: 'disallow-privileged-containers',
      subject: 'Pod',
      good: [{ name: 'privileged-false', change: (p) => (containerSecurity(p).privileged = false) }],
      bad: [
        { name: 'privileged', ...ON, change: (p) => (containerSecurity(p).privileged = true) },
        {
          name: 'privileged-init-container',
          change: (p) =>
            (p.spec.initContainers = [{ ...container(p), name: 'init', securityContext: { privileged: true } }]),
        },
        {
          name: 'privileged-debug-container',
          change: (p) =>
            (p.spec.ephemeralContainers = [
              { name: 'debug', image: container(p).image, securityContext: { privileged: true } },
            ]),
        },
      ],
    },
    {
      policy: 'disallow-capabilities',
      subject: 'Pod',
      good: [{ name: 'add-chown', change: (p) => (containerSecurity(p).capabilities.add = ['CHOWN']) }],
      bad: [{ name: 'add-net-admin', ...ON, change: (p) => (containerSecurity(p).capabilities.add = ['NET_ADMIN']) }],
    },
    {
      policy: 'disallow-proc-mount',
      subject: 'Pod',
      good: [{ name: 'proc-mount-default', change: (p) => (containerSecurity(p).procMount = 'Default') }],
      bad: [{ name: 'proc-mount-unmasked', ...ON, change: (p) => (containerSecurity(p).procMount = 'Unmasked') }],
    },
    {
      policy: 'disallow-selinux',
      subject: 'Pod',
      good: [
        {
          name: 'container-type',
          change: (p) => (podSecurity(p).seLinuxOptions = { type: 'container_t', level: 's0:c1,c2' }),
        },
      ],
      bad: [
        { name: 'custom-type', ...ON, change: (p) => (containerSecurity(p).seLinuxOptions = { type: 'spc_t' }) },
        { name: 'custom-user', change: (p) => (podSecurity(p).seLinuxOptions = { user: 'system_u' }) },
      ],
    },
    {
      policy: 'restrict-seccomp',
      subject: 'Pod',
      good: [
        {
          name: 'localhost',
          change: (p) => (podSecurity(p).seccompProfile = { type: 'Localhost', localhostProfile: 'app.json' }),
        },
      ],
      bad: [
        { name: 'unconfined-pod', ...ON, change: (p) => (podSecurity(p).seccompProfile = { type: 'Unconfined' }) },
        { name: 'unconfined-container', change: (p) => (containerSecurity(p).seccompProfile = { type: 'Unconfined' }) },
      ],
    },
    {
      policy: 'restrict-sysctls',
      subject: 'Pod',
      good: [
        {
          name: 'safe-sysctl',
          change: (p) => (podSecurity(p).sysctls = [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }]),
        },
      ],
      bad: [
        {
          name: 'unsafe-sysctl',
          ...ON,
          change: (p) => (podSecurity(p).sysctls = [{ name: 'kernel.msgmax', value: '65536' }]),
        },
      ],
    },
    {
      policy: 'restrict-volume-types',
      subject: 'Pod',
      good: [
        {
          name: 'projected-and-claim',
          change: (p) =>
            p.spec.volumes.push(
              { name: 'token', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } },
              { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
            ),
        },
      ],
      bad: [
        {
          name: 'nfs',
          ...ON,
          change: (p) => p.spec.volumes.push({ name: 'share', nfs: { server: 'nfs.example', path: '/' } }),
        },
      ],
    },
    {
      policy: 'disallow-privilege-escalation',
      subject: 'Pod',
      good: [{ name: 'escalation-false', change: () => {} }],
      bad: [
        { name: 'escalation-unset', ...ON, change: (p) => delete containerSecurity(p).allowPrivilegeEscalation },
        { name: 'escalation-true', change: (p) => (containerSecurity(p).allowPrivilegeEscalation = true) },
      ],
    },
    {
      policy: 'require-run-as-nonroot',
      subject: 'Pod',
      good: [
        {
          name: 'container-level',
          change: (p) => {
            delete podSecurity(p).runAsNonRoot;
            containerSecurity(p).runAsNonRoot = true;
          },
        },
      ],
      bad: [
        { name: 'unset', ...ON, change: (p) => delete podSecurity(p).runAsNonRoot },
        { name: 'container-false', change: (p) => (containerSecurity(p).runAsNonRoot = false) },
        { name: 'run-as-uid-0', change: (p) => (containerSecurity(p).runAsUser = 0) },
      ],
    },
    {
      policy: 'require-seccomp-profile',
      subject: 'Pod',
      good: [
        {
          name: 'container-level',
          change: (p) => {
            delete podSecurity(p).seccompProfile;
            containerSecurity(p).seccompProfile = { type: 'RuntimeDefault' };
          },
        },
      ],
      bad: [
        { name: 'unset', ...ON, change: (p) => delete podSecurity(p).seccompProfile },
        { name: 'container-unconfined', change: (p) => (containerSecurity(p).seccompProfile = { type: 'Unconfined' }) },
      ],
    },
    {
      policy: 'require-drop-all-capabilities',
      subject: 'Pod',
      good: [
        { name: 'add-net-bind-service', change: (p) => (containerSecurity(p).capabilities.add = ['NET_BIND_SERVICE']) },
      ],
      bad: [
        { name: 'drop-not-all', ...ON, change: (p) => (containerSecurity(p).capabilities = { drop: ['NET_RAW'] }) },
        { name: 'add-chown', change: (p) => (containerSecurity(p).capabilities.add = ['CHOWN']) },
      ],
    },
    {
      policy: 'disallow-latest-tag',
      subject: 'Pod',
      good: [
        {
          name: 'digest',
          change: (p) => (container(p).image = `${registryHost}/acme/example@sha256:${'a1'.repeat(32)}`),
        },
      ],
      bad: [
        { name: 'latest', ...ON, change: (p) => (container(p).image = `${registryHost}/acme/example:latest`) },
        { name: 'untagged', change: (p) => (container(p).image = `${registryHost}/acme/example`) },
      ],
    },
    {
      policy: 'require-requests-limits',
      subject: 'Pod',
      good: [{ name: 'with-cpu-limit', change: (p) => (container(p).resources.limits.cpu = '500m') }],
      bad: [
        { name: 'no-memory-limit', ...ON, change: (p) => delete container(p).resources.limits },
        { name: 'no-cpu-request', change: (p) => delete container(p).resources.requests.cpu },
      ],
    },
    {
      policy: 'require-probes',
      subject: 'Pod',
      good: [{ name: 'both-probes', change: () => {} }],
      bad: [
        { name: 'no-liveness', ...ON, change: (p) => delete container(p).livenessProbe },
        { name: 'no-readiness', change: (p) => delete container(p).readinessProbe },
      ],
    },
    {
      policy: 'require-recommended-labels',
      subject: 'Pod',
      good: [{ name: 'all-labels', change: () => {} }],
      bad: [
        { name: 'no-part-of', ...ON, change: (p) => delete p.metadata.labels['app.kubernetes.io/part-of'] },
        { name: 'empty-version', change: (p) => (p.metadata.labels['app.kubernetes.io/version'] = '') },
      ],
    },
    {
      policy: 'require-ro-rootfs',
      subject: 'Pod',
      good: [{ name: 'read-only', change: () => {} }],
      bad: [{ name: 'writable', ...ON, change: (p) => (containerSecurity(p).readOnlyRootFilesystem = false) }],
    },
    {
      policy: 'restrict-image-registries',
      subject: 'Pod',
      good: [{ name: 'platform-registry', change: () => {} }],
      bad: [
        { name: 'docker-hub', ...ON, change: (p) => (container(p).image = 'nginx:1.27.3') },
        {
          name: 'lookalike-host',
          change: (p) => (container(p).image = `${registryHost}.attacker.example/acme/example:1.0.0`),
        },
      ],
    },
    {
      policy: 'disallow-default-namespace',
      subject: 'Pod',
      good: [{ name: 'team-namespace', change: () => {} }],
      bad: [
        { name: 'default', ...ON, change: (p) => (p.metadata.namespace = 'default') },
        { name: 'no-namespace', change: (p) => delete p.metadata.namespace },
      ],
    },
    {
      policy: 'restrict-nodeport',
      subject: 'Service',
      good: [{ name: 'load-balancer', change: (s) => (s.spec.type = 'LoadBalancer') }],
      bad: [{ name: 'node-port', change: (s) => (s.spec.type = 'NodePort') }],
    },
    {
      policy: 'restrict-secret-store-role',
      subject: 'SecretStore',
      good: [
        // A store of another provider does not act as an AWS identity.
        { name: 'not-aws', change: (store) => (store.spec.provider = { fake: { data: [] } }) },
        ...(reader.isReader ? [{ name: 'own-reader-role', change: () => {} }] : []),
      ],
      bad: [
        { name: 'nobodys-role', change: (store) => (aws(store).role = nobodysRole(reader)) },
        { name: 'no-role', change: (store) => delete aws(store).role },
        {
          name: 'additional-roles',
          change: (store) => (aws(store).additionalRoles = [nobodysRole(reader)]),
        },
        // A ClusterSecretStore serves every namespace, whatever role it assumes or provider it uses.
        { name: 'cluster-store', change: asClusterStore },
        {
          name: 'cluster-store-not-aws',
          change: (store) => {
            asClusterStore(store);
            store.spec.provider = { fake: { data: [] } };
          },
        },
        {
          name: 'cluster-store-for-its-namespace',
          change: (store) => {
            store.spec.conditions = [{ namespaces: [store.metadata.namespace] }];
            asClusterStore(store);
          },
        },
        {
          name: 'static-credentials',
          change: (store) =>
            (aws(store).auth = {
              secretRef: {
                accessKeyIDSecretRef: { name: 'aws', key: 'access-key-id' },
                secretAccessKeySecretRef: { name: 'aws', key: 'secret-access-key' },
              },
            }),
        },
      ],
    },
    {
      policy: 'restrict-external-ips',
      subject: 'Service',
      good: [{ name: 'no-external-ips', change: (s) => (s.spec.externalIPs = []) }],
      bad: [{ name: 'external-ip', change: (s) => (s.spec.externalIPs = ['203.0.113.10']) }],
    },
  ];
}

/** A labelled example object: the case applied to the compliant object, and its controller wrappings. */
export interface FixtureObject {
  readonly expected: 'pass' | 'fail';
  readonly object: KubeObject;
}

export function fixtureObjects(
  fixtures: PolicyFixtures,
  registryHost: string,
  reader: FixtureReader = fixtureReader(loadPlatformModel(), KYVERNO_TEST_ENVIRONMENT),
): FixtureObject[] {
  const objects: FixtureObject[] = [];
  for (const [expected, cases] of [
    ['pass', fixtures.good],
    ['fail', fixtures.bad],
  ] as const) {
    for (const fixtureCase of cases) {
      const base =
        fixtures.subject === 'Pod'
          ? compliantPod(registryHost)
          : fixtures.subject === 'Service'
            ? compliantService()
            : compliantSecretStore(reader);
      fixtureCase.change(base);
      // Unique across policies, so one evaluation can hold every policy's examples, and across kinds, because
      // `kyverno test` (1.19, cmd/cli/kubectl-kyverno/commands/test/output.go) finds a result's resources by
      // name alone: a Pod and its Deployment of one name would each be checked against both results.
      const name = `${fixtures.policy}-${expected === 'pass' ? 'good' : 'bad'}-${fixtureCase.name}`;
      base.metadata.name = name;
      objects.push({ expected, object: base as KubeObject });
      if (fixtures.subject === 'Pod' && (fixtureCase.controllers || expected === 'pass')) {
        objects.push(
          { expected, object: asDeployment(base, `${name}-deployment`) },
          { expected, object: asCronJob(base, `${name}-cronjob`) },
        );
      }
    }
  }
  return objects;
}

function asDeployment(pod: Json, name: string): KubeObject {
  const { namespace, labels } = pod.metadata;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, ...(namespace && { namespace }), labels },
    spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: pod.spec } },
  };
}

function asCronJob(pod: Json, name: string): KubeObject {
  const { namespace, labels } = pod.metadata;
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, ...(namespace && { namespace }), labels },
    spec: {
      schedule: '0 3 * * *',
      jobTemplate: { spec: { template: { metadata: { labels }, spec: { ...pod.spec, restartPolicy: 'Never' } } } },
    },
  };
}

/** Which results a fixture object must give; CronJobs are not checked by require-probes (their Pods run to completion). */
export function expectedVerdict(policy: string, fixture: FixtureObject): 'pass' | 'fail' | 'not-applicable' {
  if (policy === 'require-probes' && fixture.object.kind === 'CronJob') return 'not-applicable';
  return fixture.expected;
}

/**
 * The result a Kyverno CLI test declares for each verdict. A resource the policy does not apply to is `skip`:
 * kyverno test (1.19) passes it when the policy gave it no result, and fails it when the policy evaluated it.
 */
const CLI_RESULTS = { pass: 'pass', fail: 'fail', 'not-applicable': 'skip' } as const;

/**
 * The environment whose policies the committed Kyverno CLI tests run against: the model's first that denies
 * (its policies' results are what an enforcing cluster does), else its last. Appending an environment to the
 * model leaves it as it is.
 */
export const KYVERNO_TEST_ENVIRONMENT = kyvernoTestEnvironment(loadPlatformModel());

function kyvernoTestEnvironment(model: PlatformModel): string {
  const denying = model.environments.find((environment) => environment.policyMode === 'Deny');
  return (denying ?? model.environments[model.environments.length - 1]).name;
}

/** Files of test/guardrails/fixtures/: per policy, its examples and a Kyverno CLI test of them. */
export function renderFixtureFiles(registryHost: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const fixtures of policyFixtures(registryHost)) {
    const objects = fixtureObjects(fixtures, registryHost);
    const dir = fixtures.policy;
    files.set(`${dir}/resources.yaml`, objects.map((o) => stringify(o.object, { lineWidth: 0 })).join('---\n'));
    const results = (['pass', 'fail', 'not-applicable'] as const).flatMap((verdict) => {
      const byKind = new Map<string, string[]>();
      for (const fixture of objects) {
        if (expectedVerdict(fixtures.policy, fixture) !== verdict) continue;
        byKind.set(fixture.object.kind, [...(byKind.get(fixture.object.kind) ?? []), fixture.object.metadata.name]);
      }
      return [...byKind.entries()].map(([kind, resources]) => ({
        policy: fixtures.policy,
        isValidatingPolicy: true,
        kind,
        resources,
        result: CLI_RESULTS[verdict],
      }));
    });
    const test = {
      apiVersion: 'cli.kyverno.io/v1alpha1',
      kind: 'Test',
      metadata: { name: fixtures.policy },
      policies: [`../../../../dist/${KYVERNO_TEST_ENVIRONMENT}/policies/validatingpolicy-${fixtures.policy}.yaml`],
      resources: ['resources.yaml'],
      results,
    };
    files.set(
      `${dir}/kyverno-test.yaml`,
      `# Rendered by 'pnpm synth'; run with 'kyverno test test/guardrails/fixtures'.\n${stringify(test, { lineWidth: 0 })}`,
    );
  }
  return files;
}
