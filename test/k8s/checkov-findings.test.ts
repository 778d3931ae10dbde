/**
 * What checkov (run by `npm run verify`, tools/verify/checkov.ts) asks of the service Deployments, as facts
 * jest can check without it: a finding is skipped with a `checkov.io/skip<n>` annotation exactly while its
 * cause holds, for the shipped model and for one whose service sets a CPU limit and pins a digest.
 */
import { checkovSkipAnnotations } from '@platform/k8s-platform';
import { loadPlatformModel, type PlatformModel } from '@platform/model';
import { type Manifest, type RenderedObject, renderModel } from './support/rendered';

/** check ID → reason, from an object's checkov.io/skip<n> annotations. */
function skipsOf(object: Manifest): Map<string, string> {
  const skips = new Map<string, string>();
  for (const [key, value] of Object.entries<string>(object.metadata.annotations ?? {})) {
    if (!key.startsWith('checkov.io/skip')) continue;
    const [check, ...rest] = value.split('=');
    skips.set(check, rest.join('='));
  }
  return skips;
}

/** The Deployments of a rendering whose skips disagree with their containers, as `<env>/<name> <check>`. */
function violations(rendered: readonly RenderedObject[]): string[] {
  const found: string[] = [];
  for (const { environment, object } of rendered) {
    if (object.kind !== 'Deployment') continue;
    const skips = skipsOf(object);
    const containers: Manifest[] = object.spec.template.spec.containers;
    const causes: Record<string, boolean> = {
      CKV_K8S_11: containers.some((c) => c.resources?.limits?.cpu === undefined),
      CKV_K8S_15: containers.some((c) => c.imagePullPolicy !== 'Always'),
      CKV_K8S_43: containers.some((c) => !String(c.image).includes('@sha256:')),
      CKV_K8S_35: containers.some(
        (c) =>
          (c.envFrom ?? []).some((from: Manifest) => from.secretRef) ||
          (c.env ?? []).some((variable: Manifest) => variable.valueFrom?.secretKeyRef),
      ),
    };
    for (const [check, cause] of Object.entries(causes)) {
      if (cause !== skips.has(check)) found.push(`${environment}/${object.metadata.name} ${check}`);
    }
  }
  return found;
}

describe('checkov skip annotations of the service Deployments', () => {
  const shipped = renderModel();

  test('are there exactly while their cause holds, for the shipped model', () => {
    expect(violations(shipped)).toEqual([]);
  });

  test('go away with their cause: a CPU limit and an image digest', () => {
    const model = loadPlatformModel();
    const [first, ...others] = model.services;
    const changed: PlatformModel = {
      ...model,
      services: [
        {
          ...first,
          resources: { ...first.resources, limits: { ...first.resources.limits, cpu: '1' } },
          image: { ...first.image, tag: `${first.image.tag.split('@')[0]}@sha256:${'a'.repeat(64)}` },
        },
        ...others,
      ],
      // The catalog's values in every environment: no release may bring the tag back.
      releases: {},
    };
    const rendered = renderModel(changed);
    expect(violations(rendered)).toEqual([]);
    const deployment = rendered.find(
      (file) => file.object.kind === 'Deployment' && file.object.metadata.name === first.name,
    );
    expect(deployment).toBeDefined();
    const skips = skipsOf(deployment?.object as Manifest);
    expect(skips.has('CKV_K8S_11')).toBe(false);
    expect(skips.has('CKV_K8S_43')).toBe(false);
  });

  test('each name a check and a reason without "=", which checkov splits at', () => {
    let count = 0;
    for (const { object } of shipped) {
      for (const [key, value] of Object.entries<string>(object.metadata.annotations ?? {})) {
        if (!key.startsWith('checkov.io/skip')) continue;
        count += 1;
        expect(key).toMatch(/^checkov\.io\/skip[1-9]\d*$/);
        expect(value).toMatch(/^CKV_K8S_\d+=[^=]{60,}$/);
      }
    }
    expect(count).toBeGreaterThan(0);
  });
});

test('checkovSkipAnnotations refuses a reason checkov would cut at "=" and an ID that is not a check', () => {
  expect(() => checkovSkipAnnotations([{ check: 'CKV_K8S_11', reason: 'limits.cpu=unset' }])).toThrow(/without '='/);
  expect(() => checkovSkipAnnotations([{ check: 'K8S_11', reason: 'a reason' }])).toThrow(/not a checkov/);
  expect(
    checkovSkipAnnotations([
      { check: 'CKV_K8S_11', reason: 'one' },
      { check: 'CKV_K8S_15', reason: 'two' },
    ]),
  ).toEqual({ 'checkov.io/skip1': 'CKV_K8S_11=one', 'checkov.io/skip2': 'CKV_K8S_15=two' });
});
