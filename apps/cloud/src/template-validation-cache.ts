import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  CloudFormationValidatePlugin,
  type IPolicyValidationContext,
  type PolicyValidationPluginReport,
  type PolicyValidationStack,
  type PolicyViolatingResource,
  type PolicyViolation,
} from 'aws-cdk-lib';

/** The folder of the cached results below a repository's root: git-ignored, and gone with a fresh install. */
export const TEMPLATE_VALIDATION_CACHE = join('node_modules', '.cache', 'platform-synth', 'cloudformation-validate');

/** One finding of a template, as the plugin reports it before findings of several templates are merged. */
interface Entry {
  readonly ruleName: string;
  readonly description: string;
  readonly severity?: string;
  readonly fix?: string;
  readonly ruleMetadata?: Record<string, string>;
  /** The resource, without its template path (the assembly's folder differs from run to run). */
  readonly resource: Omit<PolicyViolatingResource, 'templatePath'>;
}

/**
 * aws-cdk-lib's built-in CloudFormation validation (CloudFormationValidatePlugin: the @aws/cloudformation-validate
 * engine, a WebAssembly module that takes about a second to compile and more to start with its rules), with each
 * template's findings kept on disk under the hash of everything they depend on: the template's text, its stack's
 * construct path, account and region, and the versions of aws-cdk-lib (which fixes the engine's options and rules)
 * and of the engine. A template seen before is not validated again; when none is new, the engine is not even loaded.
 *
 * The result equals the plugin's own: the engine validates template by template, so a template's findings depend on
 * that template alone, and the cached findings are merged in the plugin's order (template by template, a rule with
 * the same description and severity collecting its resources). Being a CloudFormationValidatePlugin, it replaces the
 * built-in one (aws-cdk-lib registers its own only when the app holds none) and is trusted like it; acknowledgements
 * and the validation report are aws-cdk-lib's as before.
 */
export class CachedCloudFormationValidatePlugin extends CloudFormationValidatePlugin {
  private readonly cacheDirectory: string;
  private readonly versions: string;
  private readonly engineVersion: string;

  /** @param cacheDirectory where results are kept, one small JSON file per template version */
  public constructor(cacheDirectory: string) {
    super();
    this.cacheDirectory = cacheDirectory;
    // Read from the package files: the engine's own version() would load the WebAssembly module.
    const cdkLib = dirname(require.resolve('aws-cdk-lib/package.json'));
    const packageVersion = (path: string) => (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
    this.engineVersion = packageVersion(
      require.resolve('@aws/cloudformation-validate/package.json', { paths: [cdkLib] }),
    );
    this.versions = `aws-cdk-lib ${packageVersion(join(cdkLib, 'package.json'))}, engine ${this.engineVersion}`;
  }

  public override get version(): string {
    return this.engineVersion;
  }

  public override get ruleIds(): string[] {
    return [this.engineVersion];
  }

  public override validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const stacks = context.stackTemplates.map((stack) => {
      const key = this.key(stack);
      return { stack, key, entries: this.read(key) };
    });
    const missing = stacks.filter((stack) => stack.entries === undefined);
    if (missing.length > 0) {
      const report = super.validate({
        ...context,
        templatePaths: missing.map(({ stack }) => stack.templatePath),
        stackTemplates: missing.map(({ stack }) => stack),
      });
      for (const stack of missing) {
        stack.entries = entriesOf(report, stack.stack.templatePath);
        this.write(stack.key, stack.entries);
      }
    }
    return merge(stacks.map(({ stack, entries }) => ({ templatePath: stack.templatePath, entries: entries ?? [] })));
  }

  private key(stack: PolicyValidationStack): string {
    const hash = createHash('sha256');
    for (const part of [this.versions, stack.stackConstructPath, stack.accountId ?? '', stack.region ?? '']) {
      hash.update(part).update('\0');
    }
    hash.update(readFileSync(stack.templatePath));
    return hash.digest('hex');
  }

  private read(key: string): Entry[] | undefined {
    try {
      return JSON.parse(readFileSync(join(this.cacheDirectory, `${key}.json`), 'utf8')) as Entry[];
    } catch {
      return undefined;
    }
  }

  private write(key: string, entries: readonly Entry[]): void {
    try {
      mkdirSync(this.cacheDirectory, { recursive: true });
      // Written aside and renamed, so a run alongside never reads half a file.
      const partial = join(this.cacheDirectory, `${key}.json.${process.pid}`);
      writeFileSync(partial, JSON.stringify(entries));
      renameSync(partial, join(this.cacheDirectory, `${key}.json`));
    } catch {
      // A cache that cannot be written costs the next run time, never a finding.
    }
  }
}

/** One template's findings in a report of several, in the report's order. */
function entriesOf(report: PolicyValidationPluginReport, templatePath: string): Entry[] {
  return report.violations.flatMap((violation) =>
    violation.violatingResources
      .filter((resource) => resource.templatePath === templatePath)
      .map(({ templatePath: _, ...resource }) => ({
        ruleName: violation.ruleName,
        description: violation.description,
        severity: violation.severity,
        fix: violation.fix,
        ruleMetadata: violation.ruleMetadata,
        resource,
      })),
  );
}

/** The report of several templates, merged as CloudFormationValidatePlugin.validate merges its diagnostics. */
function merge(
  templates: readonly { templatePath: string; entries: readonly Entry[] }[],
): PolicyValidationPluginReport {
  const violations: (PolicyViolation & { violatingResources: PolicyViolatingResource[] })[] = [];
  for (const { templatePath, entries } of templates) {
    for (const entry of entries) {
      const resource = { ...entry.resource, templatePath };
      const existing = violations.find(
        (violation) =>
          violation.ruleName === entry.ruleName &&
          violation.severity === entry.severity &&
          violation.description === entry.description,
      );
      if (existing) existing.violatingResources.push(resource);
      else {
        violations.push({
          ruleName: entry.ruleName,
          description: entry.description,
          severity: entry.severity,
          fix: entry.fix,
          violatingResources: [resource],
          ruleMetadata: entry.ruleMetadata,
        });
      }
    }
  }
  return {
    success: violations.every((violation) => violation.severity !== 'error' && violation.severity !== 'fatal'),
    violations,
  };
}
