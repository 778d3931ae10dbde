import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cidrsOverlap, formatCidr, type PlatformModel, parseCidr } from '@platform/model';
import { DataFileEdit } from './data-file-edit';
import type { RepositoryCopy } from './repository-copy';

/**
 * The everyday changes of the model that `pnpm test:changes` applies, each as a small scripted edit of the
 * data files. Every change picks its targets from the model it is given (the first service, the last
 * environment, a free CIDR, …), so it applies to any valid model, not only the shipped example.
 */
export interface EverydayChange {
  /** Its name on the command line (`--only`). */
  readonly id: string;
  readonly title: string;
  /**
   * Brings the copy to the state the change starts from (e.g. an environment that runs a newer image than the
   * next one, for a promotion); the check synthesizes and commits it as the base. Absent: the copy as it is.
   */
  prepare?(context: ChangeContext): string | undefined;
  /** Makes the change in the copy; returns what it did, in one line. */
  apply(context: ChangeContext): string;
  /** Problems with the files of dist/ the change touched (paths with Git's status letter), if it constrains them. */
  checkOutputs?(changed: readonly string[], context: ChangeContext): string[];
  /** Why the change cannot run on this repository (e.g. the command it needs does not exist); undefined: it can. */
  unavailable?(context: ChangeContext): string | undefined;
}

export interface ChangeContext {
  readonly copy: RepositoryCopy;
  /** The model as written (`platformModelInput`): entries are copied from it. */
  readonly input: ModelInput;
  /** The same model, validated. */
  readonly model: PlatformModel;
}

/** The parts of the written model the changes read; entries are plain objects. */
export interface ModelInput {
  readonly environments: readonly Record<string, unknown>[];
  readonly services: readonly Record<string, unknown>[];
  readonly teams: readonly Record<string, unknown>[];
}

const DATA = join('packages', 'platform-model', 'src', 'data');
const RELEASES = join(DATA, 'releases.json');

function dataFile(context: ChangeContext, name: string): DataFileEdit {
  return new DataFileEdit(join(context.copy.root, DATA, `${name}.ts`));
}

/** Lays the edited files out as `biome format` does (the lint step of the tests checks the layout). */
function format(context: ChangeContext, files: readonly string[]): void {
  const result = context.copy.run(join('node_modules', '.bin', 'biome'), ['format', '--write', ...files]);
  if (!result.ok) throw new Error(`biome format failed after the edit:\n${result.output}`);
}

function entryNamed(list: readonly Record<string, unknown>[], name: string): Record<string, unknown> {
  const entry = list.find((candidate) => candidate.name === name);
  if (!entry) throw new Error(`the model has no entry '${name}'`);
  return entry;
}

/** A name like `base` that the list does not use yet. */
function freeName(base: string, taken: readonly string[]): string {
  for (let index = 1; ; index++) {
    const name = index === 1 ? base : `${base}${index}`;
    if (!taken.includes(name)) return name;
  }
}

/**
 * The tag after the reference's tag (a digest it pins is left out: the new tag names another image): its last number
 * counted up (`1.4.2` → `1.4.3`), or `-1` appended when it has none.
 */
export function nextTag(reference: string): string {
  const tag = reference.split('@')[0];
  const match = /(\d+)(\D*)$/.exec(tag);
  if (!match) return `${tag}-1`;
  return `${tag.slice(0, match.index)}${Number(match[1]) + 1}${match[2]}`;
}

type Releases = Record<string, Record<string, { image?: { tag: string } } & Record<string, unknown>>>;

function readReleases(context: ChangeContext): Releases | undefined {
  const file = join(context.copy.root, RELEASES);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Releases) : undefined;
}

/** Writes releases.json as `pnpm promote` does: JSON with two-space indents. */
function writeReleases(context: ChangeContext, releases: Releases): void {
  writeFileSync(join(context.copy.root, RELEASES), `${JSON.stringify(releases, null, 2)}\n`);
}

