import { createHash } from 'node:crypto';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ModelIssue, ModelValidationError, platformModelInput } from '@platform/model';
import { listFiles } from '../../apps/cluster/src/dist-directory';
import { synthesizeDist } from '../../apps/cluster/src/synthesize-dist';
import { tempDir } from '../support/temp-dirs';

// biome-ignore lint/suspicious/noExplicitAny: malformed models are deliberately outside the model's types.
type Draft = any;

interface Case {
  readonly name: string;
  readonly mutate: (model: Draft) => void;
  readonly path: string;
  readonly message: RegExp;
}

const service = (model: Draft, name: string) => model.services.find((s: Draft) => s.name === name);
const environment = (model: Draft, name: string) => model.environments.find((e: Draft) => e.name === name);

const CASES: Case[] = [
  {
    name: 'duplicate service name',
    mutate: (m) => m.services.push(structuredClone(service(m, 'user-service'))),
    path: 'services.user-service.name',
    message: /defined more than once/,
  },
  {
    name: 'duplicate environment name',
    mutate: (m) => {
      environment(m, 'staging').name = 'dev';
    },
    path: 'environments.dev.name',
    message: /defined more than once/,
  },
  {
    name: 'call to an unknown service',
    mutate: (m) => {
      service(m, 'order-service').dependencies.calls = ['user-service', 'billing-service'];
    },
    path: 'services.order-service.dependencies.calls.1',
    message: /unknown service 'billing-service'; known: order-service, user-service, notification-service/,
  },
  {
    name: 'a service calling itself',
    mutate: (m) => {
      service(m, 'user-service').dependencies.calls = ['user-service'];
    },
    path: 'services.user-service.dependencies.calls.0',
    message: /may not call itself/,
  },
  {
    name: 'publishing to an unknown queue',
    mutate: (m) => {
      service(m, 'order-service').dependencies.publishes = ['invoices'];
    },
    path: 'services.order-service.dependencies.publishes.0',
    message: /unknown queue 'invoices'; known: orders/,
  },
  {
    name: 'consuming an unknown queue',
    mutate: (m) => {
      service(m, 'notification-service').dependencies.consumes = ['order'];
    },
    path: 'services.notification-service.dependencies.consumes.0',
    message: /unknown queue 'order'/,
  },
  {
    name: 'min replicas above max',
    mutate: (m) => {
      service(m, 'order-service').replicas = { min: 5, max: 2 };
    },
    path: 'services.order-service.replicas',
    message: /min \(5\) must not exceed max \(2\)/,
  },
  {
    name: 'port 0',
    mutate: (m) => {
      service(m, 'user-service').port = 0;
    },
    path: 'services.user-service.port',
    message: /between 1 and 65535/,
  },
  {
    name: 'port above 65535',
    mutate: (m) => {
      service(m, 'order-service').port = 70000;
    },
    path: 'services.order-service.port',
    message: /between 1 and 65535/,
  },
  {
    name: 'fractional port',
    mutate: (m) => {
      service(m, 'order-service').metricsPort = 9090.5;
    },
    path: 'services.order-service.metricsPort',
    message: /whole number/,
  },
  {
    name: 'metrics port equal to the API port',
    mutate: (m) => {
      service(m, 'notification-service').metricsPort = 8080;
    },
    path: 'services.notification-service.metricsPort',
    message: /must differ from port \(8080\)/,
  },
  {
    name: 'VPC CIDR that is not a CIDR',
    mutate: (m) => {
      environment(m, 'dev').network.vpcCidr = '10.10.0.0';
    },
    path: 'environments.dev.network.vpcCidr',
    message: /IPv4 CIDR/,
  },
  {
    name: 'VPC CIDR with an octet above 255',
    mutate: (m) => {
      environment(m, 'dev').network.vpcCidr = '10.300.0.0/16';
    },
    path: 'environments.dev.network.vpcCidr',
    message: /octet above 255/,
  },
  {
    name: 'VPC CIDR with host bits set',
    mutate: (m) => {
      environment(m, 'staging').network.vpcCidr = '10.20.1.0/16';
    },
    path: 'environments.staging.network.vpcCidr',
    message: /host bits set; the network is 10\.20\.0\.0\/16/,
  },
  {
    name: 'VPC CIDRs overlapping across environments',
    mutate: (m) => {
      environment(m, 'prod').network.vpcCidr = '10.0.0.0/8';
    },
    path: 'environments.prod.network.vpcCidr',
    message: /overlaps 10\.10\.0\.0\/16 of environment 'dev'/,
  },
  {
    name: 'VPC too small for 3 AZs × 3 tiers',
    mutate: (m) => {
      environment(m, 'dev').network.vpcCidr = '10.10.0.0/20';
    },
    path: 'environments.dev.network.vpcCidr',
    message: /a \/20 holds 4096 addresses but 3 AZs × 3 tiers .* need 26112/,
  },
  {
    name: 'two availability zones',
    mutate: (m) => {
      environment(m, 'prod').availabilityZones = ['us-east-1a', 'us-east-1b'];
    },
    path: 'environments.prod.availabilityZones',
    message: /exactly 3 availability zones, got 2/,
  },
  {
    name: 'an availability zone of another region',
    mutate: (m) => {
      environment(m, 'dev').availabilityZones = ['us-east-1a', 'us-east-1b', 'eu-west-1c'];
    },
    path: 'environments.dev.availabilityZones.2',
    message: /'eu-west-1c' is not a zone of us-east-1/,
  },
  {
    name: 'SLO of 100 %',
    mutate: (m) => {
      service(m, 'user-service').slo = { ...service(m, 'user-service').slo, availability: 100 };
    },
    path: 'services.user-service.slo.availability',
    message: /100 is outside 90–99\.999/,
  },
  {
    name: 'SLO of 0 %',
    mutate: (m) => {
      service(m, 'order-service').slo = { ...service(m, 'order-service').slo, availability: 0 };
    },
    path: 'services.order-service.slo.availability',
    message: /0 is outside 90–99\.999/,
  },
  {
    name: "image tag 'latest'",
    mutate: (m) => {
      service(m, 'order-service').image = { tag: 'latest' };
    },
    path: 'services.order-service.image.tag',
    message: /not an immutable tag/,
  },
  {
    name: 'empty image tag',
    mutate: (m) => {
      service(m, 'user-service').image = { tag: '' };
    },
    path: 'services.user-service.image.tag',
    message: /not an immutable tag/,
  },
  {
    name: 'malformed digest',
    mutate: (m) => {
      service(m, 'user-service').image = { tag: 'sha256:abc' };
    },
    path: 'services.user-service.image.tag',
    message: /neither a valid image tag nor 'sha256:'/,
  },
  {
    name: 'unknown Kubernetes version',
    mutate: (m) => {
      environment(m, 'prod').cluster.kubernetesVersion = '1.99';
    },
    path: 'environments.prod.cluster.kubernetesVersion',
    message: /unknown Kubernetes version '1\.99'; allowed: 1\.28, 1\.35/,
  },
  {
    name: 'account id of 11 digits',
    mutate: (m) => {
      environment(m, 'dev').account = '11111111111';
    },
    path: 'environments.dev.account',
    message: /exactly 12 digits/,
  },
  {
    name: 'account id with letters',
    mutate: (m) => {
      m.organization.sharedServices.account = '44444444444x';
    },
    path: 'organization.sharedServices.account',
    message: /exactly 12 digits/,
  },
  {
    name: 'unknown team',
    mutate: (m) => {
      service(m, 'user-service').team = 'payments';
    },
    path: 'services.user-service.team',
    message: /unknown team 'payments'; known: commerce, identity/,
  },
  {
    name: 'misspelt field',
    mutate: (m) => {
      environment(m, 'prod').policyMod = 'Deny';
    },
    path: 'environments.prod',
    message: /unknown field\(s\) policyMod/,
  },
  {
    name: 'policy mode outside Audit/Deny',
    mutate: (m) => {
      environment(m, 'staging').policyMode = 'Enforce';
    },
    path: 'environments.staging.policyMode',
    message: /Audit.*Deny/,
  },
  {
    name: 'node group sizes out of order',
    mutate: (m) => {
      environment(m, 'dev').cluster.nodeGroups.general = {
        ...environment(m, 'dev').cluster.nodeGroups.general,
        minSize: 3,
        desiredSize: 1,
      };
    },
    path: 'environments.dev.cluster.nodeGroups.general',
    message: /minSize ≤ desiredSize ≤ maxSize \(got 3, 1, 4\)/,
  },
  {
    name: 'invalid region',
    mutate: (m) => {
      environment(m, 'staging').region = 'virginia';
    },
    path: 'environments.staging.region',
    message: /AWS region such as us-east-1/,
  },
  {
    name: 'invalid public endpoint CIDR',
    mutate: (m) => {
      environment(m, 'dev').cluster.endpointAccess = { mode: 'public-and-private', publicCidrs: ['0.0.0.0/33'] };
    },
    path: 'environments.dev.cluster.endpointAccess.publicCidrs.0',
    message: /prefix above 32/,
  },
  {
    name: 'storage ceiling below the allocated storage',
    mutate: (m) => {
      environment(m, 'prod').database = { ...environment(m, 'prod').database, maxAllocatedStorageGiB: 50 };
    },
    path: 'environments.prod.database.maxAllocatedStorageGiB',
    message: /at least allocatedStorageGiB \(100\)/,
  },
  {
    name: 'derived IAM role name too long',
    mutate: (m) => {
      m.organization.name = 'acme-corporation-platform-teams';
      service(m, 'notification-service').name = 'notification-service-dispatch';
    },
    path: 'environments.staging.name',
    message: /IAM role 'acme-corporation-platform-teams-staging-notification-service-dispatch' \(max 64\)/,
  },
  {
    name: 'alarm topic without subscriptions',
    mutate: (m) => {
      environment(m, 'prod').alerting.alarmSubscriptions = [];
    },
    path: 'environments.prod.alerting.alarmSubscriptions',
    message: /at least one subscription; without one, CloudWatch alarms reach nobody/,
  },
  {
    name: 'e-mail subscription that is not an address',
    mutate: (m) => {
      environment(m, 'dev').alerting.alarmSubscriptions = [{ protocol: 'email', endpoint: 'platform-team' }];
    },
    path: 'environments.dev.alerting.alarmSubscriptions.0.endpoint',
    message: /'platform-team' is not an e-mail address/,
  },
  {
    name: 'HTTPS subscription carrying a password',
    mutate: (m) => {
      environment(m, 'staging').alerting.alarmSubscriptions.push({
        protocol: 'https',
        endpoint: 'https://user:secret@alerts.example.com/sns',
      });
    },
    path: 'environments.staging.alerting.alarmSubscriptions.1.endpoint',
    message: /not an https:\/\/ URL without user or password/,
  },
  {
    name: 'subscription protocol other than email or https',
    mutate: (m) => {
      environment(m, 'dev').alerting.alarmSubscriptions = [{ protocol: 'sms', endpoint: '+15555550100' }];
    },
    path: 'environments.dev.alerting.alarmSubscriptions.0.protocol',
    message: /email.*https/,
  },
  {
    name: 'the same subscriber twice',
    mutate: (m) => {
      const [first] = environment(m, 'dev').alerting.alarmSubscriptions;
      environment(m, 'dev').alerting.alarmSubscriptions.push({ ...first });
    },
    path: 'environments.dev.alerting.alarmSubscriptions.1.endpoint',
    message: /subscribed more than once/,
  },
  {
    name: 'two receivers sharing one secret',
    mutate: (m) => {
      const { receivers } = environment(m, 'staging').alerting;
      receivers.deadMansSwitch = { urlSecret: receivers.ticketWebhook.urlSecret };
    },
    path: 'environments.staging.alerting.receivers.deadMansSwitch.urlSecret',
    message: /is already the secret of the ticketWebhook receiver; give each receiver a secret of its own/,
  },
  {
    name: "receiver secret that is a data store's credentials",
    mutate: (m) => {
      environment(m, 'prod').alerting.receivers.ticketWebhook = { urlSecret: 'order-service/postgres' };
    },
    path: 'environments.prod.alerting.receivers.ticketWebhook.urlSecret',
    message: /'acme\/prod\/order-service\/postgres' is already the postgres credentials of order-service/,
  },
  {
    name: 'receiver secret with a leading slash',
    mutate: (m) => {
      environment(m, 'prod').alerting.receivers.pagerDuty = { routingKeySecret: '/monitoring/pagerduty' };
    },
    path: 'environments.prod.alerting.receivers.pagerDuty.routingKeySecret',
    message: /must be a secret name below the environment's prefix/,
  },
  {
    name: "receiver secret ending like an ARN's suffix",
    mutate: (m) => {
      environment(m, 'dev').alerting.receivers.deadMansSwitch = { urlSecret: 'monitoring/dead-mans-switch' };
    },
    path: 'environments.dev.alerting.receivers.deadMansSwitch.urlSecret',
    message: /ends in '-' and 6 characters/,
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

  it.each(CASES)('is rejected for $name at $path, leaving dist/ untouched', ({ mutate, path, message }) => {
    const before = hashDirectory(distDir);
    const model = draftModel();
    mutate(model);

    const issues = issuesOf(model);

    expect(issues).toContainEqual({ path, message: expect.stringMatching(message) });
    expect(hashDirectory(distDir)).toBe(before);
  });

  it('reports every problem at once, shape errors and cross-field errors alike', () => {
    const model = draftModel();
    service(model, 'order-service').port = 0;
    service(model, 'user-service').image = { tag: 'latest' };
    environment(model, 'prod').account = '123';
    service(model, 'notification-service').dependencies.calls = ['nobody'];

    const paths = issuesOf(model).map((issue) => issue.path);

    expect(paths).toEqual(
      expect.arrayContaining([
        'services.order-service.port',
        'services.user-service.image.tag',
        'environments.prod.account',
        'services.notification-service.dependencies.calls.0',
      ]),
    );
  });

  it('does not report a malformed service as unknown where another service calls it', () => {
    const model = draftModel();
    service(model, 'user-service').port = -1;

    const issues = issuesOf(model);

    expect(issues).toEqual([{ path: 'services.user-service.port', message: expect.any(String) }]);
  });

  it('names every problem in the error message, one per line', () => {
    const model = draftModel();
    service(model, 'order-service').replicas = { min: 4, max: 1 };
    service(model, 'user-service').slo = { ...service(model, 'user-service').slo, availability: 120 };

    expect(() => synthesizeDist(model, distDir)).toThrow(
      /invalid \(2 problems\):\n {2}- services\.order-service\.replicas: .*\n {2}- services\.user-service\.slo\.availability: /,
    );
  });
});
