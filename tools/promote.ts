/**
 * Promotes a service's image from one environment to another: writes the image the first environment runs into
 * the second's release (packages/platform-model/src/data/releases.json), then synthesizes that environment.
 * Only the target environment's outputs change. `pnpm promote --help` lists the options.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runEntryPoint, UsageError, UserError } from '@platform/model/entry-point';
import { helpText, parseCommandLine } from './command-line';

const ROOT = join(__dirname, '..');
/** The data file of the model's `releases`, below the repository's root; the one file this command writes. */
const RELEASES_FILE = join('packages', 'platform-model', 'src', 'data', 'releases.json');

/** The command's name, summary, argument and options, as `--help` prints them. */
export const PROMOTE = {
  command: 'pnpm promote',
  summary:
    "Writes the image <service> runs in the --from environment into the --to environment's release\n" +
    '(packages/platform-model/src/data/releases.json), then synthesizes the --to environment.',
  arguments: ['service'],
  options: {
    from: { type: 'string', placeholder: 'ENV', description: 'the environment whose image is promoted (required)' },
    to: { type: 'string', placeholder: 'ENV', description: 'the environment that gets it (required)' },
  },
} as const;

/**
 * The command: `args` as after `pnpm promote`. Promotes in the model the @platform/model package loads (when run
 * as the script, the one below `root`), writes releases.json below `root` (default this repository's root) and
 * runs that root's tools/synth.ts. Prints to stdout; throws UsageError for a command line it refuses, UserError
 * for an unknown service or environment or a failed synth, which runEntryPoint turns into exit codes 2 and 1.
 */
export async function promote(args: readonly string[], root: string = ROOT): Promise<void> {
  const { help, values, positionals } = parseCommandLine(PROMOTE, args);
  if (help) {
    process.stdout.write(helpText(PROMOTE));
    return;
  }
  const { from, to } = values;
  if (!from || !to) throw new UsageError(`${PROMOTE.command}: --from ENV and --to ENV are required`);
  const [service] = positionals;
  // Loaded only now: these load the model data, whose syntax errors runEntryPoint reports.
  const { loadModel, loadPlatformModel, promoteRelease, releasesFileText, servicesIn } = await import(
    '@platform/model'
  );
  const model = loadPlatformModel();
  const tagIn = (candidate: typeof model, environment: string) =>
    servicesIn(candidate, environment).find((entry) => entry.name === service)?.image.tag;
  const releases = promoteRelease(model, service, from, to);
  const [before, after] = [tagIn(model, to), tagIn({ ...model, releases }, to)];
  if (before === after) {
    process.stdout.write(`${to} already runs ${service} ${after}; nothing to promote\n`);
    return;
  }
  // The whole model must stay valid before anything is written.
  loadModel({ ...structuredClone(model), releases });
  writeFileSync(join(root, RELEASES_FILE), releasesFileText(releases));
  process.stdout.write(`${service}: ${to} ${before} → ${after} (from ${from}); releases.json written\n`);
  const synth = spawnSync(process.execPath, [...process.execArgv, join(root, 'tools', 'synth.ts'), '--env', to], {
    cwd: root,
    stdio: 'inherit',
  });
  if (synth.status !== 0) {
    throw new UserError(`The synth of ${to} failed; releases.json is written, dist/ is as it was: run 'pnpm synth'`);
  }
}

// Run as a script (`pnpm promote`), not when a test imports the command.
if (require.main === module) runEntryPoint(() => promote(process.argv.slice(2)));
