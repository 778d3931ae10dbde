import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cdkCliSettings } from '../../apps/cloud/src/cdk-cli-context';
import { REPOSITORY_ROOT } from '../support/repo-copy';
import { tempDir } from '../support/temp-dirs';

/**
 * `pnpm synth` synthesizes the CDK app in process; the templates it commits must be the ones `cdk synth`
 * and `cdk deploy` make. The app sees nothing of the CLI but its context, so the context built here
 * must be the context the installed CLI gives an app in this repository: the CLI runs a stand-in app
 * that records it.
 */
describe('the context of an in-process synthesis', () => {
  it('is what the installed CDK CLI gives the app', () => {
    const scratch = tempDir();
    const recorded = join(scratch, 'context.json');
    const app = join(scratch, 'record-context.js');
    writeFileSync(
      app,
      [
        `require('node:fs').writeFileSync(${JSON.stringify(recorded)}, process.env.CDK_CONTEXT_JSON ?? '{}');`,
        `const { App } = require(${JSON.stringify(require.resolve('aws-cdk-lib'))});`,
        'new App().synth();',
      ].join('\n'),
    );

    const result = spawnSync(
      join(REPOSITORY_ROOT, 'node_modules', '.bin', 'cdk'),
      ['synth', '--app', `${process.execPath} ${app}`, '--output', join(scratch, 'out'), '--no-notices', '--ci'],
      { cwd: REPOSITORY_ROOT, encoding: 'utf8', env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' } },
    );
    const fromCli = JSON.parse(readFileSync(recorded, 'utf8')) as Record<string, unknown>;

    expect(result.stderr).toContain('This app contains no stacks');
    expect(cdkCliSettings(REPOSITORY_ROOT).context).toEqual(fromCli);
  });
});
