import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { tempDir } from './temp-dirs';

const committedContext = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context as Record<
  string,
  unknown
>;

export interface TestCdkAppOptions {
  /**
   * Runs aws-cdk-lib's built-in CloudFormation template validation at synthesis (App
   * builtinCloudFormationValidation, aws-cdk-lib 2.276.0). It changes no template and takes about two
   * thirds of a synthesis (its engine alone about 4 s to start), so tests run it where it is the subject:
   * template-validation-cache.test.ts; `pnpm synth` and `pnpm synth:check` always run it (on templates not validated
   * before: apps/cloud/src/template-validation-cache.ts).
   * @default false
   */
  readonly cloudFormationValidation?: boolean;
}

/**
 * A CDK app as `cdk synth` would build it from cdk.json, for tests: same context, asset staging off
 * (each staged copy of the kubectl layer is ~56 MB), output in a temp dir removed after the test file.
 */
export function testCdkApp(context: Record<string, unknown> = {}, options: TestCdkAppOptions = {}): App {
  return new App({
    outdir: tempDir('platform-cdk-'),
    context: { ...committedContext, 'aws:cdk:disable-asset-staging': true, ...context },
    builtinCloudFormationValidation: options.cloudFormationValidation ?? false,
  });
}
