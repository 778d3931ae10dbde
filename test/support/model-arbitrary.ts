/**
 * A fast-check generator of valid platform models, for the property-based suites (test/properties/).
 *
 * It draws a blueprint of plain choices (counts, name lengths, indexes, sizes) and builds the model from it
 * with `.map`, so fast-check shrinks a failing model by shrinking the choices, and every model it builds is
 * valid by construction. What "valid" means is what `validateModel` and the synthesis of both halves accept;
 * where a rule lives only in synthesis (the team quota, the ElastiCache ID length, CloudWatch's retention list,
 * one CPU architecture per node group) the generator keeps to it here, and the first property of the suite
 * asserts `validateModel` accepts every model, so a drift between this file and the validator fails loudly.
 *
 * Sizes: 1–40 services, 1–6 teams, 0–5 queues, 1–4 environments (two or more span at least two regions), and
 * per environment releases (image, replicas, resources) for some services.
 * Names go up to the limits the derived AWS names leave them (IAM role 64, SQS queue 80, RDS instance 63,
 * ElastiCache ID 40).
 */
import { createHash } from 'node:crypto';
import {
  type Environment,
  type NodeGroup,
  type Organization,
  PLATFORM_NAMESPACES,
  type PlatformModel,
  POSTGRES_RESERVED_WORDS,
  PROMETHEUS_RETENTION_DAYS,
  partitionOf,
  type Queue,
  RESERVED_DIST_FOLDERS,
  type Releases,
  ROLLOUT_SURGE,
  type Service,
  type ServiceRelease,
  SHARED_SERVICES_DEPLOYMENT,
  SUPPORTED_KUBERNETES_VERSIONS,
  servicesIn,
  type Team,
} from '@platform/model';
import fc from 'fast-check';
import { patternMatches } from './ecr-lifecycle';

/** Limits of the names derived from the model (AWS documentation of each service; ElastiCache: CreateReplicationGroup). */
export const DERIVED_NAME_LIMITS = { iamRole: 64, sqsQueue: 80, rdsInstance: 63, elastiCacheId: 40 } as const;

/** Longest add-on role suffix (`-load-balancer-controller`) and the DLQ suffix the naming contract appends. */
const LONGEST_ROLE_SUFFIX = '-load-balancer-controller'.length;
const DLQ_SUFFIX = '-dlq'.length;
/** A model name is a DNS label of at most 32 characters (schema.ts). */
const MODEL_NAME_MAX = 32;

/** The protected branch of the generated organization. */
const PROTECTED_BRANCH = 'main';

/**
 * Namespaces that exist in every cluster or belong to the platform: a team of that name would share them.
 * (Kubernetes creates default, kube-public and kube-node-lease.)
 */
const RESERVED_NAMESPACES = new Set<string>([
  ...Object.values(PLATFORM_NAMESPACES),
  'default',
  'kube-public',
  'kube-node-lease',
]);

/** Regions with zones a, b and c in every account (ap-northeast-1 has no b, so it is left out). */
const REGIONS = ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2', 'ca-central-1'];

/** CloudWatch Logs' retention periods in days (aws-cdk-lib RetentionDays, without INFINITE). */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 3653];

const INSTANCE_TYPES = {
  arm: ['m7g.large', 'm6g.large', 'c7g.large', 'r7g.large', 'm7g.xlarge', 'm7g.2xlarge'],
  x86: ['m7i.large', 'm6i.large', 'c7i.large', 'r7i.large', 'm5.xlarge', 't3.large'],
} as const;

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const ALPHANUMERIC = `${LETTERS}0123456789`;
const HEX = '0123456789abcdef';
const TAG_FIRST = `${ALPHANUMERIC}ABCDEFGHIJKLMNOPQRSTUVWXYZ_`;
const TAG_REST = `${TAG_FIRST}.-`;

const chars = (alphabet: string) => fc.constantFrom(...alphabet.split(''));

/** The raw material of a DNS label: its first, middle and last characters and a wished length. */
const rawName = fc.record({
  first: chars(LETTERS),
  middle: fc.string({
    unit: fc.oneof({ arbitrary: chars(ALPHANUMERIC), weight: 5 }, { arbitrary: fc.constant('-'), weight: 1 }),
    minLength: MODEL_NAME_MAX - 2,
    maxLength: MODEL_NAME_MAX - 2,
  }),
  last: chars(ALPHANUMERIC),
  // fast-check favours the bounds: many names are 1 or 32 characters long, or as long as their budget allows.
  length: fc.integer({ min: 1, max: MODEL_NAME_MAX }),
});
type RawName = typeof rawName extends fc.Arbitrary<infer T> ? T : never;

/** The DNS label a raw name gives within a length budget. */
function labelOf(raw: RawName, budget: number): string {
  const length = Math.max(1, Math.min(raw.length, budget));
  // No two hyphens in a row (the schema's rule): the second of a pair becomes a letter.
  const middle = raw.middle.slice(0, length - 2).replace(/-(?=-)/g, 'a');
  return length === 1 ? raw.first : `${raw.first}${middle}${raw.last}`;
}

/** The label itself, or a variant of it (same start, a counter at the end) no name in `taken` has. */
function uniqueLabel(label: string, budget: number, taken: Set<string>): string {
  let candidate = label;
  for (let counter = 0; taken.has(candidate); counter++) {
    const suffix = counter.toString(36);
    candidate = `${label.slice(0, Math.max(1, budget - suffix.length))}${suffix}`.slice(0, budget);
    // `label.slice` keeps the leading letter; the counter is alphanumeric, so the label stays valid.
  }
  taken.add(candidate);
  return candidate;
}

