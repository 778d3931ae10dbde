/**
 * One command for every output: validates the model, synthesizes the CDK app into cdk.out/ and the
 * cdk8s app into dist/. dist/ is replaced only when everything before it succeeded.
 *
 *   tsx tools/synth.ts           synthesize cdk.out/ and dist/
 *   tsx tools/synth.ts --check   fail, listing the files, when the committed dist/ is not what the code renders
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { exitOnUserError, loadPlatformModel, UserError } from '@platform/model';
import { DistCheckError, diffAgainstDirectory, replaceDistDirectory } from '../apps/cluster/src/dist-directory';
import { renderDist } from '../apps/cluster/src/synthesize-dist';
import { generatedFileDifferences, renderGeneratedFiles, writeGeneratedFiles } from './generated-files';

const ROOT = join(__dirname, '..');
const DIST = join(ROOT, 'dist');

function synthesizeCloud(): void {
  const cdk = join(ROOT, 'node_modules', '.bin', 'cdk');
  const result = spawnSync(cdk, ['synth', '--quiet', '--no-notices', '--ci'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
  if (result.status !== 0) throw new UserError('The CDK app failed to synthesize; dist/ was left as it was.');
}

function main(): void {
  const check = process.argv.includes('--check');
  const model = loadPlatformModel();
  const files = renderDist(model);
  const generated = renderGeneratedFiles(model, files);
  if (check) {
    const differences = [...diffAgainstDirectory(DIST, files), ...generatedFileDifferences(ROOT, generated)];
    if (differences.length > 0) {
      throw new UserError(
        `dist/ (or a file rendered from it) is not what the code renders (${differences.length} file(s)); run 'pnpm synth' and commit the result:\n${differences.map((d) => `  ${d}`).join('\n')}`,
      );
    }
    process.stdout.write(`dist/ is up to date (${files.size} files)\n`);
    return;
  }
  synthesizeCloud();
  try {
    replaceDistDirectory(DIST, files);
  } catch (error) {
    if (error instanceof DistCheckError) throw new UserError(error.message);
    throw error;
  }
  writeGeneratedFiles(ROOT, generated);
  process.stdout.write(`cdk.out/ synthesized; dist/ written (${files.size} files)\n`);
}

exitOnUserError(main);
