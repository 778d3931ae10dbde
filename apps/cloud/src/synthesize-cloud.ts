import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addComplianceChecks } from '@platform/aws-platform';
import { counted, environmentStackIds, type PlatformModel, UserError } from '@platform/model';
import { App, Validations } from 'aws-cdk-lib';
import { type CloudAssembly, VALIDATION_REPORT_FILE } from 'aws-cdk-lib/cx-api';
import { cdkCliSettings } from './cdk-cli-context';
import { buildCloudApp } from './cloud-app';
import { CachedCloudFormationValidatePlugin, TEMPLATE_VALIDATION_CACHE } from './template-validation-cache';

/** The CDK app synthesized: every stack's template, and which stacks belong to which environment. */
export interface SynthesizedTemplates {
  /** Each stack's template as the CDK wrote it (pretty JSON, the CDK's key order), by stack construct ID. */
  readonly templates: ReadonlyMap<string, string>;
  /** The construct IDs of each environment's stacks, by environment name; shared stacks belong to none. */
  readonly stacksByEnvironment: ReadonlyMap<string, readonly string[]>;
  /** Warnings the constructs attached (e.g. the Kubernetes version's support ending), one line each. */
  readonly warnings: readonly string[];
}

export interface SynthesizeTemplatesOptions {
  /** The folder holding cdk.json, whose context is used as `cdk synth` uses it. */
  readonly root: string;
  /** Where the cloud assembly (templates and staged assets) is written. */
  readonly outdir: string;
}

/**
 * Builds the CDK app of a model and synthesizes it in this process, as `cdk synth` would with cdk.json
 * (see cdk-cli-context.ts), cdk-nag's checks included. One process, so the cloud and the cluster half
 * are rendered from the same model object. Like the CLI, it reports what the validation plugins found
 * (cdk-nag, aws-cdk-lib's CloudFormation rules, construct annotations): a finding of severity error
 * throws a UserError listing every one, a warning is returned.
 */
export function synthesizeTemplates(model: PlatformModel, options: SynthesizeTemplatesOptions): SynthesizedTemplates {
  const { context } = cdkCliSettings(options.root);
  const app = new App({ outdir: options.outdir, context });
  const cloud = buildCloudApp(app, model);
  addComplianceChecks(app);
  // aws-cdk-lib's own CloudFormation validation, as it runs unless CDK_VALIDATION=false, with each template's
  // findings cached: a template validated before is not validated again (template-validation-cache.ts).
  if (process.env.CDK_VALIDATION !== 'false') {
    Validations.of(app).addPlugins(
      new CachedCloudFormationValidatePlugin(join(options.root, TEMPLATE_VALIDATION_CACHE)),
    );
  }
  const assembly = app.synth();
  const found = assemblyFindings(assembly);
  const errors = found.filter((finding) => finding.error).map((finding) => finding.text);
  if (errors.length > 0) {
    throw new UserError(
      `The CDK app reported ${counted(errors.length, 'error')}; nothing was written:\n${errors.join('\n')}`,
    );
  }
  const templates = new Map<string, string>();
  for (const stack of assembly.stacks) {
    templates.set(stack.id, readFileSync(join(assembly.directory, stack.templateFile), 'utf8'));
  }
  return {
    templates,
    // From the model, as the deploy workflow and dist-changes list them: a service's and a queue's stacks included.
    stacksByEnvironment: new Map(
      [...cloud.environments.keys()].map((name) => [name, environmentStackIds(model, name)]),
    ),
    warnings: found.filter((finding) => !finding.error).map((finding) => finding.text),
  };
}

export interface Finding {
  readonly error: boolean;
  /** `[Error at /construct/path] rule: description`, the CLI's form. */
  readonly text: string;
}

/** The part of the validation report (aws-cdk-lib cx-api VALIDATION_REPORT_FILE, report version 55) read here. */
interface ValidationReport {
  readonly pluginReports: readonly {
    readonly pluginName: string;
    readonly conclusion: 'success' | 'failure';
    readonly violations: readonly {
      readonly ruleName: string;
      readonly description: string;
      readonly severity?: string;
      readonly ruleMetadata?: Record<string, string>;
      readonly violatingConstructs?: readonly { readonly constructPath: string }[];
    }[];
  }[];
}

/**
 * What `cdk synth` would report: the construct annotations (errors and warnings on the stacks) and the
 * validation plugins' violations from the assembly's report, which aws-cdk-lib writes instead of
 * throwing because the CLI's context turns @aws-cdk/core:failSynthOnValidationErrors off. Annotations
 * the report repeats (its "Construct Annotations" plugin) are taken from the stacks only.
 */
export function assemblyFindings(assembly: CloudAssembly): Finding[] {
  const annotations = assembly.stacks.flatMap((stack) =>
    stack.messages
      .filter((message) => message.level !== 'info')
      .map((message) => ({
        error: message.level === 'error',
        text: `[${message.level === 'error' ? 'Error' : 'Warning'} at ${message.id}] ${String(message.entry.data)}`,
      })),
  );
  const reportFile = join(assembly.directory, VALIDATION_REPORT_FILE);
  const report: ValidationReport = existsSync(reportFile)
    ? JSON.parse(readFileSync(reportFile, 'utf8'))
    : { pluginReports: [] };
  const violations = report.pluginReports.flatMap((plugin) => {
    const own = plugin.violations.filter((violation) => violation.severity !== 'info');
    const isError = (severity?: string) => severity !== 'warning';
    const found = own
      .filter((violation) => violation.ruleMetadata?.['cdk:annotation'] !== 'true')
      .flatMap((violation) =>
        (violation.violatingConstructs ?? [{ constructPath: '' }]).map((construct) => ({
          error: isError(violation.severity),
          text: `[${isError(violation.severity) ? 'Error' : 'Warning'} at /${construct.constructPath}] ${violation.ruleName}: ${violation.description}`,
        })),
      );
    // A failed plugin that names no error of its own still fails the synthesis.
    const silentFailure = plugin.conclusion === 'failure' && !own.some((violation) => isError(violation.severity));
    return silentFailure ? [...found, { error: true, text: `[Error] ${plugin.pluginName} reported a failure` }] : found;
  });
  return [...annotations, ...violations];
}