const port = fc.oneof(
  { arbitrary: fc.constantFrom(80, 443, 8080, 8443, 9090, 3000, 53, 5432, 6379, 1, 1024, 65535), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 65535 }), weight: 2 },
);

const httpPath = fc.oneof(
  fc.constantFrom('/healthz', '/readyz', '/livez', '/', '/health/live', '/_status/ready', '/v1/health.json'),
  fc
    .string({ unit: chars('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./'), maxLength: 40 })
    .map((rest) => `/${rest}`),
);

const plainTagArbitrary = fc.oneof(
  fc.tuple(fc.nat(30), fc.nat(99), fc.nat(999)).map(([major, minor, patch]) => `${major}.${minor}.${patch}`),
  fc
    .tuple(chars(TAG_FIRST), fc.string({ unit: chars(TAG_REST), maxLength: 127 }))
    .map(([first, rest]) => `${first}${rest}`)
    .filter((tag) => tag !== 'latest'),
);

/** An image tag (never `latest`), or a tag pinned to a digest (`<tag>@sha256:<hex>`), as validate.ts accepts them. */
export const imageTagArbitrary = fc.oneof(
  plainTagArbitrary,
  fc
    .tuple(plainTagArbitrary, fc.string({ unit: chars(HEX), minLength: 64, maxLength: 64 }))
    .map(([tag, hex]) => `${tag}@sha256:${hex}`),
);

/** CPU in millicores, written as Kubernetes quantities are: `250m`, `2` or `1.5`. */
function cpuQuantity(millicores: number, style: 'milli' | 'cores'): string {
  if (style === 'cores' && millicores % 100 === 0) return String(millicores / 1000);
  return `${millicores}m`;
}

/** Memory in MiB, as `512Mi`, `2Gi` or `0.5Gi`. */
function memoryQuantity(mebibytes: number, style: 'Mi' | 'Gi'): string {
  if (style === 'Gi' && mebibytes % 512 === 0) return `${mebibytes / 1024}Gi`;
  return `${mebibytes}Mi`;
}

const resourceFields = {
  cpuRequestMilli: fc.integer({ min: 1, max: 4000 }),
  cpuStyle: fc.constantFrom('milli', 'cores') as fc.Arbitrary<'milli' | 'cores'>,
  cpuLimitExtraMilli: fc.option(fc.integer({ min: 0, max: 4000 }), { nil: undefined }),
  memoryRequestMi: fc.integer({ min: 16, max: 8192 }),
  memoryLimitExtraMi: fc.integer({ min: 0, max: 8192 }),
  memoryStyle: fc.constantFrom('Mi', 'Gi') as fc.Arbitrary<'Mi' | 'Gi'>,
};
const resourceBlueprint = fc.record(resourceFields);
type ResourceBlueprint = typeof resourceBlueprint extends fc.Arbitrary<infer T> ? T : never;

const replicaFields = {
  replicasMin: fc.integer({ min: 1, max: 5 }),
  replicasExtra: fc.integer({ min: 0, max: 15 }),
};

/** What one environment runs of a service where it differs from the catalog (`releases.<env>.<service>`). */
const releaseBlueprint = fc.option(
  fc.record(
    {
      tag: imageTagArbitrary,
      replicas: fc.record(replicaFields),
      resources: resourceBlueprint,
    },
    { requiredKeys: [] },
  ),
  { nil: undefined, freq: 2 },
);
type ReleaseBlueprint = typeof releaseBlueprint extends fc.Arbitrary<infer T> ? T : never;

/**
 * A repository's numeric owner and repository IDs (GitHub's immutable subject, `owner@<id>/repo@<id>`), or none: the
 * subjects then name it `owner/repo`.
 */
const repositoryIds = fc.option(
  fc.record({
    owner: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    repository: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  }),
  { nil: undefined },
);

/** The model's fields of `repositoryIds`. */
const idFields = (ids: { owner: number; repository: number } | undefined) =>
  ids === undefined ? {} : { githubRepositoryOwnerId: ids.owner, githubRepositoryId: ids.repository };

const serviceBlueprint = fc.record({
  name: rawName,
  team: fc.nat(),
  port,
  metricsPort: port,
  health: fc.record({ liveness: httpPath, readiness: httpPath, startup: httpPath }),
  tag: imageTagArbitrary,
  ...resourceFields,
  ...replicaFields,
  cpuUtilization: fc.integer({ min: 1, max: 100 }),
  memoryUtilization: fc.integer({ min: 1, max: 100 }),
  calls: fc.array(fc.nat(), { maxLength: 6 }),
  publishes: fc.array(fc.nat(), { maxLength: 3 }),
  consumes: fc.array(fc.nat(), { maxLength: 3 }),
  database: fc.boolean(),
  cache: fc.boolean(),
  // Availability 90–99.999 % in steps of 0.001; latency 1 ms – 60 s; window up to the days Prometheus keeps.
  availabilityThousandths: fc.integer({ min: 90_000, max: 99_999 }),
  percentile: fc.constantFrom(50, 75, 90, 95, 99, 99.5, 99.9),
  thresholdMilliseconds: fc.integer({ min: 1, max: 60_000 }),
  windowDays: fc.integer({ min: 1, max: PROMETHEUS_RETENTION_DAYS }),
  edge: fc.boolean(),
  /** An edge service's route: its own host (the default), a path on the environment's domain, or a subdomain. */
  edgeRoute: fc.constantFrom('default', 'path', 'subdomain') as fc.Arbitrary<'default' | 'path' | 'subdomain'>,
  usesKubernetesApi: fc.boolean(),
  writableTmp: fc.option(fc.boolean(), { nil: undefined }),
  /** The IDs of the service's own repository, when it has one. */
  repositoryIds,
});
type ServiceBlueprint = typeof serviceBlueprint extends fc.Arbitrary<infer T> ? T : never;

