import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addComplianceChecks } from '@platform/aws-platform';
import { EnvironmentNaming, loadPlatformModel, type PlatformModel } from '@platform/model';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { buildCloudApp, type CloudApp, TODAY_CONTEXT_KEY } from '../../apps/cloud/src/cloud-app';
import type { Templates } from '../properties/support/aws-invariants';
import { testCdkApp } from '../support/cdk-app';

/** The day the shipped model is judged on in tests, so support warnings do not depend on the clock. */
export const TEST_TODAY = '2026-11-22';

/** The environments the model defines, in its order. */
export const MODEL_ENVIRONMENTS: readonly string[] = loadPlatformModel().environments.map(
  (environment) => environment.name,
);

type ModelEnvironment = PlatformModel['environments'][number];

/** A model's templates: what tests of the templates alone read, from a synthesis or from dist/cloudformation/. */
export interface CloudTemplates {
  readonly model: PlatformModel;
  /** The template of a stack by its construct ID, e.g. `dev-cluster`; a missing stack fails the test here. */
  template(stackId: string): Template;
  /**
   * The resources of several stacks as one template (`combinedTemplate`), e.g. every service stack of an environment:
   * what one stack held before the catalog's resources got a stack each.
   */
  combined(stackIds: readonly string[], keepFirst?: boolean): Template;
  /** The model's environment with this name; a test of a missing environment fails here. */
  environment(name: string): ModelEnvironment;
  /** The naming contract of the model's environment with this name. */
  naming(name: string): EnvironmentNaming;
}

export interface SynthesizedCloud extends CloudTemplates {
  readonly cloud: CloudApp;
  readonly assembly: CloudAssembly;
}

/** dist/cloudformation/: every stack's template as `pnpm synth` writes it, `<stack construct ID>.template.json`. */
export const CLOUDFORMATION_DIST = join(__dirname, '..', '..', 'dist', 'cloudformation');

/**
 * The shipped model's templates as `pnpm synth` wrote them to dist/cloudformation/, for tests that read templates
 * only: the test command runs `pnpm synth:check` before jest, which fails unless they are what the model gives now,
 * so reading them tests what a synthesis here would (the same templates, plus the aws:cdk:path and asset metadata
 * the CLI's context adds) without synthesizing the whole cloud app once more per test file.
 */
/**
 * The shipped model's templates as `pnpm synth` committed them (`pnpm synth:check` proves them fresh), as
 * [stack id, template] pairs in file-name order.
 */
export function committedTemplates(): [string, unknown][] {
  const suffix = '.template.json';
  return readdirSync(CLOUDFORMATION_DIST)
    .filter((file) => file.endsWith(suffix))
    .sort()
    .map((file) => [file.slice(0, -suffix.length), JSON.parse(readFileSync(join(CLOUDFORMATION_DIST, file), 'utf8'))]);
}

/** The committed templates (`pnpm synth:check` proves them fresh) in the shape the property checks read. */
export function shippedTemplates(): Templates {
  return {
    byStack: new Map(
      committedTemplates().map(([id, template]) => [
        id,
        { stackName: id, resources: (template as { Resources: Record<string, never> }).Resources },
      ]),
    ),
  } as Templates;
}

export function shippedCloud(): CloudTemplates {
  const model = loadPlatformModel();
  const templates = new Map<string, Template>();
  return {
    model,
    template(stackId) {
      let template = templates.get(stackId);
      if (!template) {
        const text = readFileSync(join(CLOUDFORMATION_DIST, `${stackId}.template.json`), 'utf8');
        template = Template.fromJSON(JSON.parse(text));
        templates.set(stackId, template);
      }
      return template;
    },
    combined(stackIds, keepFirst = true) {
      return combinedTemplate(
        stackIds.map((id) => [id, this.template(id).toJSON()]),
        keepFirst,
      );
    },
    environment: (name) => environmentOf(model, name),
    naming: (name) => new EnvironmentNaming(model.organization, environmentOf(model, name)),
  };
}

export interface SynthesizeOptions {
  readonly model?: PlatformModel;
  readonly context?: Record<string, unknown>;
  /** Runs cdk-nag's AwsSolutionsChecks on every stack; synthesis throws on an unacknowledged finding. */
  readonly nag?: boolean;
  /** Runs aws-cdk-lib's built-in CloudFormation validation (see testCdkApp). @default false */
  readonly cloudFormationValidation?: boolean;
}

