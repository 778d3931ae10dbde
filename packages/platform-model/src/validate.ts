import type { z } from 'zod';
import { blockSize, cidrsOverlap, parseCidr } from './cidr';
import { RESERVED_DIST_FOLDERS } from './dist-layout';
import { imageTagProblem } from './image-reference';
import {
  ADDON_SERVICE_ACCOUNTS,
  ALERT_RECEIVERS,
  CONNECTION_PARAMETERS,
  type DataStore,
  EnvironmentNaming,
} from './naming';
import { addressesNeeded } from './network-layout';
import { releaseIssues } from './release-rules';
import {
  type Environment,
  EnvironmentSchema,
  OrganizationSchema,
  type PlatformModel,
  PlatformModelSchema,
  QueueSchema,
  ReleasesSchema,
  type Service,
  ServiceSchema,
  TeamSchema,
} from './schema';

/** One problem in the model, located by a dotted path such as `services.order-service.port`. */
export interface ModelIssue {
  readonly path: string;
  readonly message: string;
}

export class ModelValidationError extends Error {
  public constructor(public readonly issues: readonly ModelIssue[]) {
    super(
      `The platform model is invalid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${formatIssues(issues)}`,
    );
    this.name = 'ModelValidationError';
  }
}

export function formatIssues(issues: readonly ModelIssue[]): string {
  return issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join('\n');
}

/** Checks the model and returns it typed, or throws one error that lists every problem. */
export function loadModel(input: unknown): PlatformModel {
  const result = validateModel(input);
  if (result.issues.length > 0) throw new ModelValidationError(result.issues);
  return result.model as PlatformModel;
}

export function validateModel(input: unknown): { model?: PlatformModel; issues: ModelIssue[] } {
  const parsed = PlatformModelSchema.safeParse(input);
  if (parsed.success) {
    const issues = crossFieldIssues(parsed.data, knownNames(parsed.data));
    return issues.length > 0 ? { issues } : { model: parsed.data, issues };
  }
  // Report the rules across fields too, over the parts that are well-formed, so one run lists every problem.
  const shapeIssues = parsed.error.issues.map((issue) => fromZodIssue(issue, input));
  const wellFormed = wellFormedParts(input);
  return { issues: [...shapeIssues, ...(wellFormed ? crossFieldIssues(wellFormed, knownNames(input)) : [])] };
}

const LISTS = {
  environments: EnvironmentSchema,
  teams: TeamSchema,
  services: ServiceSchema,
  queues: QueueSchema,
} as const;

export type KnownNames = Record<keyof typeof LISTS, string[]>;

/** Names as written, well-formed or not, so a broken entry is not also reported as unknown where it is used. */
function knownNames(input: unknown): KnownNames {
  const namesOf = (list: unknown) =>
    Array.isArray(list)
      ? list.flatMap((item) => (isRecord(item) && typeof item.name === 'string' ? [item.name] : []))
      : [];
  const root = isRecord(input) ? input : {};
  return {
    environments: namesOf(root.environments),
    teams: namesOf(root.teams),
    services: namesOf(root.services),
    queues: namesOf(root.queues),
  };
}

/** The model with every malformed list entry left out; undefined when its organization is malformed. */
function wellFormedParts(input: unknown): PlatformModel | undefined {
  if (!isRecord(input)) return undefined;
  const organization = OrganizationSchema.safeParse(input.organization);
  if (!organization.success) return undefined;
  const keep = <T>(list: unknown, schema: z.ZodType<T>): T[] =>
    Array.isArray(list)
      ? list.flatMap((item) => {
          const result = schema.safeParse(item);
          return result.success ? [result.data] : [];
        })
      : [];
  return {
    organization: organization.data,
    environments: keep(input.environments, LISTS.environments),
    teams: keep(input.teams, LISTS.teams),
    services: keep(input.services, LISTS.services),
    queues: keep(input.queues, LISTS.queues),
    releases: ReleasesSchema.safeParse(input.releases).data,
  };
}