const teamBlueprint = fc.record({
  name: rawName,
  // Room above what the team's services need at their peak; 0 (an exact fit) is among the likeliest.
  spare: fc.record({
    pods: fc.integer({ min: 0, max: 50 }),
    cpuMilli: fc.integer({ min: 0, max: 8000 }),
    memoryMi: fc.integer({ min: 0, max: 16384 }),
  }),
  cpuStyle: fc.constantFrom('milli', 'cores') as fc.Arbitrary<'milli' | 'cores'>,
  memoryStyle: fc.constantFrom('Mi', 'Gi') as fc.Arbitrary<'Mi' | 'Gi'>,
});

const queueBlueprint = fc.record({
  name: rawName,
  maxReceiveCount: fc.integer({ min: 1, max: 10 }),
  visibilityTimeoutSeconds: fc.integer({ min: 0, max: 43_200 }),
  dlqRetentionDays: fc.integer({ min: 1, max: 14 }),
  maxMessageAgeSeconds: fc.integer({ min: 1, max: 1_209_600 }),
});

const nodeGroupBlueprint = fc.record({
  architecture: fc.constantFrom('arm', 'x86') as fc.Arbitrary<'arm' | 'x86'>,
  types: fc.uniqueArray(fc.nat(INSTANCE_TYPES.arm.length - 1), { minLength: 2, maxLength: 4 }),
  minSize: fc.integer({ min: 0, max: 3 }),
  extraDesired: fc.integer({ min: 0, max: 3 }),
  extraMax: fc.integer({ min: 0, max: 10 }),
});
type NodeGroupBlueprint = typeof nodeGroupBlueprint extends fc.Arbitrary<infer T> ? T : never;

