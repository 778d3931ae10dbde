import { createHash } from 'node:crypto';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ModelIssue,
  ModelValidationError,
  platformModelInput,
  SUPPORTED_KUBERNETES_VERSIONS,
} from '@platform/model';
import { listFiles } from '../../apps/cluster/src/dist-directory';
import { synthesizeDist } from '../../apps/cluster/src/synthesize-dist';
import { escapeRegExp } from '../support/model-facts';
import { tempDir } from '../support/temp-dirs';

// biome-ignore lint/suspicious/noExplicitAny: malformed models are deliberately outside the model's types.
type Draft = any;

/**
 * One malformed model: `mutate` breaks a copy of the model (the shipped one, or whatever the data files hold) and
 * returns where the problem must be reported and what the message says, in terms of that model's own names.
 */
interface Case {
  readonly name: string;
  readonly mutate: (model: Draft) => { readonly path: string; readonly message: RegExp };
}

/** A service for models that have fewer than the case needs: a plain internal API of a team of the model. */
function fixtureService(model: Draft, name: string): Draft {
  return {
    name,
    description: 'A service the malformed-model cases need.',
    team: model.teams[0].name,
    port: 8080,
    metricsPort: 9090,
    health: { liveness: '/healthz', readiness: '/readyz', startup: '/healthz' },
    image: { tag: '1.0.0' },
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '32Mi' } },
    replicas: { min: 1, max: 1 },
    autoscaling: { cpuUtilization: 70, memoryUtilization: 80 },
    dependencies: { calls: [], publishes: [], consumes: [], database: false, cache: false },
    slo: { availability: 99.9, latency: { percentile: 95, thresholdSeconds: 0.5 }, windowDays: 30 },
    exposure: 'internal',
    usesKubernetesApi: false,
  };
}

/** The model's n-th service (0-based), adding plain ones until there is one. */
function nthService(model: Draft, index: number): Draft {
  while (model.services.length <= index) {
    const taken = new Set(model.services.map((s: Draft) => s.name));
    let name = `fixture-service-${model.services.length}`;
    while (taken.has(name)) name = `${name}x`;
    model.services.push(fixtureService(model, name));
  }
  return model.services[index];
}

/** The model's first and last environment (the same one in a model of one environment). */
const firstEnvironment = (model: Draft) => model.environments[0];
const lastEnvironment = (model: Draft) => model.environments[model.environments.length - 1];

/** A copy of the first environment under a new name, added to the model. */
function addedEnvironment(model: Draft): Draft {
  const copy = structuredClone(firstEnvironment(model));
  const taken = new Set(model.environments.map((e: Draft) => e.name));
  copy.name = 'another';
  while (taken.has(copy.name)) copy.name = `${copy.name}x`;
  model.environments.push(copy);
  return copy;
}

/** Renames a service and every reference to it: the calls of other services and the releases. */
function renameService(model: Draft, from: string, to: string): void {
  for (const service of model.services) {
    if (service.name === from) service.name = to;
    service.dependencies.calls = service.dependencies.calls.map((callee: string) => (callee === from ? to : callee));
  }
  for (const releases of Object.values(model.releases ?? {}) as Record<string, unknown>[]) {
    if (from in releases) {
      releases[to] = releases[from];
      delete releases[from];
    }
  }
}

const names = (list: Draft[]) => list.map((entry: Draft) => entry.name);
const literally = (text: string) => new RegExp(escapeRegExp(text));