/** Names a list element by its `name` where it has one, so paths read `services.user-service.port`. */
function fromZodIssue(issue: z.core.$ZodIssue, input: unknown): ModelIssue {
  const segments: string[] = [];
  let node: unknown = input;
  for (const key of issue.path) {
    const child = isRecord(node) || Array.isArray(node) ? (node as Record<PropertyKey, unknown>)[key] : undefined;
    const name = typeof key === 'number' && isRecord(child) && typeof child.name === 'string' ? child.name : undefined;
    segments.push(name ?? String(key));
    node = child;
  }
  const message = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message;
  return { path: segments.join('.') || '(model)', message };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function crossFieldIssues(model: PlatformModel, known: KnownNames): ModelIssue[] {
  return [
    ...duplicateNames('environments', model.environments),
    ...duplicateNames('teams', model.teams),
    ...duplicateNames('services', model.services),
    ...duplicateNames('queues', model.queues),
    ...model.services.flatMap((service) => serviceIssues(service, known)),
    ...model.environments.flatMap((environment) => environmentIssues(model, environment)),
    ...overlappingNetworks(model.environments),
    ...releaseIssues(model.releases, known),
  ];
}

function duplicateNames(list: string, items: readonly { name: string }[]): ModelIssue[] {
  const seen = new Set<string>();
  const issues: ModelIssue[] = [];
  for (const { name } of items) {
    if (seen.has(name)) issues.push({ path: `${list}.${name}.name`, message: `'${name}' is defined more than once` });
    seen.add(name);
  }
  return issues;
}

function serviceIssues(service: Service, known: KnownNames): ModelIssue[] {
  const at = (field: string) => `services.${service.name}.${field}`;
  const issues: ModelIssue[] = [];
  const add = (field: string, message: string) => issues.push({ path: at(field), message });
  const { services, queues, teams } = known;

  if (!teams.includes(service.team)) add('team', `unknown team '${service.team}'; known: ${teams.join(', ')}`);
  service.dependencies.calls.forEach((callee, index) => {
    if (callee === service.name) add(`dependencies.calls.${index}`, 'a service may not call itself');
    else if (!services.includes(callee)) {
      add(`dependencies.calls.${index}`, `unknown service '${callee}'; known: ${services.join(', ')}`);
    }
  });
  for (const direction of ['publishes', 'consumes'] as const) {
    service.dependencies[direction].forEach((queue, index) => {
      if (!queues.includes(queue)) {
        add(`dependencies.${direction}.${index}`, `unknown queue '${queue}'; known: ${queues.join(', ') || '(none)'}`);
      }
    });
  }
  if (service.replicas.min > service.replicas.max) {
    add('replicas', `min (${service.replicas.min}) must not exceed max (${service.replicas.max})`);
  }
  if (service.port === service.metricsPort) {
    add('metricsPort', `must differ from port (${service.port}); each port of a service is unique`);
  }
  const tagProblem = imageTagProblem(service.image.tag);
  if (tagProblem) add('image.tag', tagProblem);
  if (!(service.slo.availability > 0 && service.slo.availability < 100)) {
    add('slo.availability', `${service.slo.availability} must be strictly between 0 and 100`);
  }
  return issues;
}

/** AWS's limits on the names the contract derives. */
const NAME_LIMITS = { iamRole: 64, sqsQueue: 80 } as const;

function environmentIssues(model: PlatformModel, environment: Environment): ModelIssue[] {
  const issues: ModelIssue[] = [];
  const add = (field: string, message: string) =>
    issues.push({ path: `environments.${environment.name}.${field}`, message });
  const zones = environment.availabilityZones;
  if (RESERVED_DIST_FOLDERS.includes(environment.name)) {
    add(
      'name',
      `'${environment.name}' is reserved: dist/${environment.name}/ holds the CloudFormation templates; choose another name`,
    );
  }
  const zonePattern = new RegExp(`^${environment.region}[a-z]$`);

  if (zones.length !== 3) add('availabilityZones', `needs exactly 3 availability zones, got ${zones.length}`);
  zones.forEach((zone, index) => {
    if (!zonePattern.test(zone)) add(`availabilityZones.${index}`, `'${zone}' is not a zone of ${environment.region}`);
  });
  if (new Set(zones).size !== zones.length) add('availabilityZones', 'zones must be distinct');

  const vpc = parseCidr(environment.network.vpcCidr);
  if (typeof vpc === 'string') add('network.vpcCidr', vpc);
  else if (addressesNeeded(environment) > blockSize(vpc.prefix)) {
    add(
      'network.vpcCidr',
      `a /${vpc.prefix} holds ${blockSize(vpc.prefix)} addresses but 3 AZs × 3 tiers of the given subnetPrefixes need ${addressesNeeded(environment)}`,
    );
  }
  if (environment.cluster.endpointAccess.mode === 'public-and-private') {
    environment.cluster.endpointAccess.publicCidrs.forEach((text, index) => {
      const cidr = parseCidr(text);
      if (typeof cidr === 'string') add(`cluster.endpointAccess.publicCidrs.${index}`, cidr);
    });
  }
  for (const [group, sizes] of Object.entries(environment.cluster.nodeGroups)) {
    if (!(sizes.minSize <= sizes.desiredSize && sizes.desiredSize <= sizes.maxSize)) {
      add(
        `cluster.nodeGroups.${group}`,
        `sizes must satisfy minSize ≤ desiredSize ≤ maxSize (got ${sizes.minSize}, ${sizes.desiredSize}, ${sizes.maxSize})`,
      );
    }
  }
  if (environment.cluster.nodeGroups.spot.instanceTypes.length < 2) {
    add('cluster.nodeGroups.spot.instanceTypes', 'a spot group needs several instance types to ride out interruptions');
  }
  const { allocatedStorageGiB, maxAllocatedStorageGiB } = environment.database;
  if (maxAllocatedStorageGiB < allocatedStorageGiB) {
    add('database.maxAllocatedStorageGiB', `must be at least allocatedStorageGiB (${allocatedStorageGiB})`);
  }
  issues.push(...nameLengthIssues(model, environment));
  issues.push(...alertingIssues(model, environment));
  return issues;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const HTTPS_URL = /^https:\/\/[^\s/?#@]+(\/[^\s]*)?$/;
/** Secrets Manager's limit on a secret name, and the suffix it advises against (its ARNs end in '-' and 6 characters). */
const SECRET_NAME_MAX = 512;
const ARN_LIKE_SUFFIX = /-[A-Za-z0-9]{6}$/;

function alertingIssues(model: PlatformModel, environment: Environment): ModelIssue[] {
  const issues: ModelIssue[] = [];
  const add = (field: string, message: string) =>
    issues.push({ path: `environments.${environment.name}.alerting.${field}`, message });

  const seen = new Set<string>();
  environment.alerting.alarmSubscriptions.forEach(({ protocol, endpoint }, index) => {
    const at = `alarmSubscriptions.${index}.endpoint`;
    if (protocol === 'email' && !EMAIL.test(endpoint)) {
      add(at, `'${endpoint}' is not an e-mail address such as oncall@example.com`);
    }
    if (protocol === 'https' && !HTTPS_URL.test(endpoint)) {
      add(at, `'${endpoint}' is not an https:// URL without user or password (a credential belongs in no model field)`);
    }
    if (seen.has(`${protocol} ${endpoint}`)) add(at, `'${endpoint}' is subscribed more than once`);
    seen.add(`${protocol} ${endpoint}`);
  });

  // Each receiver's secret must be its own: another receiver's, or a secret the contract derives for something
  // else, would hand Alertmanager the wrong value (or the AWS half would create the name twice).
  const naming = new EnvironmentNaming(model.organization, environment);
  const taken = new Map<string, string>([[naming.gitopsRepositorySecretName, 'the Argo CD repository credentials']]);
  for (const service of model.services) {
    for (const store of Object.keys(CONNECTION_PARAMETERS) as DataStore[]) {
      taken.set(naming.credentialsSecretName(service.name, store), `the ${store} credentials of ${service.name}`);
    }
  }
  for (const { receiver, secretName } of naming.alertReceiverSecrets) {
    const at = `receivers.${receiver}.${ALERT_RECEIVERS[receiver].field}`;
    const owner = taken.get(secretName);
    if (owner) add(at, `'${secretName}' is already ${owner}; give each receiver a secret of its own`);
    taken.set(secretName, `the secret of the ${receiver} receiver`);
    if (secretName.length > SECRET_NAME_MAX) {
      add(at, `'${secretName}' is longer than Secrets Manager's ${SECRET_NAME_MAX} characters`);
    }
    if (ARN_LIKE_SUFFIX.test(secretName)) {
      add(
        at,
        `'${secretName}' ends in '-' and 6 characters, which Secrets Manager confuses with the suffix of its ARNs; rename it`,
      );
    }
  }
  return issues;
}

function nameLengthIssues(model: PlatformModel, environment: Environment): ModelIssue[] {
  const naming = new EnvironmentNaming(model.organization, environment);
  const roles = [
    ...model.services.map((service) => naming.workloadRoleName(service.name)),
    ...Object.keys(ADDON_SERVICE_ACCOUNTS).map((addon) =>
      naming.addonRoleName(addon as keyof typeof ADDON_SERVICE_ACCOUNTS),
    ),
    naming.karpenterNodeRoleName,
  ];
  const queues = model.queues.map((queue) => naming.deadLetterQueueName(queue.name));
  const tooLong = [
    ...roles.filter((name) => name.length > NAME_LIMITS.iamRole).map((name) => `IAM role '${name}' (max 64)`),
    ...queues.filter((name) => name.length > NAME_LIMITS.sqsQueue).map((name) => `SQS queue '${name}' (max 80)`),
  ];
  return tooLong.map((what) => ({
    path: `environments.${environment.name}.name`,
    message: `derived name too long: ${what}; shorten the organization, environment or service name`,
  }));
}

function overlappingNetworks(environments: readonly Environment[]): ModelIssue[] {
  const issues: ModelIssue[] = [];
  environments.forEach((environment, index) => {
    const own = parseCidr(environment.network.vpcCidr);
    if (typeof own === 'string') return;
    for (const earlier of environments.slice(0, index)) {
      const other = parseCidr(earlier.network.vpcCidr);
      if (typeof other !== 'string' && cidrsOverlap(own, other)) {
        issues.push({
          path: `environments.${environment.name}.network.vpcCidr`,
          message: `${environment.network.vpcCidr} overlaps ${earlier.network.vpcCidr} of environment '${earlier.name}'; VPC ranges must be disjoint so the networks can be peered`,
        });
      }
    }
  });
  return issues;
}
