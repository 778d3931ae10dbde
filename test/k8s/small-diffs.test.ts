import { loadPlatformModel } from '@platform/model';
import {
  type ChangeScope,
  distObjects,
  renderChange,
  renderObjects,
  VALUE_CHANGES,
  type ValueChange,
  workloadsOf,
} from './support/value-changes';

/** The recommended label for the release a workload runs (kubernetes.io, common labels). */
const VERSION_LABEL = 'app.kubernetes.io/version';

// Holds for any valid model: the expected files come from the model and from what the rendered objects are.
const model = loadPlatformModel();
const baseline = renderObjects(model);
const objects = distObjects(baseline);
const environmentNames = model.environments.map((environment) => environment.name);

const rendered = new Map<string, ReturnType<typeof renderChange>>();
/** Each change is rendered once, however many tests read it. */
function render(change: ValueChange, serviceName: string, scope: ChangeScope): ReturnType<typeof renderChange> {
  const key = [serviceName, change.title, 'catalog' in scope ? '' : scope.environment].join('\n');
  let result = rendered.get(key);
  if (!result) {
    result = renderChange(model, baseline, objects, change, serviceName, scope);
    rendered.set(key, result);
  }
  return result;
}

const serviceNames = model.services.map((service) => service.name);
// Each render is the whole model, so the cases cover rather than multiply: every service meets a change, every
// change a service and every environment a release, in max(services, changes) renders per scope.
const pairs = Array.from({ length: Math.max(serviceNames.length, VALUE_CHANGES.length) }, (_, index) => ({
  name: serviceNames[index % serviceNames.length],
  change: VALUE_CHANGES[index % VALUE_CHANGES.length],
  index,
}));
const catalogCases = pairs.map(({ name, change }) => [name, change.title, change] as const);
const releaseCases = pairs.map(({ name, index }) => {
  // Shifted against the catalog's order, so a service's release meets another change than its catalog edit.
  const change = VALUE_CHANGES[(index + 1) % VALUE_CHANGES.length];
  return [name, change.title, environmentNames[index % environmentNames.length], change] as const;
});

describe('a one-value pull request changes only the files a reviewer expects', () => {
  it('finds each service as exactly one Deployment in each environment', () => {
    const counts = model.services.flatMap((service) =>
      environmentNames.map((environment) => {
        const here = objects.filter((file) => file.environment === environment);
        return `${environment}/${service.name}: ${workloadsOf(here, model, service).length}`;
      }),
    );
    expect(counts).toEqual(counts.map((line) => line.replace(/\d+$/, '1')));
  });

  it('labels only the Deployments of services, and their pods, with the version they run', () => {
    const workloads = new Set(model.services.flatMap((service) => workloadsOf(objects, model, service)));
    const versioned = objects.filter(({ object }) => object.metadata.labels?.[VERSION_LABEL] !== undefined);
    expect(versioned.map((file) => file.path).sort()).toEqual([...workloads].map((file) => file.path).sort());
    for (const { object } of workloads) {
      expect(object.spec.template.metadata.labels[VERSION_LABEL]).toBe(object.metadata.labels[VERSION_LABEL]);
    }
  });

  it.each(catalogCases)('%s: a catalog edit that %s changes it where no release overrides it', (name, _, change) => {
    const { changed, expected, environments } = render(change, name, { catalog: true });
    if (environments.length > 0) expect(expected.length).toBeGreaterThan(0);
    expect(changed).toEqual(expected);
  });

  it.each(releaseCases)('%s: a release that %s in %s changes that environment only', (name, _, environment, change) => {
    const { changed, expected } = render(change, name, { environment });
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.every((path) => path.startsWith(`${environment}/`))).toBe(true);
    expect(changed).toEqual(expected);
  });

  it('a tag bump keeps the selectors, which a Deployment can never change', () => {
    const [tagBump] = VALUE_CHANGES;
    const scoped = [
      ...catalogCases.map(([name, , change]) => ({ name, change, scope: { catalog: true } as ChangeScope })),
      ...releaseCases.map(([name, , environment, change]) => ({ name, change, scope: { environment } })),
    ].filter(({ change }) => change === tagBump);
    let compared = 0;
    for (const { name, scope } of scoped) {
      const service = model.services.find((candidate) => candidate.name === name) ?? model.services[0];
      const { after, changed } = render(tagBump, name, scope);
      for (const { path, object } of workloadsOf(objects, model, service).filter((file) =>
        changed.includes(file.path),
      )) {
        const next = after.get(path);
        expect(next?.spec.selector).toEqual(object.spec.selector);
        expect(next?.spec.template.spec.topologySpreadConstraints).toEqual(
          object.spec.template.spec.topologySpreadConstraints,
        );
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(0);
  });
});
