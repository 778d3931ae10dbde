import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { tempDir } from './temp-dirs';

const committedContext = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context as Record<
  string,
  unknown
>;

/**
 * A CDK app as `cdk synth` would build it from cdk.json, for tests: same context, asset staging off
 * (each staged copy of the kubectl layer is ~56 MB), output in a temp dir removed after the test file.
 */
export function testCdkApp(context: Record<string, unknown> = {}): App {
  return new App({
    outdir: tempDir('platform-cdk-'),
    context: { ...committedContext, 'aws:cdk:disable-asset-staging': true, ...context },
  });
}
