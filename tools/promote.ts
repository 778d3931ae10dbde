/**
 * Promotes a service's image from one environment to another: writes the image the first environment runs into
 * the second's release (packages/platform-model/src/data/releases.json), then synthesizes. Only the target
 * environment's outputs change.
 *
 *   tsx tools/promote.ts <service> --from <environment> --to <environment>
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  exitOnUserError,
  loadModel,
  loadPlatformModel,
  type PlatformModel,
  type Releases,
  servicesIn,
  UserError,
} from '@platform/model';

const ROOT = join(__dirname, '..');
/** The data file of the model's `releases`; the one file this command writes. */
export const RELEASES_FILE = join(ROOT, 'packages', 'platform-model', 'src', 'data', 'releases.json');

const USAGE = 'usage: pnpm promote <service> --from <environment> --to <environment>';

/** The releases with `service` in `to` running the image it runs in `from`; throws UserError on unknown names. */
export function promotedReleases(model: PlatformModel, service: string, from: string, to: string): Releases {
  const environments = model.environments.map((environment) => environment.name);
  for (const [flag, name] of [
    ['--from', from],
    ['--to', to],
  ] as const) {
    if (!environments.includes(name)) {
      throw new UserError(`${flag}: unknown environment '${name}'; known: ${environments.join(', ')}`);
    }
  }
  if (from === to) throw new UserError('--from and --to name the same environment');
  const catalog = model.services.map((entry) => entry.name);
  if (!catalog.includes(service)) throw new UserError(`unknown service '${service}'; known: ${catalog.join(', ')}`);

  const image = servicesIn(model, from).find((entry) => entry.name === service)?.image;
  const releases = model.releases ?? {};
  const target = { ...releases[to], [service]: { ...releases[to]?.[service], image } };
  // Environments in model order, services in catalog order: the file changes only where the release does.
  return Object.fromEntries(
    environments
      .map((name) => [name, name === to ? target : releases[name]] as const)
      .filter(([, entries]) => entries !== undefined)
      .map(([name, entries]) => [
        name,
        Object.fromEntries(catalog.filter((entry) => entries?.[entry]).map((entry) => [entry, entries?.[entry]])),
      ]),
  );
}

/** The text releases.json holds for these releases (what `JSON.stringify` writes with two-space indents). */
export function releasesFileText(releases: Releases): string {
  return `${JSON.stringify(releases, null, 2)}\n`;
}

function main(): void {
  const { positionals, values } = parseArgs({
    options: { from: { type: 'string' }, to: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (positionals.length !== 1 || !values.from || !values.to) throw new UserError(USAGE);
  const [service] = positionals;
  const model = loadPlatformModel();
  const before = servicesIn(model, values.to).find((entry) => entry.name === service)?.image.tag;
  const releases = promotedReleases(model, service, values.from, values.to);
  const after = servicesIn({ ...model, releases }, values.to).find((entry) => entry.name === service)?.image.tag;
  if (before === after) {
    process.stdout.write(`${values.to} already runs ${service} ${after}; nothing to promote\n`);
    return;
  }
  // The whole model must stay valid before anything is written.
  loadModel({ ...JSON.parse(JSON.stringify(model)), releases });
  const text = releasesFileText(releases);
  if (readFileSync(RELEASES_FILE, 'utf8') !== text) writeFileSync(RELEASES_FILE, text);
  process.stdout.write(`${service}: ${values.to} ${before} → ${after} (from ${values.from})\n`);
  const synth = spawnSync(process.execPath, [...process.execArgv, join(ROOT, 'tools', 'synth.ts')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (synth.status !== 0)
    throw new UserError('The synth after the promotion failed; releases.json is written, dist/ is not');
}

if (require.main === module) exitOnUserError(main);
