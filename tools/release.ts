/**
 * Releases a newly built image of a service to one environment: writes the image reference (a release tag pinned to
 * the digest CI pushed, `<tag>@sha256:<hex>`, or a release tag alone) into that environment's release (packages/platform-model/src/data/releases.json), then
 * synthesizes. The service image workflow runs it for the first environment; later environments get the image by
 * `pnpm promote`. `pnpm release --help` lists the options.
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
export const RELEASE = {
  command: 'pnpm release',
  summary:
    "Writes an image reference of <service> into the --env environment's release\n" +
    "(packages/platform-model/src/data/releases.json), then synthesizes: the environment's outputs change, and the\n" +
    "service's image repository template (shared-services-image-<service>) when the registry's kept images do.",
  arguments: ['service'],
  options: {
    env: { type: 'string', placeholder: 'ENV', description: 'the environment that gets the image (required)' },
    image: {
      type: 'string',
      placeholder: 'REF',
      description:
        "the image: a release tag pinned to the digest CI pushed, '<tag>@sha256:' and 64 hex digits, or a release tag (required)",
    },
  },
} as const;

/**
 * The command: `args` as after `pnpm release`. Writes releases.json below `root` (default this repository's root)
 * only when the whole model with the new release is valid, then runs that root's tools/synth.ts. Prints to stdout;
 * throws UsageError for a command line it refuses, UserError for an unknown service or environment or a failed synth,
 * and ModelValidationError (naming `releases.<env>.<service>.image.tag`) for an image the model refuses.
 */
export async function release(args: readonly string[], root: string = ROOT): Promise<void> {
  const { help, values, positionals } = parseCommandLine(RELEASE, args);
  if (help) {
    process.stdout.write(helpText(RELEASE));
    return;
  }
  const { env, image } = values;
  if (!env || !image) throw new UsageError(`${RELEASE.command}: --env ENV and --image REF are required`);
  const [service] = positionals;
  // Loaded only now: these load the model data, whose syntax errors runEntryPoint reports.
  const { loadModel, loadPlatformModel, releaseImage, releasesFileText, servicesIn } = await import('@platform/model');
  const model = loadPlatformModel();
  const releases = releaseImage(model, service, env, image);
  const before = servicesIn(model, env).find((entry) => entry.name === service)?.image.tag;
  if (before === image) {
    process.stdout.write(`${env} already runs ${service} ${image}; nothing to release\n`);
    return;
  }
  // The whole model must stay valid before anything is written.
  loadModel({ ...structuredClone(model), releases });
  writeFileSync(join(root, RELEASES_FILE), releasesFileText(releases));
  process.stdout.write(`${service}: ${env} ${before} → ${image}; releases.json written\n`);
  // Every output: a new image reference also changes which images the shared registry keeps.
  const synth = spawnSync(process.execPath, [...process.execArgv, join(root, 'tools', 'synth.ts')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (synth.status !== 0) {
    throw new UserError("The synth failed; releases.json is written, dist/ is as it was: run 'pnpm synth'");
  }
}

// Run as a script (`pnpm release`), not when a test imports the command.
if (require.main === module) runEntryPoint(() => release(process.argv.slice(2)));
