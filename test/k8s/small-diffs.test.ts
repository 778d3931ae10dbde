import { loadPlatformModel } from '@platform/model';
import { parse } from 'yaml';
import { renderDist } from '../../apps/cluster/src/synthesize-dist';
import { distObjects, renderChange, VALUE_CHANGES, type ValueChange, workloadsOf } from './support/value-changes';

/** The recommended label for the release a workload runs (kubernetes.io, common labels). */
const VERSION_LABEL = 'app.kubernetes.io/version';

// Holds for any valid model: the expected files come from the model and from what the rendered objects are.
const model = loadPlatformModel();
const baseline = renderDist(model);
const objects = distObjects(baseline);

const rendered = new Map<string, ReturnType<typeof renderChange>>();
/** Each change is rendered once, however many tests read it. */
function render(change: ValueChange, serviceName: string): ReturnType<typeof renderChange> {
  const key = `${serviceName}\n${change.title}`;
  let result = rendered.get(key);
  if (!result) {
    result = renderChange(model, baseline, objects, change, serviceName);
    rendered.set(key, result);
  }
  return result;
}

const serviceNames = model.services.map((service) => service.name);
const cases = serviceNames.flatMap((name) => VALUE_CHANGES.map((change) => [name, change.title, change] as const));

describe('a one-value pull request changes only the files a reviewer expects', () => {
  it('finds each service as exactly one Deployment in each environment', () => {
    const counts = model.services.flatMap((service) =>
      model.environments.map((environment) => {
        const here = objects.filter((file) => file.environment === environment.name);
        return `${environment.name}/${service.name}: ${workloadsOf(here, model, service).length}`;
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

  it.each(cases)('%s: a pull request that %s', (serviceName, _title, change) => {
    const { changed, expected } = render(change, serviceName);
    expect(expected.length).toBeGreaterThan(0);
    expect(changed).toEqual(expected);
  });

  it.each(serviceNames)('%s: a tag bump keeps the selectors, which a Deployment can never change', (serviceName) => {
    const [tagBump] = VALUE_CHANGES;
    const { after } = render(tagBump, serviceName);
    const service = model.services.find((candidate) => candidate.name === serviceName);
    for (const { path, object } of workloadsOf(objects, model, service ?? model.services[0])) {
      const next = parse(after.get(path) ?? '');
      expect(next.spec.selector).toEqual(object.spec.selector);
      expect(next.spec.template.spec.topologySpreadConstraints).toEqual(
        object.spec.template.spec.topologySpreadConstraints,
      );
    }
  });
});
