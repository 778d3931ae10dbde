import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  loadPlatformModel,
  modelIn,
  type PlatformModel,
  platformModelInput,
  promoteRelease,
  releasesFileText,
  type Service,
  servicesIn,
  validateModel,
} from '@platform/model';
import { renderDist } from '../../apps/cluster/src/synthesize-dist';

const model = loadPlatformModel();
const RELEASES_FILE = join(__dirname, '..', '..', 'packages', 'platform-model', 'src', 'data', 'releases.json');
const environments = model.environments.map((environment) => environment.name);
const pairs = environments.flatMap((from) => environments.filter((to) => to !== from).map((to) => [from, to]));

/** A tag no environment runs for this service (independent of what the example ships). */
function freshTag(service: Service): string {
  const tags = new Set(
    environments.map((name) => servicesIn(model, name).find((s) => s.name === service.name)?.image.tag),
  );
  let candidate = 1;
  while (tags.has(`9.9.${candidate}`)) candidate++;
  return `9.9.${candidate}`;
}

function withRelease(base: PlatformModel, environment: string, service: string, release: object): PlatformModel {
  const releases = structuredClone(base.releases ?? {});
  releases[environment] = { ...releases[environment], [service]: { ...releases[environment]?.[service], ...release } };
  return { ...base, releases };
}

describe('releases: per-environment values over the catalog', () => {
  it.each(environments)('a release in %s replaces exactly its fields there and nothing elsewhere', (environment) => {
    for (const service of model.services) {
      const tag = freshTag(service);
      const replicas = { min: service.replicas.max + 1, max: service.replicas.max + 2 };
      const changed = withRelease(model, environment, service.name, { image: { tag }, replicas });
      for (const name of environments) {
        const resolved = servicesIn(changed, name);
        const before = servicesIn(model, name);
        // Every other service, and this one in every other environment, is as it was.
        expect(resolved.filter((s) => name !== environment || s.name !== service.name)).toEqual(
          before.filter((s) => name !== environment || s.name !== service.name),
        );
      }
      const target = servicesIn(changed, environment).find((s) => s.name === service.name);
      const original = servicesIn(model, environment).find((s) => s.name === service.name);
      expect(target).toEqual({ ...original, image: { tag }, replicas });
    }
  });

  it('an environment without releases runs the catalog', () => {
    const bare = { ...model, releases: {} };
    for (const name of environments) expect(servicesIn(bare, name)).toEqual(model.services);
    expect(modelIn(bare, environments[0]).services).toEqual(model.services);
  });

  let rendered: Map<string, string> | undefined;
  it.each(environments)('a new tag in %s changes only that environment’s dist/ files', (environment) => {
    const [service] = model.services;
    expect(service).toBeDefined();
    rendered ??= renderDist(model);
    const before = rendered;
    const after = renderDist(withRelease(model, environment, service.name, { image: { tag: freshTag(service) } }));
    const changed = [...after.keys()].filter((file) => after.get(file) !== before.get(file));
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.filter((file) => !file.startsWith(`${environment}/`))).toEqual([]);
    expect([...before.keys()].sort()).toEqual([...after.keys()].sort());
  });
});

describe('rules of releases', () => {
  const service = model.services[0]?.name ?? 'absent';
  const issuesOf = (releases: unknown) => validateModel({ ...platformModelInput, releases }).issues;

  it('names an unknown environment and lists the known ones', () => {
    expect(issuesOf({ 'no-such-env': {} })).toEqual([
      { path: 'releases.no-such-env', message: `unknown environment 'no-such-env'; known: ${environments.join(', ')}` },
    ]);
  });

  it('names an unknown service', () => {
    const issues = issuesOf({ [environments[0]]: { 'no-such-service': { image: { tag: '1.0.0' } } } });
    expect(issues.map((issue) => issue.path)).toEqual([`releases.${environments[0]}.no-such-service`]);
    expect(issues[0]?.message).toMatch(/^unknown service 'no-such-service'; known: /);
  });

  it.each([
    ['latest', /not an immutable tag/],
    ['', /not an immutable tag/],
    ['-bad', /neither a valid image tag/],
  ])('refuses the tag %j with the same rule as the catalog', (tag, message) => {
    const issues = issuesOf({ [environments[0]]: { [service]: { image: { tag } } } });
    expect(issues.map((issue) => issue.path)).toEqual([`releases.${environments[0]}.${service}.image.tag`]);
    expect(issues[0]?.message).toMatch(message);
  });

  it('refuses a replica range whose minimum exceeds its maximum', () => {
    const issues = issuesOf({ [environments[0]]: { [service]: { replicas: { min: 5, max: 4 } } } });
    expect(issues).toEqual([
      { path: `releases.${environments[0]}.${service}.replicas`, message: 'min (5) must not exceed max (4)' },
    ]);
  });

  it('refuses a field a release cannot carry, at its place', () => {
    const issues = issuesOf({ [environments[0]]: { [service]: { port: 1 } } });
    expect(issues).toEqual([{ path: `releases.${environments[0]}.${service}`, message: 'unknown field(s) port' }]);
  });
});

describe('pnpm promote', () => {
  it.each(pairs)('from %s to %s copies the image and leaves every other release as it was', (from, to) => {
    for (const service of model.services) {
      const releases = promoteRelease(model, service.name, from, to);
      const promoted = { ...model, releases };
      expect(servicesIn(promoted, to).find((s) => s.name === service.name)?.image).toEqual(
        servicesIn(model, from).find((s) => s.name === service.name)?.image,
      );
      for (const name of environments.filter((environment) => environment !== to)) {
        expect(servicesIn(promoted, name)).toEqual(servicesIn(model, name));
      }
      // Only the image of the target changes: its replicas and resources stay as the target had them.
      const { image: _promoted, ...targetRest } = servicesIn(promoted, to).find((s) => s.name === service.name) ?? {};
      const { image: _before, ...beforeRest } = servicesIn(model, to).find((s) => s.name === service.name) ?? {};
      expect(targetRest).toEqual(beforeRest);
      expect(validateModel(JSON.parse(JSON.stringify(promoted))).issues).toEqual([]);
    }
  });

  it('refuses unknown names, listing the known ones', () => {
    const service = model.services[0]?.name ?? 'absent';
    expect(() => promoteRelease(model, service, 'no-such-env', environments[0])).toThrow(
      `--from: unknown environment 'no-such-env'; known: ${environments.join(', ')}`,
    );
    expect(() => promoteRelease(model, 'no-such-service', environments[0], environments.at(-1) ?? '')).toThrow(
      /^unknown service 'no-such-service'; known: /,
    );
  });

  it('the committed releases.json is in the form promote writes, so a promotion diff is only the promoted lines', () => {
    const text = readFileSync(RELEASES_FILE, 'utf8');
    expect(text).toBe(releasesFileText(JSON.parse(text)));
  });
});
