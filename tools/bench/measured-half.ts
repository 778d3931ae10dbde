/**
 * One half of `pnpm synth` on a model file, in a process of its own so that `pnpm bench` measures it whole (module
 * loading included):
 *
 *   tsx tools/bench/measured-half.ts kubernetes MODEL.json OUTDIR   validate, render, then write and check dist/ in OUTDIR
 *   tsx tools/bench/measured-half.ts cloud MODEL.json OUTDIR        validate, synthesize the CDK app into OUTDIR
 *
 * Prints, as JSON on stdout, what the bench reports besides the process's time: the wall time of its phases (ms,
 * modules loaded before), and the files written or each stack's resources.
 */
import { runEntryPoint, UsageError } from '@platform/model/entry-point';

const ROOT = `${__dirname}/../..`;

runEntryPoint(async () => {
  const [half, modelFile, outdir] = process.argv.slice(2);
  if (!['kubernetes', 'cloud'].includes(half) || !modelFile || !outdir) {
    throw new UsageError('usage: tsx tools/bench/measured-half.ts kubernetes|cloud MODEL.json OUTDIR');
  }
  const { loadModel } = await import('@platform/model');
  const { modelInputFrom } = await import('../model-input.ts');
  const { cdkCliSettings } = await import('../../apps/cloud/src/cdk-cli-context.ts');
  const { isTemplatePath, replaceDistDirectory } = await import('../../apps/cluster/src/dist-directory.ts');
  const { renderDist } = await import('../../apps/cluster/src/synthesize-dist.ts');
  const { synthesizeTemplates } = await import('../../apps/cloud/src/synthesize-cloud.ts');
  const phases: Record<string, number> = {};
  const timed = <T>(phase: string, action: () => T): T => {
    const start = performance.now();
    const result = action();
    phases[phase] = performance.now() - start;
    return result;
  };
  const input = modelInputFrom(modelFile);
  if (half === 'kubernetes') {
    // What synthesizeDist does (the cdk8s app's entry point), a phase at a time.
    const files = timed('render', () => renderDist(loadModel(input)));
    timed('write and check', () => replaceDistDirectory(outdir, files, { keep: isTemplatePath }));
    process.stdout.write(JSON.stringify({ phases, files: files.size }));
    return;
  }
  const model = timed('validate', () => loadModel(input, cdkCliSettings(ROOT).context));
  const { templates } = timed('synthesize', () => synthesizeTemplates(model, { root: ROOT, outdir }));
  const resources = Object.fromEntries(
    [...templates].map(([stack, text]) => [stack, Object.keys(JSON.parse(text).Resources ?? {}).length]),
  );
  process.stdout.write(JSON.stringify({ phases, resources }));
});
