import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** cdk.json as far as synthesis reads it. */
interface CdkJson {
  readonly output?: string;
  readonly context?: Record<string, unknown>;
  readonly pathMetadata?: boolean;
  readonly assetMetadata?: boolean;
  readonly versionReporting?: boolean;
  readonly staging?: boolean;
  readonly bundlingStacks?: string[];
}

/** What `cdk synth` in `root` gives the app: its context and the assembly folder. */
export interface CdkCliSettings {
  readonly context: Record<string, unknown>;
  /** The assembly folder, relative to root (cdk.json "output", default cdk.out). */
  readonly output: string;
}

/**
 * The context the CDK CLI passes to the app when `cdk synth` runs in `root`, so that synthesizing in
 * process gives the templates `cdk synth` and `cdk deploy` give. Facts from aws-cdk 2.1148.1:
 * - the context bags in order of precedence (lib/cli/user-configuration: command line, cdk.json
 *   "context", cdk.context.json, then ~/.cdk.json, which is outside the clone and not read here);
 * - the keys derived from cdk.json settings (@aws-cdk/toolkit-lib, api/cloud-assembly/environment.ts,
 *   contextFromSettings): path and asset metadata on unless turned off, version reporting, asset
 *   staging, the stacks to bundle, and `@aws-cdk/core:failSynthOnValidationErrors` off: the caller
 *   reads the validation report and decides (synthesize-cloud.ts does what the CLI does).
 * test/pipeline/cdk-cli-context.test.ts compares this with what the installed CLI gives an app.
 */
export function cdkCliSettings(root: string): CdkCliSettings {
  const cdkJson = JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')) as CdkJson;
  const contextFile = join(root, 'cdk.context.json');
  const cached = existsSync(contextFile)
    ? (JSON.parse(readFileSync(contextFile, 'utf8')) as Record<string, unknown>)
    : {};
  const context: Record<string, unknown> = { ...cached, ...cdkJson.context };
  if (cdkJson.pathMetadata ?? true) context['aws:cdk:enable-path-metadata'] = true;
  if (cdkJson.assetMetadata ?? true) context['aws:cdk:enable-asset-metadata'] = true;
  if (cdkJson.versionReporting ?? true) context['aws:cdk:version-reporting'] = true;
  else context['aws:cdk:disable-version-reporting'] = true;
  if (!(cdkJson.staging ?? true)) context['aws:cdk:disable-asset-staging'] = true;
  context['aws:cdk:bundling-stacks'] = cdkJson.bundlingStacks ?? ['**'];
  context['@aws-cdk/core:failSynthOnValidationErrors'] = false;
  return { context, output: cdkJson.output ?? 'cdk.out' };
}