const CASES: Case[] = [
  {
    name: 'duplicate service name',
    mutate: (m) => {
      const service = nthService(m, 0);
      m.services.push(structuredClone(service));
      return { path: `services.${service.name}.name`, message: /defined more than once/ };
    },
  },
  {
    name: 'duplicate environment name',
    mutate: (m) => {
      const added = addedEnvironment(m);
      added.name = firstEnvironment(m).name;
      return { path: `environments.${added.name}.name`, message: /defined more than once/ };
    },
  },
  {
    name: 'call to an unknown service',
    mutate: (m) => {
      const service = nthService(m, 0);
      const known = names(m.services);
      service.dependencies.calls = [...service.dependencies.calls, 'no-such-service'];
      return {
        path: `services.${service.name}.dependencies.calls.${service.dependencies.calls.length - 1}`,
        message: literally(`unknown service 'no-such-service'; known: ${known.join(', ')}`),
      };
    },
  },
  {
    name: 'a service calling itself',
    mutate: (m) => {
      const service = nthService(m, 0);
      service.dependencies.calls = [service.name];
      return { path: `services.${service.name}.dependencies.calls.0`, message: /may not call itself/ };
    },
  },
  {
    name: 'publishing to an unknown queue',
    mutate: (m) => {
      const service = nthService(m, 0);
      service.dependencies.publishes = ['no-such-queue'];
      return {
        path: `services.${service.name}.dependencies.publishes.0`,
        message: literally(`unknown queue 'no-such-queue'; known: ${names(m.queues).join(', ') || '(none)'}`),
      };
    },
  },
  {
    name: 'consuming an unknown queue',
    mutate: (m) => {
      const service = nthService(m, 0);
      service.dependencies.consumes = ['no-such-queue'];
      return { path: `services.${service.name}.dependencies.consumes.0`, message: /unknown queue 'no-such-queue'/ };
    },
  },
  {
    name: 'min replicas above max',
    mutate: (m) => {
      const service = nthService(m, 0);
      service.replicas = { min: 5, max: 2 };
      return { path: `services.${service.name}.replicas`, message: /min \(5\) must not exceed max \(2\)/ };
    },
  },
  {
    name: 'port 0',
    mutate: (m) => {
      const service = nthService(m, 0);
      service.port = 0;
      return { path: `services.${service.name}.port`, message: /between 1 and 65535/ };
    },
  },
  {
    name: 'port above 65535',
    mutate: (m) => {
      const service = nthService(m, 0);
      service.port = 70000;
      return { path: `services.${service.name}.port`, message: /between 1 and 65535/ };
    },
  },
  {
    name: 'fractional port',
    mutate: (m) => {
      const service = nthService(m, 0);
      service.metricsPort = 9090.5;
      return { path: `services.${service.name}.metricsPort`, message: /whole number/ };
    },
  },
  {
    name: 'metrics port equal to the API port',
    mutate: (m) => {
      const service = nthService(m, 0);
      service.metricsPort = service.port;
      return {
        path: `services.${service.name}.metricsPort`,
        message: new RegExp(`must differ from port \\(${service.port}\\)`),
      };
    },
  },
  {
    name: 'VPC CIDR that is not a CIDR',
    mutate: (m) => {
      const environment = firstEnvironment(m);
      environment.network.vpcCidr = environment.network.vpcCidr.split('/')[0];
      return { path: `environments.${environment.name}.network.vpcCidr`, message: /IPv4 CIDR/ };
    },
  },
  {
    name: 'VPC CIDR with an octet above 255',
    mutate: (m) => {
      const environment = firstEnvironment(m);
      environment.network.vpcCidr = '10.300.0.0/16';
      return { path: `environments.${environment.name}.network.vpcCidr`, message: /octet above 255/ };
    },
  },
  {
    name: 'VPC CIDR with host bits set',
    mutate: (m) => {
      const environment = lastEnvironment(m);
      const network = environment.network.vpcCidr;
      // The network's address plus one: the lowest host bit set.
      const [address, prefix] = network.split('/');
      const octets = address.split('.').map(Number);
      environment.network.vpcCidr = `${octets.slice(0, 3).join('.')}.${octets[3] + 1}/${prefix}`;
      return {
        path: `environments.${environment.name}.network.vpcCidr`,
        message: literally(`host bits set; the network is ${network}`),
      };
    },
  },
  {
    name: 'VPC CIDRs overlapping across environments',
    mutate: (m) => {
      const first = firstEnvironment(m);
      const added = addedEnvironment(m);
      added.network.vpcCidr = first.network.vpcCidr;
      return {
        path: `environments.${added.name}.network.vpcCidr`,
        message: literally(`overlaps ${first.network.vpcCidr} of environment '${first.name}'`),
      };
    },
  },
  {
    name: 'VPC too small for 3 AZs × 3 tiers',
    mutate: (m) => {
      const environment = firstEnvironment(m);
      environment.network.vpcCidr = '10.250.0.0/20';
      environment.network.subnetPrefixes = { public: 24, private: 19, isolated: 24 };
      // 3 zones of a /24, a /19 and a /24 each.
      const needed = 3 * (2 ** 8 + 2 ** 13 + 2 ** 8);
      return {
        path: `environments.${environment.name}.network.vpcCidr`,
        message: new RegExp(`a /20 holds 4096 addresses but 3 AZs × 3 tiers .* need ${needed}`),
      };
    },
  },
  {
    name: 'two availability zones',
    mutate: (m) => {
      const environment = lastEnvironment(m);
      environment.availabilityZones = environment.availabilityZones.slice(0, 2);
      return {
        path: `environments.${environment.name}.availabilityZones`,
        message: /exactly 3 availability zones, got 2/,
      };
    },
  },
  {
    name: 'an availability zone of another region',
    mutate: (m) => {
      const environment = firstEnvironment(m);
      const zone = environment.region === 'eu-west-1' ? 'us-east-1c' : 'eu-west-1c';
      environment.availabilityZones = [...environment.availabilityZones.slice(0, 2), zone];
      return {
        path: `environments.${environment.name}.availabilityZones.2`,
        message: literally(`'${zone}' is not a zone of ${environment.region}`),
      };
    },
  },
  {
    name: 'SLO of 100 %',
    mutate: (m) => {
      const service = nthService(m, 0);
      service.slo = { ...service.slo, availability: 100 };
      return { path: `services.${service.name}.slo.availability`, message: /100 is outside 90–99\.999/ };
    },
  },
  {
    name: 'SLO of 0 %',
    mutate: (m) => {
      const service = nthService(m, 0);
      service.slo = { ...service.slo, availability: 0 };
      return { path: `services.${service.name}.slo.availability`, message: /0 is outside 90–99\.999/ };
    },
  },
  {
    name: "image tag 'latest'",
    mutate: (m) => {
      const service = nthService(m, 0);
      service.image = { tag: 'latest' };
      return { path: `services.${service.name}.image.tag`, message: /not an immutable tag/ };
    },
  },
  {
    name: 'empty image tag',
    mutate: (m) => {
      const service = nthService(m, 0);
      service.image = { tag: '' };
      return { path: `services.${service.name}.image.tag`, message: /not an immutable tag/ };
    },
  },
  {
    name: 'malformed digest',
    mutate: (m) => {
      const service = nthService(m, 0);
      service.image = { tag: '1.4.2@sha256:abc' };
      return {
        path: `services.${service.name}.image.tag`,
        message: /neither a valid image tag nor a tag followed by '@sha256:' and 64 hex digits; allowed:/,
      };
    },
  },
  {
    name: 'bare digest, which no ECR lifecycle rule can keep',
    mutate: (m) => {
      const service = nthService(m, 0);
      service.image = { tag: `sha256:${'a'.repeat(64)}` };
      return {
        path: `services.${service.name}.image.tag`,
        message: /is a bare digest, .*allowed: a tag \(e\.g\. '1\.4\.2'\) or a tag pinned to its digest/,
      };
    },
  },
  {
    name: 'unknown Kubernetes version',
    mutate: (m) => {
      const environment = lastEnvironment(m);
      environment.cluster.kubernetesVersion = '1.99';
      return {
        path: `environments.${environment.name}.cluster.kubernetesVersion`,
        message: literally(`unknown Kubernetes version '1.99'; allowed: ${SUPPORTED_KUBERNETES_VERSIONS.join(', ')}`),
      };
    },
  },
  {
    name: 'account id of 11 digits',
    mutate: (m) => {
      const environment = firstEnvironment(m);
      environment.account = environment.account.slice(1);
      return { path: `environments.${environment.name}.account`, message: /exactly 12 digits/ };
    },
  },
  {
    name: 'account id with letters',
    mutate: (m) => {
      m.organization.sharedServices.account = `${m.organization.sharedServices.account.slice(1)}x`;
      return { path: 'organization.sharedServices.account', message: /exactly 12 digits/ };
    },
  },
  {
    name: "a repository owner's ID written as a string",
    mutate: (m) => {
      m.organization.ci.githubRepositoryOwnerId = '583231';
      m.organization.ci.githubRepositoryId = 1296269;
      return {
        path: 'organization.ci.githubRepositoryOwnerId',
        message: literally("a positive integer: gh api repos/<owner>/<repo> --jq '.owner.id'"),
      };
    },
  },
  {
    name: "a service repository's ID that is no positive integer",
    mutate: (m) => {
      const service = nthService(m, 0);
      service.ci = { githubRepository: 'acme/service', branch: 'main', githubRepositoryOwnerId: 583231 };
      service.ci.githubRepositoryId = 0;
      return {
        path: `services.${service.name}.ci.githubRepositoryId`,
        message: literally(
          "must be the numeric ID of the repository, a positive integer: gh api repos/<owner>/<repo> --jq '.id'",
        ),
      };
    },
  },
  {
    name: "a repository's ID with a fraction",
    mutate: (m) => {
      m.organization.ci.githubRepositoryOwnerId = 583231;
      m.organization.ci.githubRepositoryId = 1296269.5;
      return { path: 'organization.ci.githubRepositoryId', message: /a positive integer/ };
    },
  },
  {
    name: 'unknown team',
    mutate: (m) => {
      const service = nthService(m, 0);
      const known = names(m.teams);
      service.team = 'no-such-team';
      return {
        path: `services.${service.name}.team`,
        message: literally(`unknown team 'no-such-team'; known: ${known.join(', ')}`),
      };
    },
  },
  {
    name: 'misspelt field',
    mutate: (m) => {
      const environment = lastEnvironment(m);
      environment.policyMod = environment.policyMode;
      return { path: `environments.${environment.name}`, message: /unknown field\(s\) policyMod/ };
    },
  },
  {
    name: 'policy mode outside Audit/Deny',
    mutate: (m) => {
      const environment = lastEnvironment(m);
      environment.policyMode = 'Enforce';
      return { path: `environments.${environment.name}.policyMode`, message: /Audit.*Deny/ };
    },
  },
  {
    name: 'node group sizes out of order',
    mutate: (m) => {
      const environment = firstEnvironment(m);
      const { maxSize } = environment.cluster.nodeGroups.general;
      environment.cluster.nodeGroups.general = {
        ...environment.cluster.nodeGroups.general,
        minSize: maxSize,
        desiredSize: 0,
      };
      return {
        path: `environments.${environment.name}.cluster.nodeGroups.general`,
        message: literally(`minSize ≤ desiredSize ≤ maxSize (got ${maxSize}, 0, ${maxSize})`),
      };
    },
  },
  {
    name: 'invalid region',
    mutate: (m) => {
      const environment = lastEnvironment(m);
      environment.region = 'virginia';
      return { path: `environments.${environment.name}.region`, message: /AWS region such as us-east-1/ };
    },
  },
  {
    name: 'invalid public endpoint CIDR',
    mutate: (m) => {
      const environment = firstEnvironment(m);
      environment.cluster.endpointAccess = { mode: 'public-and-private', publicCidrs: ['0.0.0.0/33'] };
      return {
        path: `environments.${environment.name}.cluster.endpointAccess.publicCidrs.0`,
        message: /prefix above 32/,
      };
    },
  },
  {
    name: 'storage ceiling below the allocated storage',
    mutate: (m) => {
      const environment = lastEnvironment(m);
      environment.database = { ...environment.database, allocatedStorageGiB: 100, maxAllocatedStorageGiB: 50 };
      return {
        path: `environments.${environment.name}.database.maxAllocatedStorageGiB`,
        message: /at least allocatedStorageGiB \(100\)/,
      };
    },
  },
  {
    name: 'derived IAM role name too long',
    mutate: (m) => {
      // 31 + 32 characters and two dashes: past IAM's 64 for any environment name.
      m.organization.name = 'acme-corporation-platform-teams';
      const service = nthService(m, 0);
      renameService(m, service.name, 'notification-service-dispatch-xy');
      const environment = firstEnvironment(m);
      return {
        path: `environments.${environment.name}.name`,
        message: literally(`IAM role '${m.organization.name}-${environment.name}-${service.name}' (max 64)`),
      };
    },
  },
  {
    name: 'derived secret reader role name too long, though the workload role fits',
    mutate: (m) => {
      // The workload role `<prefix>-<service>` takes exactly IAM's 64; the reader `<prefix>-sr-<service>` three more.
      // A long organization name, as service names have at most 32 characters.
      m.organization.name = 'acme-corporation-platform-teams';
      const environment = firstEnvironment(m);
      const prefix = `${m.organization.name}-${environment.name}`;
      const service = m.services.find((candidate: Draft) => candidate.dependencies.database);
      const name = `reader-${'x'.repeat(64 - prefix.length - 1 - 'reader-'.length)}`;
      renameService(m, service.name, name);
      return {
        path: `environments.${environment.name}.name`,
        message: literally(`IAM role '${prefix}-sr-${name}' (max 64)`),
      };
    },
  },
  {
    name: 'alarm topic without subscriptions',
    mutate: (m) => {
      const environment = lastEnvironment(m);
      environment.alerting.alarmSubscriptions = [];
      return {
        path: `environments.${environment.name}.alerting.alarmSubscriptions`,
        message: /at least one subscription; without one, CloudWatch alarms reach nobody/,
      };
    },
  },
  {
    name: 'e-mail subscription that is not an address',
    mutate: (m) => {
      const environment = firstEnvironment(m);
      environment.alerting.alarmSubscriptions = [{ protocol: 'email', endpoint: 'platform-team' }];
      return {
        path: `environments.${environment.name}.alerting.alarmSubscriptions.0.endpoint`,
        message: /'platform-team' is not an e-mail address/,
      };
    },
  },
  {
    name: 'HTTPS subscription carrying a password',
    mutate: (m) => {
      const environment = lastEnvironment(m);
      environment.alerting.alarmSubscriptions.push({
        protocol: 'https',
        endpoint: 'https://user:secret@alerts.example.com/sns',
      });
      return {
        path: `environments.${environment.name}.alerting.alarmSubscriptions.${environment.alerting.alarmSubscriptions.length - 1}.endpoint`,
        message: /not an https:\/\/ URL without user or password/,
      };
    },
  },
  {
    name: 'subscription protocol other than email or https',
    mutate: (m) => {
      const environment = firstEnvironment(m);
      environment.alerting.alarmSubscriptions = [{ protocol: 'sms', endpoint: '+15555550100' }];
      return {
        path: `environments.${environment.name}.alerting.alarmSubscriptions.0.protocol`,
        message: /email.*https/,
      };
    },
  },
  {
    name: 'the same subscriber twice',
    mutate: (m) => {
      const environment = firstEnvironment(m);
      const { alarmSubscriptions } = environment.alerting;
      alarmSubscriptions.push({ ...alarmSubscriptions[0] });
      return {
        path: `environments.${environment.name}.alerting.alarmSubscriptions.${alarmSubscriptions.length - 1}.endpoint`,
        message: /subscribed more than once/,
      };
    },
  },
  {
    name: 'two receivers sharing one secret',
    mutate: (m) => {
      const environment = lastEnvironment(m);
      const { receivers } = environment.alerting;
      receivers.deadMansSwitch = { urlSecret: receivers.ticketWebhook.urlSecret };
      return {
        path: `environments.${environment.name}.alerting.receivers.deadMansSwitch.urlSecret`,
        message: /is already the secret of the ticketWebhook receiver; give each receiver a secret of its own/,
      };
    },
  },
  {
    name: "receiver secret that is a data store's credentials",
    mutate: (m) => {
      const environment = lastEnvironment(m);
      const service = nthService(m, 0);
      environment.alerting.receivers.ticketWebhook = { urlSecret: `${service.name}/postgres` };
      const secret = `${m.organization.name}/${environment.name}/${service.name}/postgres`;
      return {
        path: `environments.${environment.name}.alerting.receivers.ticketWebhook.urlSecret`,
        message: literally(`'${secret}' is already the postgres credentials of ${service.name}`),
      };
    },
  },
  {
    name: 'receiver secret with a leading slash',
    mutate: (m) => {
      const environment = lastEnvironment(m);
      environment.alerting.receivers.pagerDuty = { routingKeySecret: '/monitoring/pagerduty' };
      return {
        path: `environments.${environment.name}.alerting.receivers.pagerDuty.routingKeySecret`,
        message: /must be a secret name below the environment's prefix/,
      };
    },
  },
  {
    name: "receiver secret ending like an ARN's suffix",
    mutate: (m) => {
      const environment = firstEnvironment(m);
      environment.alerting.receivers.deadMansSwitch = { urlSecret: 'monitoring/dead-mans-switch' };
      return {
        path: `environments.${environment.name}.alerting.receivers.deadMansSwitch.urlSecret`,
        message: /ends in '-' and 6 characters/,
      };
    },
  },
];