const environmentBlueprint = fc.record({
  name: rawName,
  region: fc.nat(REGIONS.length - 1),
  account: fc.nat(),
  /** Subnet prefixes, and whether the VPC is the smallest that holds them (else a roomy /16–/24). */
  subnetPrefixes: fc.record({
    public: fc.integer({ min: 20, max: 28 }),
    private: fc.integer({ min: 18, max: 28 }),
    isolated: fc.integer({ min: 20, max: 28 }),
  }),
  tightVpc: fc.boolean(),
  roomyVpcPrefix: fc.integer({ min: 16, max: 24 }),
  natGateways: fc.constantFrom('one-per-az', 'single') as fc.Arbitrary<'one-per-az' | 'single'>,
  interfaceEndpoints: fc.boolean(),
  flowLogRetentionDays: fc.constantFrom(...LOG_RETENTION_DAYS),
  /** The collectors' settings: left out (the defaults), or a retention and a sampling ratio of the allowed ranges. */
  observability: fc.option(
    fc.record({
      logs: fc.option(fc.record({ retentionDays: fc.constantFrom(...LOG_RETENTION_DAYS) }), { nil: undefined }),
      traces: fc.option(fc.record({ samplingRatio: fc.constantFrom(0, 0.01, 0.25, 1) }), { nil: undefined }),
    }),
    { nil: undefined },
  ),
  kubernetesVersion: fc.constantFrom(...SUPPORTED_KUBERNETES_VERSIONS),
  publicEndpoint: fc.boolean(),
  /** Which teams (by index) get a people role, whether there is a read-only role and a break-glass instance. */
  people: fc.record({
    teams: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    readOnly: fc.boolean(),
    breakGlassBastion: fc.boolean(),
  }),
  nodeGroups: fc.record({ system: nodeGroupBlueprint, general: nodeGroupBlueprint, spot: nodeGroupBlueprint }),
  karpenterLimits: fc.record({ cpu: fc.integer({ min: 1, max: 1000 }), memoryGiB: fc.integer({ min: 1, max: 4000 }) }),
  amiDate: fc.integer({ min: 20240101, max: 20261231 }),
  database: fc.record({
    instanceClass: fc.constantFrom('db.t4g.medium', 'db.r7g.large', 'db.m7g.xlarge'),
    allocatedStorageGiB: fc.integer({ min: 20, max: 1000 }),
    extraStorageGiB: fc.integer({ min: 0, max: 2000 }),
    multiAz: fc.boolean(),
    deletionProtection: fc.boolean(),
    backupRetentionDays: fc.integer({ min: 1, max: 35 }),
  }),
  cache: fc.record({
    nodeType: fc.constantFrom('cache.t4g.small', 'cache.r7g.large', 'cache.m7g.large'),
    replicas: fc.integer({ min: 0, max: 5 }),
    snapshotRetentionDays: fc.integer({ min: 0, max: 35 }),
  }),
  policyMode: fc.constantFrom('Audit', 'Deny') as fc.Arbitrary<'Audit' | 'Deny'>,
  /** Alarm thresholds: none given, or some of each kind (the rest take their defaults). */
  alarms: fc.option(
    fc.record(
      {
        database: fc.record(
          { cpuPercent: fc.integer({ min: 1, max: 100 }), connectionsPercent: fc.integer({ min: 1, max: 100 }) },
          { requiredKeys: [] },
        ),
        cache: fc.record(
          { memoryPercent: fc.integer({ min: 1, max: 100 }), evictionsPer5Minutes: fc.integer({ min: 0, max: 1000 }) },
          { requiredKeys: [] },
        ),
        loadBalancer: fc.record(
          {
            elb5xxPerMinute: fc.integer({ min: 1, max: 1000 }),
            target5xxPerMinute: fc.integer({ min: 1, max: 10000 }),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    ),
    { nil: undefined },
  ),
  clusterDeletionProtection: fc.boolean(),
  removalPolicy: fc.constantFrom('snapshot', 'retain') as fc.Arbitrary<'snapshot' | 'retain'>,
  /** Index of the region backups are copied to (skipping the environment's own), or none. */
  backupReplicaRegion: fc.option(fc.nat(REGIONS.length - 2), { nil: undefined }),
  /** The environment's releases, one per service of the catalog (most empty); none at all for some. */
  releases: fc.option(fc.array(releaseBlueprint, { minLength: 40, maxLength: 40 }), { nil: undefined, freq: 3 }),
  subscriptions: fc.uniqueArray(fc.constantFrom('email-oncall', 'email-team', 'https-hook'), {
    minLength: 1,
    maxLength: 3,
  }),
  pager: fc.boolean(),
  /** The edge's hosted zone: none (records by hand), the edge domain's own, or its parent `<organization>.example.com`. */
  hostedZone: fc.constantFrom('none', 'domain', 'parent') as fc.Arbitrary<'none' | 'domain' | 'parent'>,
});
type EnvironmentBlueprint = typeof environmentBlueprint extends fc.Arbitrary<infer T> ? T : never;

/** Caps on a model's size; the defaults are the generator's full range. */
export interface ModelSize {
  /** @default 1 */
  readonly minServices?: number;
  /** @default 40 */
  readonly maxServices?: number;
  /** @default 0 */
  readonly minQueues?: number;
  /** @default 5 */
  readonly maxQueues?: number;
  /** @default 4 */
  readonly maxEnvironments?: number;
  /** At most 6. @default 6 */
  readonly maxTeams?: number;
}

const modelBlueprint = ({
  minServices = 1,
  maxServices = 40,
  minQueues = 0,
  maxQueues = 5,
  maxEnvironments = 4,
  maxTeams = 6,
}: ModelSize) =>
  fc.record({
    organization: fc.record({
      name: rawName,
      /** The organization's share of the 39 characters an environment prefix may have. */
      length: fc.integer({ min: 1, max: 12 }),
      region: fc.nat(REGIONS.length - 1),
      /** CI's build-tag prefix; none starts with 'r' (see notBuildTag). */
      buildTagPrefix: fc.constantFrom('build-', 'ci_', 'tmp.', 'b'),
      buildTagDays: fc.integer({ min: 1, max: 365 }),
      untaggedDays: fc.integer({ min: 1, max: 30 }),
      /** Release tag patterns; none matches a build tag `<prefix><digits>` (see releaseTag). */
      releaseTagPatterns: fc.subarray(['*.*.*', 'v*', 'rel-*-*', '*-stable'], { minLength: 1 }),
      /** The IDs of this repository (`organization.ci`). */
      repositoryIds,
    }),
    accounts: fc.uniqueArray(fc.integer({ min: 100_000_000_000, max: 999_999_999_999 }), {
      minLength: 1,
      maxLength: 5,
    }),
    // Counts are drawn apart from the lists, so a failing model shrinks by dropping entries from the end.
    environmentCount: fc.integer({ min: 1, max: maxEnvironments }),
    environments: fc.array(environmentBlueprint, { minLength: 4, maxLength: 4 }),
    /** Distinct second octets of the environments' VPCs in 10.0.0.0/8: their ranges never overlap. */
    vpcOctets: fc.uniqueArray(fc.nat(255), { minLength: 4, maxLength: 4 }),
    teamCount: fc.integer({ min: 1, max: Math.min(6, maxTeams) }),
    teams: fc.array(teamBlueprint, { minLength: 6, maxLength: 6 }),
    serviceCount: fc.integer({ min: minServices, max: maxServices }),
    // At least the default lengths, so the default sizes draw the same models as ever.
    services: fc.array(serviceBlueprint, {
      minLength: Math.max(40, maxServices),
      maxLength: Math.max(40, maxServices),
    }),
    queueCount: fc.integer({ min: minQueues, max: maxQueues }),
    queues: fc.array(queueBlueprint, { minLength: Math.max(5, maxQueues), maxLength: Math.max(5, maxQueues) }),
    /** Whether calls only go to services later in the list (a DAG) or anywhere (cycles allowed). */
    acyclic: fc.boolean(),
  });
type ModelBlueprint = ReturnType<typeof modelBlueprint> extends fc.Arbitrary<infer T> ? T : never;

/** Valid platform models, up to the given size; see the file comment. */
export function platformModelArbitrary(size: ModelSize = {}): fc.Arbitrary<PlatformModel> {
  return modelBlueprint(size).map((blueprint) =>
    buildModel({
      ...blueprint,
      environments: blueprint.environments.slice(0, blueprint.environmentCount),
      teams: blueprint.teams.slice(0, blueprint.teamCount),
      services: blueprint.services.slice(0, blueprint.serviceCount),
      queues: blueprint.queues.slice(0, blueprint.queueCount),
    }),
  );
}

function buildModel(blueprint: ModelBlueprint): PlatformModel {
  const organizationName = labelOf(blueprint.organization.name, blueprint.organization.length);
  const accountOf = (index: number) => String(blueprint.accounts[index % blueprint.accounts.length]);

  // dist/ holds the environments' folders beside cloudformation/, and the deploy workflow deploys the shared stack in
  // a GitHub Environment of its own: no environment may take those names.
  const environmentNames = new Set<string>([...RESERVED_DIST_FOLDERS, SHARED_SERVICES_DEPLOYMENT]);
  // Every add-on role `<org>-<env>-load-balancer-controller` must fit IAM's 64 characters.
  const environmentBudget = Math.min(
    MODEL_NAME_MAX,
    DERIVED_NAME_LIMITS.iamRole - LONGEST_ROLE_SUFFIX - organizationName.length - 1,
  );
  const regions = spreadRegions(blueprint.environments.map((environment) => environment.region));
  const environments = blueprint.environments.map((environment, index) => {
    const name = uniqueLabel(labelOf(environment.name, environmentBudget), environmentBudget, environmentNames);
    return buildEnvironment(environment, {
      organization: organizationName,
      name,
      region: REGIONS[regions[index]],
      account: accountOf(environment.account),
      vpcOctet: blueprint.vpcOctets[index],
      // The first environment tracks the protected branch; each later one a branch of its own, which the deploy
      // workflow advances after it is deployed (the validator's default, written out as a user would).
      targetRevision: index === 0 ? PROTECTED_BRANCH : `deploy/${name}`,
    });
  });
  const longestPrefix = Math.max(
    ...environments.map((environment) => organizationName.length + 1 + environment.name.length),
  );

  const queueBudget = Math.min(MODEL_NAME_MAX, DERIVED_NAME_LIMITS.sqsQueue - DLQ_SUFFIX - longestPrefix - 1);
  const queueNames = new Set<string>();
  const queues: Queue[] = blueprint.queues.map(({ name, ...settings }) => ({
    name: uniqueLabel(labelOf(name, queueBudget), queueBudget, queueNames),
    ...settings,
  }));

  const teamNames = new Set<string>(RESERVED_NAMESPACES);
  // Kubernetes reserves the `kube-` prefix for its own namespaces (validate.ts refuses it for teams).
  // Each team's people role `<org>-<env>-people-<team>` must fit IAM's 64 characters (with a character to spare).
  const teamBudget = Math.min(MODEL_NAME_MAX, DERIVED_NAME_LIMITS.iamRole - longestPrefix - '-secrets-'.length);
  const teamLabels = blueprint.teams.map((team) =>
    uniqueLabel(labelOf(team.name, teamBudget).replace(/^kube-/, 'kubf-'), teamBudget, teamNames),
  );

  // People principals: IAM Identity Center role patterns of each environment's own account and partition.
  environments.forEach((environment, index) => {
    const people = blueprint.environments[index].people;
    const pattern = (set: string) =>
      `arn:${partitionOf(environment.region)}:iam::${environment.account}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_${set}_*`;
    const teams = Object.fromEntries(
      teamLabels.filter((_, i) => people.teams[i]).map((team) => [team, [pattern(`Team-${team}`)]]),
    );
    environment.access = {
      ...(Object.keys(teams).length > 0 ? { teams } : {}),
      ...(people.readOnly ? { readOnly: [pattern('Engineers')] } : {}),
      ...(people.breakGlassBastion ? { breakGlassBastion: true } : {}),
    };
  });

  const { buildTagPrefix } = blueprint.organization;
  // A tag of a service or release never starts with the build-tag prefix (the validator's rule): the first
  // character becomes 'r', which starts no prefix, and the length stays within the 128 a tag may have.
  const notBuildTag = (tag: string) => (tag.startsWith(buildTagPrefix) ? `r${tag.slice(1)}` : tag);
  // The rules below judge the tag; a digest it pins stays as it is.
  // Every service and release tag matches a release pattern (the validator's rule): a tag that matches none is
  // written into the first pattern (its first * becomes the tag, cut to keep within 128 characters, the others 0); a pattern
  // starting with * keeps the tag's first character, so the result starts with no build-tag prefix either.
  const { releaseTagPatterns } = blueprint.organization;
  const releaseTag = (tag: string) => {
    if (releaseTagPatterns.some((pattern) => patternMatches(pattern, tag))) {
      return tag;
    }
    const [pattern] = releaseTagPatterns;
    const room = 129 - pattern.length;
    return pattern.replace('*', tag.slice(0, room)).replaceAll('*', '0');
  };
  const modelTag = (reference: string) => {
    const [tag, digest] = reference.split('@');
    const kept = releaseTag(notBuildTag(tag));
    return digest === undefined ? kept : `${kept}@${digest}`;
  };
  const services = buildServices(blueprint, {
    teams: teamLabels,
    queues: queues.map((queue) => queue.name),
    // A service with a repository of its own gets the push role `<org>-ci-push-<service>` too.
    serviceBudget: Math.min(
      MODEL_NAME_MAX,
      DERIVED_NAME_LIMITS.iamRole - longestPrefix - 1,
      DERIVED_NAME_LIMITS.iamRole - organizationName.length - '-ci-push-'.length,
    ),
    // A service with a data store gets the secret reader role `<org>-<env>-sr-<service>` too.
    readerBudget: DERIVED_NAME_LIMITS.iamRole - longestPrefix - '-sr-'.length,
    databaseBudget: DERIVED_NAME_LIMITS.rdsInstance - longestPrefix - 1,
    cacheBudget: DERIVED_NAME_LIMITS.elastiCacheId - longestPrefix - 1,
  }).map((service, index) => ({
    ...service,
    image: { tag: modelTag(service.image.tag) },
    // Every other service builds its image in a repository of its own, which the image push role then trusts.
    ...(index % 2 === 0
      ? {
          ci: {
            githubRepository: `${organizationName}/${service.name}`,
            branch: 'main',
            ...idFields(blueprint.services[index].repositoryIds),
          },
        }
      : {}),
  }));
  // ECR's tags are immutable (the validator's rule): a tag a service's references pin keeps the digest it is first
  // pinned to, in the catalog and then in each release.
  const pins = new Map<string, string>();
  const pinOnce = (service: string, reference: string) => {
    const [tag, digest] = reference.split('@');
    if (digest === undefined) return reference;
    const key = `${service}:${tag}`;
    if (!pins.has(key)) pins.set(key, digest);
    return `${tag}@${pins.get(key)}`;
  };
  for (const service of services) service.image = { tag: pinOnce(service.name, service.image.tag) };
  const releases = mapReleaseTags(buildReleases(blueprint.environments, environments, services), (reference, service) =>
    pinOnce(service, modelTag(reference)),
  );
  // Each environment runs its releases: the quota must hold the team's services as every environment runs them.
  const views = environments.map((environment) =>
    servicesIn({ services, releases } as PlatformModel, environment.name),
  );
  const teams: Team[] = blueprint.teams.map((team, index) =>
    buildTeam(
      teamLabels[index],
      team,
      views.map((view) => view.filter((service) => service.team === teamLabels[index])),
    ),
  );

  const organization: Organization = {
    name: organizationName,
    sharedServices: { account: accountOf(0), region: REGIONS[blueprint.organization.region] },
    ci: {
      githubRepository: `${organizationName}/platform`,
      branch: PROTECTED_BRANCH,
      ...idFields(blueprint.organization.repositoryIds),
    },
    images: {
      buildTagPrefix,
      buildTagDays: blueprint.organization.buildTagDays,
      untaggedDays: blueprint.organization.untaggedDays,
      releaseTagPatterns,
    },
    tags: { owner: 'platform-team', costCenter: 'cc-1234' },
  };
  return { organization, environments, teams, services, queues, ...(releases ? { releases } : {}) };
}

function mapReleaseTags(
  releases: Releases | undefined,
  map: (tag: string, service: string) => string,
): Releases | undefined {
  if (!releases) return undefined;
  return Object.fromEntries(
    Object.entries(releases).map(([environment, entries]) => [
      environment,
      Object.fromEntries(
        Object.entries(entries).map(([service, release]) => [
          service,
          release.image ? { ...release, image: { tag: map(release.image.tag, service) } } : release,
        ]),
      ),
    ]),
  );
}

/** `releases`: per environment that has any, the services whose release the blueprint gives. */
function buildReleases(
  blueprints: readonly EnvironmentBlueprint[],
  environments: readonly Environment[],
  services: readonly Service[],
): Releases | undefined {
  const entries = environments.flatMap((environment, index) => {
    const releases = blueprints[index].releases;
    if (!releases) return [];
    const perService = services.flatMap((service, serviceIndex) => {
      const release = releaseOf(releases[serviceIndex]);
      return release ? [[service.name, release] as const] : [];
    });
    return [[environment.name, Object.fromEntries(perService)] as const];
  });
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

function releaseOf(blueprint: ReleaseBlueprint): ServiceRelease | undefined {
  if (!blueprint) return undefined;
  return {
    ...(blueprint.tag === undefined ? {} : { image: { tag: blueprint.tag } }),
    ...(blueprint.replicas === undefined
      ? {}
      : {
          replicas: {
            min: blueprint.replicas.replicasMin,
            max: blueprint.replicas.replicasMin + blueprint.replicas.replicasExtra,
          },
        }),
    ...(blueprint.resources === undefined ? {} : { resources: resourcesOf(blueprint.resources) }),
  };
}

/** Two or more environments span at least two regions. */
function spreadRegions(regions: readonly number[]): number[] {
  const spread = [...regions];
  if (spread.length > 1 && spread.every((region) => region === spread[0])) {
    spread[spread.length - 1] = (spread[0] + 1) % REGIONS.length;
  }
  return spread;
}

interface EnvironmentFacts {
  readonly organization: string;
  readonly name: string;
  readonly region: string;
  readonly account: string;
  readonly vpcOctet: number;
  readonly targetRevision: string;
}

function buildEnvironment(blueprint: EnvironmentBlueprint, facts: EnvironmentFacts): Environment {
  const { name, region, account } = facts;
  const subnetPrefixes = fittingSubnetPrefixes(blueprint.subnetPrefixes);
  const domain = `${name}.${facts.organization}.example.com`;
  const otherRegions = REGIONS.filter((candidate) => candidate !== region);
  const replicaRegion =
    blueprint.backupReplicaRegion === undefined
      ? undefined
      : otherRegions[blueprint.backupReplicaRegion % otherRegions.length];
  const subscriptions = blueprint.subscriptions.map((kind) =>
    kind === 'https-hook'
      ? { protocol: 'https' as const, endpoint: `https://hooks.example.com/alarms/${name}` }
      : { protocol: 'email' as const, endpoint: `${kind.slice('email-'.length)}@${domain}` },
  );
  return {
    name,
    account,
    region,
    availabilityZones: ['a', 'b', 'c'].map((zone) => `${region}${zone}`),
    network: {
      vpcCidr: `10.${facts.vpcOctet}.0.0/${vpcPrefix(blueprint, subnetPrefixes)}`,
      subnetPrefixes,
      natGateways: blueprint.natGateways,
      interfaceEndpoints: blueprint.interfaceEndpoints,
      flowLogRetentionDays: blueprint.flowLogRetentionDays,
    },
    cluster: {
      kubernetesVersion: blueprint.kubernetesVersion,
      endpointAccess: blueprint.publicEndpoint
        ? { mode: 'public-and-private', publicCidrs: ['203.0.113.0/24', '198.51.100.0/25'] }
        : { mode: 'private' },
      adminRoleArn: `arn:aws:iam::${account}:role/PlatformAdmin`,
      deletionProtection: blueprint.clusterDeletionProtection,
      nodeGroups: {
        system: nodeGroup(blueprint.nodeGroups.system),
        general: nodeGroup(blueprint.nodeGroups.general),
        spot: nodeGroup(blueprint.nodeGroups.spot),
      },
      karpenterLimits: blueprint.karpenterLimits,
      karpenterAmiRelease: `v${blueprint.amiDate}`,
    },
    database: {
      instanceClass: blueprint.database.instanceClass,
      allocatedStorageGiB: blueprint.database.allocatedStorageGiB,
      maxAllocatedStorageGiB: blueprint.database.allocatedStorageGiB + blueprint.database.extraStorageGiB,
      multiAz: blueprint.database.multiAz,
      deletionProtection: blueprint.database.deletionProtection,
      backupRetentionDays: blueprint.database.backupRetentionDays,
      ...(replicaRegion === undefined
        ? {}
        : {
            backupReplication: {
              region: replicaRegion,
              kmsKeyArn: `arn:aws:kms:${replicaRegion}:${account}:key/1a2b3c4d-5e6f-7081-92a3-b4c5d6e7f809`,
            },
          }),
    },
    cache: blueprint.cache,
    removalPolicy: blueprint.removalPolicy,
    policyMode: blueprint.policyMode,
    ...(blueprint.observability === undefined ? {} : { observability: blueprint.observability }),
    gitops: {
      repoUrl: `https://github.com/${facts.organization}/platform.git`,
      targetRevision: facts.targetRevision,
      path: `dist/${name}`,
    },
    edge: {
      domain,
      certificateArn: `arn:aws:acm:${region}:${account}:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`,
      // A zone of the environment's own (its ID from account and name), even where another one has the same name.
      ...(blueprint.hostedZone === 'none'
        ? {}
        : {
            hostedZone: {
              id: `Z${account}${createHash('sha256').update(name).digest('hex').slice(0, 16).toUpperCase()}`,
              name: blueprint.hostedZone === 'domain' ? domain : `${facts.organization}.example.com`,
            },
          }),
    },
    alarmTopicName: `${facts.organization}-${name}-alarms`,
    ...(blueprint.alarms === undefined ? {} : { alarms: blueprint.alarms }),
    alerting: {
      alarmSubscriptions: subscriptions,
      receivers: {
        ...(blueprint.pager
          ? { pagerDuty: { routingKeySecret: 'monitoring/alertmanager/pagerduty-routing-key' } }
          : {}),
        ticketWebhook: { urlSecret: 'monitoring/alertmanager/ticket-webhook-url' },
        deadMansSwitch: { urlSecret: 'monitoring/alertmanager/heartbeat-url' },
      },
    },
    tags: { owner: 'platform-team', costCenter: 'cc-1234' },
  };
}

type SubnetPrefixes = Environment['network']['subnetPrefixes'];

/** Addresses 3 AZs × 3 tiers of subnets take. */
const addressesOf = (prefixes: SubnetPrefixes) =>
  3 * (2 ** (32 - prefixes.public) + 2 ** (32 - prefixes.private) + 2 ** (32 - prefixes.isolated));

/** The blueprint's prefixes, the largest subnets halved until all fit a /16, the largest VPC AWS allows. */
function fittingSubnetPrefixes(prefixes: SubnetPrefixes): SubnetPrefixes {
  const fitted = { ...prefixes };
  while (addressesOf(fitted) > 2 ** 16) {
    const largest = (['private', 'public', 'isolated'] as const).reduce((a, b) => (fitted[a] <= fitted[b] ? a : b));
    fitted[largest] += 1;
  }
  return fitted;
}

/** The VPC's prefix: the longest (smallest VPC) that holds 3 AZs × 3 tiers, or a roomier one; AWS allows /16–/28. */
function vpcPrefix(blueprint: EnvironmentBlueprint, prefixes: SubnetPrefixes): number {
  const tightest = 32 - Math.ceil(Math.log2(addressesOf(prefixes)));
  return Math.max(16, blueprint.tightVpc ? tightest : Math.min(tightest, blueprint.roomyVpcPrefix));
}

function nodeGroup(blueprint: NodeGroupBlueprint): NodeGroup {
  const types = INSTANCE_TYPES[blueprint.architecture];
  const desiredSize = blueprint.minSize + blueprint.extraDesired;
  return {
    instanceTypes: blueprint.types.map((index) => types[index % types.length]).filter(unique),
    minSize: blueprint.minSize,
    desiredSize,
    maxSize: Math.max(1, desiredSize + blueprint.extraMax),
  };
}

const unique = <T>(value: T, index: number, list: readonly T[]) => list.indexOf(value) === index;

interface ServiceFacts {
  readonly teams: readonly string[];
  readonly queues: readonly string[];
  /** Longest service name every environment's IAM role name leaves room for. */
  readonly serviceBudget: number;
  /** Longest name a service with a data store may have: `<org>-<env>-sr-<service>` is its secret reader role. */
  readonly readerBudget: number;
  /** Longest name a service with a database may have: `<org>-<env>-<service>` is its RDS instance identifier. */
  readonly databaseBudget: number;
  /** Longest name a service with a cache may have: `<org>-<env>-<service>` is its ElastiCache ID. */
  readonly cacheBudget: number;
}

function buildServices(blueprint: ModelBlueprint, facts: ServiceFacts): Service[] {
  // A service's database and its user take the service's name: RDS refuses PostgreSQL's reserved words.
  const taken = new Set<string>(POSTGRES_RESERVED_WORDS);
  const count = blueprint.services.length;
  const names = blueprint.services.map((service) => {
    const cache = service.cache && facts.cacheBudget >= 2;
    const budget = Math.min(
      facts.serviceBudget,
      service.database || cache ? facts.readerBudget : MODEL_NAME_MAX,
      service.database ? facts.databaseBudget : MODEL_NAME_MAX,
      cache ? facts.cacheBudget : MODEL_NAME_MAX,
    );
    const label = labelOf(service.name, budget);
    // PostgreSQL reserves role names that begin with pg_ (the service's users are named after it).
    return uniqueLabel(service.database && label.startsWith('pg-') ? `q${label.slice(1)}` : label, budget, taken);
  });
  return blueprint.services.map((service, index) =>
    buildService(service, {
      name: names[index],
      team: facts.teams[service.team % facts.teams.length],
      calls: service.calls
        .map((target) => target % count)
        .filter((target) => target !== index && (!blueprint.acyclic || target > index))
        .filter(unique)
        .map((target) => names[target]),
      publishes: pick(service.publishes, facts.queues),
      consumes: pick(service.consumes, facts.queues),
      cache: service.cache && names[index].length <= facts.cacheBudget,
      edge: service.edge,
    }),
  );
}

function pick(indexes: readonly number[], names: readonly string[]): string[] {
  return names.length === 0 ? [] : indexes.map((index) => names[index % names.length]).filter(unique);
}

interface ServiceChoices {
  readonly name: string;
  readonly team: string;
  readonly calls: string[];
  readonly publishes: string[];
  readonly consumes: string[];
  readonly cache: boolean;
  readonly edge: boolean;
}

/** Requests and limits from a blueprint's sizes (the limit at or above the request, as Kubernetes requires). */
function resourcesOf(blueprint: ResourceBlueprint): Service['resources'] {
  const cpuLimit =
    blueprint.cpuLimitExtraMilli === undefined
      ? {}
      : { cpu: cpuQuantity(blueprint.cpuRequestMilli + blueprint.cpuLimitExtraMilli, blueprint.cpuStyle) };
  return {
    requests: {
      cpu: cpuQuantity(blueprint.cpuRequestMilli, blueprint.cpuStyle),
      memory: memoryQuantity(blueprint.memoryRequestMi, blueprint.memoryStyle),
    },
    limits: {
      memory: memoryQuantity(blueprint.memoryRequestMi + blueprint.memoryLimitExtraMi, blueprint.memoryStyle),
      ...cpuLimit,
    },
  };
}

function buildService(blueprint: ServiceBlueprint, choices: ServiceChoices): Service {
  const replicasMin = blueprint.replicasMin;
  const metricsPort = blueprint.metricsPort === blueprint.port ? (blueprint.port % 65535) + 1 : blueprint.metricsPort;
  return {
    name: choices.name,
    description: `Generated service ${choices.name}.`,
    team: choices.team,
    port: blueprint.port,
    metricsPort,
    health: blueprint.health,
    image: { tag: blueprint.tag },
    resources: resourcesOf(blueprint),
    replicas: { min: replicasMin, max: replicasMin + blueprint.replicasExtra },
    autoscaling: { cpuUtilization: blueprint.cpuUtilization, memoryUtilization: blueprint.memoryUtilization },
    dependencies: {
      calls: choices.calls,
      publishes: choices.publishes,
      consumes: choices.consumes,
      database: blueprint.database,
      cache: choices.cache,
    },
    slo: {
      availability: blueprint.availabilityThousandths / 1000,
      latency: { percentile: blueprint.percentile, thresholdSeconds: blueprint.thresholdMilliseconds / 1000 },
      windowDays: blueprint.windowDays,
    },
    exposure: choices.edge ? 'edge' : 'internal',
    ...(choices.edge ? edgeOf(choices.name, blueprint.edgeRoute) : {}),
    usesKubernetesApi: blueprint.usesKubernetesApi,
    ...(blueprint.writableTmp === undefined ? {} : { writableTmp: blueprint.writableTmp }),
  };
}

/**
 * The `edge` field of an edge service. Every route is its own: the default host `<name>.<domain>`, the path
 * `/<name>` on the domain itself, or the subdomain `0<name>` (a digit first, so no service's default host).
 */
function edgeOf(name: string, route: 'default' | 'path' | 'subdomain'): Pick<Service, 'edge'> {
  if (route === 'path') return { edge: { path: `/${name}` } };
  if (route === 'subdomain') return { edge: { subdomain: `0${name}` } };
  return {};
}

type TeamBlueprint = typeof teamBlueprint extends fc.Arbitrary<infer T> ? T : never;

/**
 * A team whose quota holds its services at their peak in every environment (each runs its own releases):
 * `replicas.max` plus the rollout surge, times the CPU request and the memory limit (the rule of
 * TeamResourceLimits), plus the blueprint's spare room.
 */
function buildTeam(name: string, blueprint: TeamBlueprint, views: readonly (readonly Service[])[]): Team {
  const peak = (service: Service) => service.replicas.max + ROLLOUT_SURGE;
  const most = (need: (services: readonly Service[]) => number) => Math.max(0, ...views.map(need));
  const pods = most((services) => services.reduce((sum, service) => sum + peak(service), 0));
  const cpuMilli = most((services) =>
    services.reduce((sum, service) => sum + peak(service) * milliOf(service.resources.requests.cpu), 0),
  );
  const memoryMi = most((services) =>
    services.reduce((sum, service) => sum + peak(service) * mebibytesOf(service.resources.limits.memory), 0),
  );
  return {
    name,
    quota: {
      cpu: cpuQuantity(cpuMilli + blueprint.spare.cpuMilli, blueprint.cpuStyle),
      memory: memoryQuantity(memoryMi + blueprint.spare.memoryMi, blueprint.memoryStyle),
      pods: Math.max(1, pods + blueprint.spare.pods),
    },
  };
}

/** Millicores of a quantity this file writes. */
function milliOf(quantity: string): number {
  return quantity.endsWith('m') ? Number(quantity.slice(0, -1)) : Math.round(Number(quantity) * 1000);
}

/** MiB of a quantity this file writes. */
function mebibytesOf(quantity: string): number {
  return quantity.endsWith('Gi') ? Math.round(Number(quantity.slice(0, -2)) * 1024) : Number(quantity.slice(0, -2));
}
