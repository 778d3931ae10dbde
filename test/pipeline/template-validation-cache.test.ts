import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CfnResource, CloudFormationValidatePlugin, Stack, Validations } from 'aws-cdk-lib';
import { VALIDATION_REPORT_FILE } from 'aws-cdk-lib/cx-api';
import { CachedCloudFormationValidatePlugin } from '../../apps/cloud/src/template-validation-cache';
import { testCdkApp } from '../support/cdk-app';
import { tempDir } from '../support/temp-dirs';

/**
 * `pnpm synth` validates templates with CachedCloudFormationValidatePlugin: aws-cdk-lib's own CloudFormation
 * validation, each template's findings cached under a hash of the template. What it reports must be what the
 * built-in plugin reports, from an empty cache and from a filled one, and a changed template must be validated
 * again. Small stacks with known findings: an error (a queue's retention below CloudFormation's minimum, F3034) and
 * findings of subnets (hard-coded availability zones, W3010; a VPC ID of the wrong form, E1151) in two stacks, so
 * that the report merges one rule's resources across templates.
 */

type Write = (stack: Stack) => void;

/** A queue whose MessageRetentionPeriod CloudFormation refuses (60 to 1209600 seconds). */
const badQueue =
  (retention: number): Write =>
  (stack) =>
    new CfnResource(stack, 'Queue', { type: 'AWS::SQS::Queue', properties: { MessageRetentionPeriod: retention } });

/** A subnet in a hard-coded availability zone. */
const subnet =
  (zone: string): Write =>
  (stack) =>
    new CfnResource(stack, `Subnet-${zone}`, {
      type: 'AWS::EC2::Subnet',
      properties: { VpcId: 'vpc-1', CidrBlock: '10.0.0.0/24', AvailabilityZone: zone },
    });

/** The CloudFormation validation's part of the assembly's validation report, with the plugin as given. */
function report(stacks: Record<string, Write[]>, plugin?: CachedCloudFormationValidatePlugin): unknown {
  // The report is written and read here rather than thrown, as `pnpm synth` reads it (cdk-cli-context.ts).
  const app = testCdkApp(
    { '@aws-cdk/core:failSynthOnValidationErrors': false },
    { cloudFormationValidation: plugin === undefined },
  );
  for (const [id, writes] of Object.entries(stacks)) {
    const stack = new Stack(app, id, { env: { account: '111111111111', region: 'us-east-1' } });
    for (const write of writes) write(stack);
  }
  if (plugin) Validations.of(app).addPlugins(plugin);
  const assembly = app.synth();
  const { pluginReports } = JSON.parse(readFileSync(join(assembly.directory, VALIDATION_REPORT_FILE), 'utf8')) as {
    pluginReports: { pluginName: string }[];
  };
  const reports = pluginReports.filter((entry) => entry.pluginName === CloudFormationValidatePlugin.PLUGIN_NAME);
  expect(reports).toHaveLength(1);
  // Without the call sites that created the constructs, which are this file's lines and differ between the calls.
  return JSON.parse(JSON.stringify(reports[0], (key, value) => (key === 'stackTraces' ? undefined : value)));
}

const STACKS = {
  first: [badQueue(10), subnet('us-east-1a'), subnet('us-east-1b')],
  second: [subnet('us-east-1a')],
  clean: [(stack: Stack) => new CfnResource(stack, 'Topic', { type: 'AWS::SNS::Topic' })],
};

// One cache and one plugin for the tests below, in order: each engine the plugins start costs seconds.
const cache = tempDir('platform-validation-cache-');
const plugin = new CachedCloudFormationValidatePlugin(cache);
let validate: jest.SpiedFunction<CloudFormationValidatePlugin['validate']>;
beforeEach(() => {
  validate = jest.spyOn(CloudFormationValidatePlugin.prototype, 'validate');
});
afterEach(() => validate.mockRestore());

/** The stacks validated by the built-in plugin's code since the last call, by construct path. */
function validatedStacks(): string[][] {
  const stacks = validate.mock.calls.map(([context]) =>
    context.stackTemplates.map((stack) => stack.stackConstructPath),
  );
  validate.mockClear();
  return stacks;
}

test('from an empty cache and a filled one, the report is the built-in validation’s; a hit loads no engine', () => {
  const builtin = report(STACKS);
  validate.mockClear();
  // The findings this test is about are there.
  const text = JSON.stringify(builtin);
  for (const rule of ['F3034', 'W3010', 'E1151']) expect(text).toContain(`"ruleName":"${rule}"`);
  expect(text).toContain('"templatePath":"second.template.json"');
  expect(builtin).toMatchObject({ conclusion: 'failure' });

  expect(report(STACKS, plugin)).toEqual(builtin);
  expect(validatedStacks()).toEqual([['clean', 'first', 'second']]);
  // A new plugin, as the next `pnpm synth` makes: every template is in the cache.
  expect(report(STACKS, new CachedCloudFormationValidatePlugin(cache))).toEqual(builtin);
  expect(validatedStacks()).toEqual([]);
});

test('a changed template is validated again, alone, and reports its new findings', () => {
  const changed = { ...STACKS, first: [badQueue(20), subnet('us-east-1a')] };
  const builtin = report(changed);
  validate.mockClear();
  const cached = report(changed, plugin);
  expect(cached).toEqual(builtin);
  expect(JSON.stringify(cached)).toContain('MessageRetentionPeriod: 20');
  expect(validatedStacks()).toEqual([['first']]);
});

test('the same template text in another stack is validated again: its findings name that stack', () => {
  const builtin = report({ renamed: STACKS.second });
  validate.mockClear();
  expect(report({ renamed: STACKS.second }, plugin)).toEqual(builtin);
  expect(validatedStacks()).toEqual([['renamed']]);
});