/** Builds and synthesizes the whole cloud app once; templates are read from the assembly, not re-synthesized. */
export function synthesizeCloud(options: SynthesizeOptions = {}): SynthesizedCloud {
  const model = options.model ?? loadPlatformModel();
  const app = testCdkApp(
    { [TODAY_CONTEXT_KEY]: TEST_TODAY, ...options.context },
    { cloudFormationValidation: options.cloudFormationValidation },
  );
  if (options.nag) addComplianceChecks(app);
  const cloud = buildCloudApp(app, model);
  const assembly = app.synth();
  const templates = new Map<string, Template>();
  return {
    model,
    cloud,
    assembly,
    template(stackId) {
      let template = templates.get(stackId);
      if (!template) {
        template = Template.fromJSON(assembly.getStackArtifact(stackId).template);
        templates.set(stackId, template);
      }
      return template;
    },
    combined(stackIds, keepFirst = true) {
      return combinedTemplate(
        stackIds.map((id) => [id, this.template(id).toJSON()]),
        keepFirst,
      );
    },
    environment: (name) => environmentOf(model, name),
    naming: (name) => new EnvironmentNaming(model.organization, environmentOf(model, name)),
  };
}

// biome-ignore lint/suspicious/noExplicitAny: templates are walked as plain JSON.
type Json = any;

/**
 * The resources of several templates in one: the first template's logical IDs stay (unless `keepFirst` is false),
 * every other template's get its
 * stack ID (letters and digits only) in front, e.g. `devserviceorderservicePostgresInstance…`, and so do the Ref,
 * Fn::GetAtt, Fn::Sub and DependsOn that name them, so references keep pointing at the same resource.
 */
export function combinedTemplate(templates: readonly [string, Json][], keepFirst = true): Template {
  const resources: Record<string, Json> = {};
  templates.forEach(([stackId, template], index) => {
    const own = template.Resources ?? {};
    const prefix = index === 0 && keepFirst ? '' : stackId.replace(/[^A-Za-z0-9]/g, '');
    const rename = (id: string) => (id in own ? `${prefix}${id}` : id);
    const walk = (node: Json): Json => {
      if (Array.isArray(node)) return node.map(walk);
      if (!node || typeof node !== 'object') return node;
      return Object.fromEntries(
        Object.entries(node).map(([key, value]) => {
          if (key === 'Ref' && typeof value === 'string') return [key, rename(value)];
          if (key === 'Fn::GetAtt' && Array.isArray(value)) return [key, [rename(value[0]), ...value.slice(1)]];
          if (key === 'Fn::Sub') {
            const sub = (text: string) => text.replace(/\$\{([^}!.]+)/g, (_, name) => `\${${rename(name)}`);
            return [key, Array.isArray(value) ? [sub(value[0]), walk(value[1])] : sub(String(value))];
          }
          return [key, walk(value)];
        }),
      );
    };
    for (const [id, resource] of Object.entries(own)) {
      const renamed = walk(resource);
      if (renamed.DependsOn) renamed.DependsOn = [renamed.DependsOn].flat().map(rename);
      resources[rename(id)] = renamed;
    }
  });
  return Template.fromJSON({ Resources: resources });
}

/** A copy of the shipped model with one environment changed. */
export function modelWithEnvironment(
  environmentName: string,
  change: (environment: ModelEnvironment) => ModelEnvironment,
): PlatformModel {
  const model = loadPlatformModel();
  return {
    ...model,
    environments: model.environments.map((environment) =>
      environment.name === environmentName ? change(structuredClone(environment)) : environment,
    ),
  };
}

/** Resources of one type in a template, by logical ID. */
export function resourcesOfType(
  template: Template,
  type: string,
): Record<string, { Properties: Record<string, unknown>; [key: string]: unknown }> {
  return template.findResources(type) as Record<string, { Properties: Record<string, unknown> }>;
}

/** The environment of the model with this name; a test of a missing environment fails here. */
export function environmentOf(model: PlatformModel, name: string): ModelEnvironment {
  const environment = model.environments.find((candidate) => candidate.name === name);
  if (!environment) throw new Error(`the model has no environment '${name}'`);
  return environment;
}