function draftModel(): Draft {
  return structuredClone(platformModelInput);
}

function issuesOf(model: Draft): readonly ModelIssue[] {
  try {
    synthesizeDist(model, distDir);
  } catch (error) {
    if (error instanceof ModelValidationError) return error.issues;
    throw error;
  }
  throw new Error('the malformed model was accepted');
}

function hashDirectory(root: string): string {
  const hash = createHash('sha256');
  for (const path of listFiles(root))
    hash
      .update(path)
      .update('\0')
      .update(readFileSync(join(root, path)));
  return hash.digest('hex');
}

let distDir: string;

beforeAll(() => {
  distDir = join(tempDir(), 'dist');
  cpSync(join(__dirname, '..', '..', 'dist'), distDir, { recursive: true });
});

describe('a malformed model', () => {
  it('has at least 25 distinct cases here', () => {
    expect(new Set(CASES.map((c) => c.name)).size).toBeGreaterThanOrEqual(25);
  });

  it.each(CASES)('is rejected for $name, at the place it names, leaving dist/ untouched', ({ mutate }) => {
    const before = hashDirectory(distDir);
    const model = draftModel();
    const { path, message } = mutate(model);

    const issues = issuesOf(model);

    expect(issues).toContainEqual({ path, message: expect.stringMatching(message) });
    expect(hashDirectory(distDir)).toBe(before);
  });

  it('reports every problem at once, shape errors and cross-field errors alike', () => {
    const model = draftModel();
    const [first, second, third] = [0, 1, 2].map((index) => nthService(model, index));
    const environment = lastEnvironment(model);
    first.port = 0;
    second.image = { tag: 'latest' };
    environment.account = '123';
    third.dependencies.calls = ['nobody'];

    const paths = issuesOf(model).map((issue) => issue.path);

    expect(paths).toEqual(
      expect.arrayContaining([
        `services.${first.name}.port`,
        `services.${second.name}.image.tag`,
        `environments.${environment.name}.account`,
        `services.${third.name}.dependencies.calls.0`,
      ]),
    );
  });

  it('does not report a malformed service as unknown where another service calls it', () => {
    const model = draftModel();
    const [caller, callee] = [0, 1].map((index) => nthService(model, index));
    if (!caller.dependencies.calls.includes(callee.name)) caller.dependencies.calls.push(callee.name);
    callee.port = -1;

    const issues = issuesOf(model);

    expect(issues).toEqual([{ path: `services.${callee.name}.port`, message: expect.any(String) }]);
  });

  it('names every problem in the error message, one per line', () => {
    const model = draftModel();
    const [first, second] = [0, 1].map((index) => nthService(model, index));
    first.replicas = { min: 4, max: 1 };
    second.slo = { ...second.slo, availability: 120 };

    expect(() => synthesizeDist(model, distDir)).toThrow(
      new RegExp(
        `invalid \\(2 problems\\):\\n {2}- services\\.${escapeRegExp(first.name)}\\.replicas: .*\\n {2}- services\\.${escapeRegExp(second.name)}\\.slo\\.availability: `,
      ),
    );
  });
});