/** The image tag a service runs in an environment: its release there, else the catalog's. */
function tagIn(context: ChangeContext, releases: Releases | undefined, environment: string, service: string): string {
  const release = releases?.[environment]?.[service]?.image?.tag;
  return release ?? (entryNamed(context.input.services, service).image as { tag: string }).tag;
}

const bumpTag: EverydayChange = {
  id: 'tag',
  title: 'bump an image tag',
  apply(context) {
    const service = context.model.services[0];
    const tag = nextTag(service.image.tag);
    dataFile(context, 'services')
      .setField('services', service.name, ['image', 'tag'], tag, entryNamed(context.input.services, service.name))
      .write();
    format(context, [join(DATA, 'services.ts')]);
    return `${service.name} image.tag ${service.image.tag} → ${tag} (catalog)`;
  },
};

const changeReplicas: EverydayChange = {
  id: 'replicas',
  title: 'change a replica range',
  apply(context) {
    const service = context.model.services[0];
    const replicas = { min: service.replicas.min + 1, max: service.replicas.max + 2 };
    dataFile(context, 'services')
      .setField('services', service.name, ['replicas'], replicas, entryNamed(context.input.services, service.name))
      .write();
    format(context, [join(DATA, 'services.ts')]);
    return `${service.name} replicas ${service.replicas.min}–${service.replicas.max} → ${replicas.min}–${replicas.max} (catalog)`;
  },
};

const addService: EverydayChange = {
  id: 'service',
  title: 'add a service (new team) that calls another and has its own database',
  apply(context) {
    const callee = context.model.services[0];
    if (!callee) throw new Error('the model has no service to call');
    const team = freeName(
      'catalog',
      context.model.teams.map((entry) => entry.name),
    );
    const name = freeName(
      'catalog-service',
      context.model.services.map((entry) => entry.name),
    );
    // The callee's entry as written, so the new one has every field the catalog requires, with its own values;
    // an internal service has no edge route.
    const { edge: _route, ...template } = structuredClone(entryNamed(context.input.services, callee.name));
    const service = {
      ...template,
      name,
      description: `Catalog API: calls ${callee.name} and keeps its own PostgreSQL database.`,
      team,
      image: { tag: '1.0.0' },
      dependencies: { calls: [callee.name], publishes: [], consumes: [], database: true, cache: false },
      exposure: 'internal',
    };
    // The callee's team holds the callee at the same replicas and resources, so its quota holds the new service.
    const quota = structuredClone(entryNamed(context.input.teams, callee.team).quota);
    dataFile(context, 'services').appendEntry('services', service).write();
    dataFile(context, 'teams').appendEntry('teams', { name: team, quota }).write();
    format(context, [join(DATA, 'services.ts'), join(DATA, 'teams.ts')]);
    return `service ${name} (team ${team}, new) calls ${callee.name}, database: true`;
  },
};

const REGIONS = ['eu-west-1', 'eu-central-1', 'ap-southeast-2', 'us-west-2', 'ca-central-1'];

