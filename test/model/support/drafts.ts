import { join } from 'node:path';
import { type DeploymentContext, type PlatformModel, platformModelInput, type ServiceRelease } from '@platform/model';
import { cdkCliSettings } from '../../../apps/cloud/src/cdk-cli-context';

/** A copy of the shipped model to break; typed as the model, though a test may write anything into it. */
export function draftModel(): PlatformModel {
  return structuredClone(platformModelInput) as PlatformModel;
}

/** The context `pnpm validate` and `pnpm synth` read (cdk.json's). */
export const PROJECT_CONTEXT: DeploymentContext = cdkCliSettings(join(__dirname, '..', '..', '..')).context;

/** Moves an environment to another account, its certificate and admin role along with it. */
export function moveToAccount(model: PlatformModel, index: number, account: string): void {
  const environment = model.environments[index];
  const from = `:${environment.account}:`;
  environment.account = account;
  environment.edge.certificateArn = environment.edge.certificateArn.replace(from, `:${account}:`);
  environment.cluster.adminRoleArn = environment.cluster.adminRoleArn.replace(from, `:${account}:`);
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
  const template = model.services[0];
  const team = `${name}-team`;
  model.teams.push({ name: team, quota: { cpu: '64', memory: '256Gi', pods: 200 } });
  model.services.push({
    ...structuredClone(template),
    name,
    team,
    exposure: 'edge',
    edge,
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
