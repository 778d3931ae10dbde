import { join } from 'node:path';
import {
  availabilityZoneContextKey,
  type DeploymentContext,
  type PlatformModel,
  platformModelInput,
  type Service,
  type ServiceRelease,
} from '@platform/model';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { cdkCliSettings } from '../../../apps/cloud/src/cdk-cli-context';

/** A copy of the shipped model to break; typed as the model, though a test may write anything into it. */
export function draftModel(): PlatformModel {
  return structuredClone(platformModelInput) as PlatformModel;
}

/** The context `pnpm validate` and `pnpm synth` read (cdk.json's). */
export const PROJECT_CONTEXT: DeploymentContext = cdkCliSettings(join(__dirname, '..', '..', '..')).context;

/** Moves an environment to another account, its certificate, admin role and people principals along with it. */
export function moveToAccount(model: PlatformModel, index: number, account: string): void {
  const environment = model.environments[index];
  const from = `:${environment.account}:`;
  environment.account = account;
  environment.edge.certificateArn = environment.edge.certificateArn.replace(from, `:${account}:`);
  environment.cluster.adminRoleArn = environment.cluster.adminRoleArn.replace(from, `:${account}:`);
  mapPrincipals(environment, (pattern) => pattern.replace(from, `:${account}:`));
  const replication = environment.database.backupReplication;
  if (replication) replication.kmsKeyArn = replication.kmsKeyArn.replace(from, `:${account}:`);
}

/** A 12-digit account no committed context and no environment of the model uses. */
export function unusedAccount(model: PlatformModel, context: DeploymentContext = PROJECT_CONTEXT): string {
  const used = new Set([
    ...model.environments.map((environment) => environment.account),
    ...Object.keys(context).flatMap((key) => /account=(\d{12})/.exec(key)?.[1] ?? []),
  ]);
  for (let n = 100000000000; ; n += 111111111) if (!used.has(String(n))) return String(n);
}

/**
 * Adds an edge service of a team of its own (with room in its quota) that calls nothing and stores nothing,
 * so a test of edge routing needs no second edge service in the model.
 */
export function addEdgeService(model: PlatformModel, name: string, edge?: { subdomain?: string; path?: string }): void {
  addServiceOfItsOwnTeam(model, name, { exposure: 'edge', edge });
}

/**
 * Adds `count` internal services named `<prefix>-<n>` (n from 1) that call nothing and store nothing (no database,
 * cache or queue), each of a team of its own with room in its quota, copied from the first service: a model that
 * grows by stateless services, for tests and `pnpm bench --services`. Returns the model.
 */
export function addStatelessServices(model: PlatformModel, count: number, prefix = 'stateless'): PlatformModel {
  for (let n = 1; n <= count; n += 1) addServiceOfItsOwnTeam(model, `${prefix}-${n}`, { exposure: 'internal' });
  return model;
}

function addServiceOfItsOwnTeam(model: PlatformModel, name: string, fields: Pick<Service, 'exposure' | 'edge'>): void {
  const { edge: _route, ...template } = model.services[0];
  const team = `${name}-team`;
  model.teams.push({ name: team, quota: { cpu: '64', memory: '256Gi', pods: 200 } });
  model.services.push({
    ...structuredClone(template),
    name,
    team,
    ...fields,
    dependencies: { calls: [], publishes: [], consumes: [], database: false, cache: false },
  });
}

/** The release of a service in an environment, created empty when the model has none, to be written into. */
export function releaseOf(model: PlatformModel, environment: string, service: string): ServiceRelease {
  model.releases = model.releases ?? {};
  model.releases[environment] = model.releases[environment] ?? {};
  model.releases[environment][service] = model.releases[environment][service] ?? {};
  return model.releases[environment][service];
}

/**
 * Moves an environment to another region: its availability zones, certificate, admin role and people principals along with it, the
 * ARNs in the region's partition (aws-cdk-lib's RegionInfo, not the model's own rule, decides the partition).
 */
export function moveToRegion(model: PlatformModel, index: number, region: string): void {
  const environment = model.environments[index];
  const partition = RegionInfo.get(region).partition;
  if (partition === undefined) throw new Error(`aws-cdk-lib knows no partition of ${region}`);
  const certificate = environment.edge.certificateArn.split(':');
  environment.edge.certificateArn = ['arn', partition, 'acm', region, ...certificate.slice(4)].join(':');
  const inPartition = (arn: string) => ['arn', partition, ...arn.split(':').slice(2)].join(':');
  environment.cluster.adminRoleArn = inPartition(environment.cluster.adminRoleArn);
  mapPrincipals(environment, inPartition);
  environment.availabilityZones = environment.availabilityZones.map((zone) => `${region}${zone.slice(-1)}`);
  environment.region = region;
  const replication = environment.database.backupReplication;
  if (replication) {
    // Backups are copied to another region of the same partition.
    const target = RegionInfo.regions
      .filter(
        (info) => info.partition === partition && info.name !== region && /^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(info.name),
      )
      .map((info) => info.name)
      .sort()[0];
    const key = replication.kmsKeyArn.split(':');
    environment.database.backupReplication = {
      region: target,
      kmsKeyArn: ['arn', partition, 'kms', target, ...key.slice(4)].join(':'),
    };
  }
}

/** The context that holds the availability zones of every environment of the model, as cdk.json would. */
export function contextWithZonesOf(model: PlatformModel): DeploymentContext {
  return {
    ...PROJECT_CONTEXT,
    ...Object.fromEntries(
      model.environments.map((environment) => [availabilityZoneContextKey(environment), environment.availabilityZones]),
    ),
  };
}

/**
 * The model with at least `count` environments: an environment is added, where it has fewer, as a copy of the first
 * under a new name, with its own folder, GitOps branch, domain and alarm topic.
 */
export function withEnvironments(model: PlatformModel, count: number): PlatformModel {
  const [first] = model.environments;
  for (let n = model.environments.length; n < count; n += 1) {
    const name = `${first.name}${n + 1}`;
    model.environments.push({
      ...structuredClone(first),
      name,
      // A branch of its own where the first names one (a loaded model): only the first may track the protected one.
      gitops: {
        ...first.gitops,
        path: `dist/${name}`,
        ...(first.gitops.targetRevision === undefined ? {} : { targetRevision: `deploy/${name}` }),
      },
      edge: { ...first.edge, domain: `${name}.${first.edge.domain}` },
      alarmTopicName: `${first.alarmTopicName}-${n + 1}`,
    });
  }
  return model;
}

/** Rewrites each people principal pattern of the environment (`access`). */
export function mapPrincipals(environment: PlatformModel['environments'][number], map: (arn: string) => string): void {
  const access = environment.access;
  if (!access) return;
  if (access.teams) {
    access.teams = Object.fromEntries(
      Object.entries(access.teams).map(([team, patterns]) => [team, patterns.map(map)]),
    );
  }
  if (access.readOnly) access.readOnly = access.readOnly.map(map);
}

/**
 * Gives the environment another edge domain, and its hosted zone (if any) that name, so the zone still holds the
 * domain (dns-rules.ts) and a test of edge routing sees only the problem it is about.
 */
export function setEdgeDomain(environment: PlatformModel['environments'][number], domain: string): void {
  environment.edge.domain = domain;
  if (environment.edge.hostedZone) environment.edge.hostedZone = { ...environment.edge.hostedZone, name: domain };
}