const addEnvironment: EverydayChange = {
  id: 'environment',
  title: 'add an environment in another region',
  apply(context) {
    const { model } = context;
    const template = model.environments.at(-1);
    if (!template) throw new Error('the model has no environment');
    const usedRegions = model.environments.map((environment) => environment.region);
    const region = REGIONS.find((candidate) => !usedRegions.includes(candidate));
    if (!region) throw new Error('every candidate region is in use');
    const name = freeName(
      'eu',
      model.environments.map((environment) => environment.name),
    );
    const accounts = [model.organization.sharedServices.account, ...model.environments.map((e) => e.account)];
    const account = ['5', '6', '7', '8', '9'].map((digit) => digit.repeat(12)).find((id) => !accounts.includes(id));
    if (!account) throw new Error('no free placeholder account');
    const vpcCidr = freeVpcCidr(model);
    const zones = ['a', 'b', 'c'].map((letter) => `${region}${letter}`);

    // The last environment as written, moved to the new account and region: ARNs and zones follow the text.
    const text = JSON.stringify(entryNamed(context.input.environments, template.name))
      .split(template.account)
      .join(account)
      .split(template.region)
      .join(region);
    const environment = renameStrings(JSON.parse(text), template.name, name) as Record<string, unknown> & {
      network: Record<string, unknown>;
      edge: { domain: string; hostedZone?: { id: string; name: string } };
    };
    environment.name = name;
    environment.availabilityZones = zones;
    environment.network.vpcCidr = vpcCidr;
    if (environment.edge.domain === template.edge.domain) environment.edge.domain = `${name}.${template.edge.domain}`;
    // A zone belongs to one account: the new one gets a (placeholder) zone of its own, for its domain.
    if (environment.edge.hostedZone)
      environment.edge.hostedZone = { id: `Z0${account}`, name: environment.edge.domain };
    dataFile(context, 'environments').appendEntry('environments', environment).write();

    // Synthesis never looks zones up in AWS: the new account/region's zones are committed in cdk.json.
    const cdkJson = join(context.copy.root, 'cdk.json');
    const config = JSON.parse(readFileSync(cdkJson, 'utf8')) as { context: Record<string, unknown> };
    const entries = Object.entries(config.context);
    const lastZones = entries.findLastIndex(([key]) => key.startsWith('availability-zones:'));
    entries.splice(lastZones + 1, 0, [`availability-zones:account=${account}:region=${region}`, zones]);
    writeFileSync(cdkJson, `${JSON.stringify({ ...config, context: Object.fromEntries(entries) }, null, 2)}\n`);
    format(context, [join(DATA, 'environments.ts'), 'cdk.json']);
    return `environment ${name}: ${region}, account ${account}, VPC ${vpcCidr} (copy of ${template.name}); zones in cdk.json`;
  },
};

/** The first 10.x.0.0/16 that overlaps no environment's VPC. */
function freeVpcCidr(model: PlatformModel): string {
  const taken = model.environments.flatMap((environment) => {
    const cidr = parseCidr(environment.network.vpcCidr);
    return typeof cidr === 'string' ? [] : [cidr];
  });
  for (let octet = 0; octet < 256; octet++) {
    const candidate = parseCidr(`10.${octet}.0.0/16`);
    if (typeof candidate !== 'string' && !taken.some((cidr) => cidrsOverlap(cidr, candidate))) {
      return formatCidr(candidate);
    }
  }
  throw new Error('no free /16 in 10.0.0.0/8');
}

/** Replaces the environment's name where it stands as a word in a string value (`dist/prod`, `acme-prod-alarms`). */
function renameStrings(value: unknown, from: string, to: string): unknown {
  if (typeof value === 'string') {
    // Region names (`eu-west-1`, in ARNs too) are kept whole: an environment named `eu` is not their `eu`.
    return value
      .split(/((?:^|(?<=[^a-z0-9]))[a-z]{2}(?:-gov)?-[a-z]+-\d(?=[^a-z0-9]|$))/)
      .map((part, index) =>
        index % 2 === 1 ? part : part.replace(new RegExp(`(^|[^a-z0-9])${from}(?=[^a-z0-9]|$)`, 'g'), `$1${to}`),
      )
      .join('');
  }
  if (Array.isArray(value)) return value.map((item) => renameStrings(item, from, to));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, renameStrings(child, from, to)]));
  }
  return value;
}

const removeService: EverydayChange = {
  id: 'remove',
  title: 'remove a service (and every reference to it)',
  apply(context) {
    const { services } = context.model;
    // The first service another one calls, so references must go too; else the last one.
    const called = services.find((candidate) =>
      services.some((caller) => caller.dependencies.calls.includes(candidate.name)),
    );
    const target = called ?? services.at(-1);
    if (!target) throw new Error('the model has no service to remove');
    const edit = dataFile(context, 'services').removeEntry('services', target.name);
    const callers = services.filter((caller) => caller.dependencies.calls.includes(target.name));
    for (const caller of callers) {
      const calls = caller.dependencies.calls.filter((callee) => callee !== target.name);
      edit.setField(
        'services',
        caller.name,
        ['dependencies', 'calls'],
        calls,
        entryNamed(context.input.services, caller.name),
      );
    }
    edit.write();
    const releases = readReleases(context);
    const released = Object.keys(releases ?? {}).filter((environment) => releases?.[environment]?.[target.name]);
    if (releases && released.length > 0) {
      for (const environment of released) delete releases[environment][target.name];
      writeReleases(context, releases);
    }
    format(context, [join(DATA, 'services.ts')]);
    const references = [
      ...callers.map((caller) => `${caller.name}.dependencies.calls`),
      ...released.map((environment) => `releases.${environment}`),
    ];
    return `removed ${target.name}${references.length > 0 ? `; references dropped from ${references.join(', ')}` : ''}`;
  },
};

/** The environment a promotion goes from and to: the last two of the model (e.g. staging → prod). */
function promotionPath(context: ChangeContext): { from: string; to: string } {
  const names = context.model.environments.map((environment) => environment.name);
  return { from: names.at(-2) ?? '', to: names.at(-1) ?? '' };
}

const promoteTag: EverydayChange = {
  id: 'promote',
  title: 'promote a tag between environments (pnpm promote)',
  unavailable(context) {
    const scripts = JSON.parse(readFileSync(join(context.copy.root, 'package.json'), 'utf8')).scripts ?? {};
    if (!scripts.promote) return "package.json has no 'promote' script";
    if (!existsSync(join(context.copy.root, RELEASES))) return `${RELEASES} does not exist`;
    if (context.model.environments.length < 2) return 'the model has a single environment';
    return undefined;
  },
  prepare(context) {
    // Promotion needs a difference: if the source environment runs what the target runs, ship a new tag there first.
    const { from, to } = promotionPath(context);
    const releases = readReleases(context) ?? {};
    const service = context.model.services[0].name;
    if (tagIn(context, releases, from, service) !== tagIn(context, releases, to, service)) return undefined;
    const tag = nextTag(tagIn(context, releases, from, service));
    releases[from] = { ...releases[from], [service]: { ...releases[from]?.[service], image: { tag } } };
    writeReleases(context, releases);
    return `releases.${from}.${service}.image.tag = ${tag}`;
  },
  apply(context) {
    const { from, to } = promotionPath(context);
    const service = context.model.services[0].name;
    const result = context.copy.run('pnpm', ['--silent', 'promote', service, '--from', from, '--to', to]);
    if (!result.ok) throw new Error(`pnpm promote failed:\n${result.output}`);
    const releases = readReleases(context);
    return `pnpm promote ${service} --from ${from} --to ${to}: ${to} now runs ${tagIn(context, releases, to, service)}`;
  },
  checkOutputs(changed, context) {
    const { to } = promotionPath(context);
    const others = context.model.environments.map((environment) => environment.name).filter((name) => name !== to);
    const belongsTo = (path: string, environment: string) =>
      path
        .split(/[ /]/)
        .some(
          (segment) =>
            segment === environment || segment.startsWith(`${environment}-`) || segment.startsWith(`${environment}.`),
        );
    const problems = changed
      .filter((line) => !belongsTo(line, to) || others.some((other) => belongsTo(line, other)))
      .map((line) => `changed outside ${to}'s outputs: ${line}`);
    if (changed.length === 0) problems.push(`nothing of ${to}'s outputs changed`);
    return problems;
  },
};

export const EVERYDAY_CHANGES: readonly EverydayChange[] = [
  bumpTag,
  changeReplicas,
  addService,
  addEnvironment,
  removeService,
  promoteTag,
];
