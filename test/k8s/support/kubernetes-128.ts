import { k8s } from 'cdk8s-plus-28';

/**
 * Structural validation of built-in objects against the Kubernetes 1.28 API, with unknown fields
 * rejected. kubernetes-models 4.5.1 checks types and required fields, but its schemas are from a later
 * Kubernetes (they know fields such as `stopSignal` and `trafficDistribution`) and it accepts unknown
 * fields. The k8s 1.28 classes of cdk8s-plus-28 know exactly the 1.28 fields: their toJson functions
 * copy every known field and drop everything else, so an object that survives the round trip unchanged
 * uses only 1.28 fields.
 */

/** The classes of cdk8s-plus-28's k8s 1.28 import, by `apiVersion/kind`. */
const CLASSES_BY_GVK = new Map<string, string>(
  Object.entries(k8s).flatMap(([name, member]) => {
    const gvk = (member as { GVK?: { apiVersion: string; kind: string } }).GVK;
    return gvk ? [[`${gvk.apiVersion}/${gvk.kind}`, name] as [string, string]] : [];
  }),
);

/** Stands in for a string or number, so int-or-string and quantity fields (read as `.value`) see a value too. */
class Leaf {
  public constructor(public readonly value: string | number) {}
}

function wrap(value: unknown): unknown {
  if (typeof value === 'string' || typeof value === 'number') return new Leaf(value);
  if (Array.isArray(value)) return value.map(wrap);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, wrap(child)]));
  }
  return value;
}

function unwrap(value: unknown): unknown {
  if (value instanceof Leaf) return value.value;
  if (Array.isArray(value)) return value.map(unwrap);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, unwrap(child)]));
  }
  return value;
}

/** Whether Kubernetes 1.28 serves this apiVersion and kind. */
export function isKubernetes128Kind(apiVersion: string, kind: string): boolean {
  return CLASSES_BY_GVK.has(`${apiVersion}/${kind}`);
}

/** The object as the 1.28 API would keep it: every field 1.28 does not know is gone. */
export function roundTripThrough128(object: Record<string, unknown>): Record<string, unknown> {
  const { apiVersion, kind, ...body } = object as { apiVersion: string; kind: string };
  const className = CLASSES_BY_GVK.get(`${apiVersion}/${kind}`);
  if (!className) throw new Error(`${apiVersion} ${kind} is not a Kubernetes 1.28 kind`);
  const toJson = (k8s as unknown as Record<string, (props: unknown) => Record<string, unknown>>)[
    `toJson_${className}Props`
  ];
  return { apiVersion, kind, ...(unwrap(toJson(wrap(body))) as Record<string, unknown>) };
}

/** Fields of `actual` that `kept` lacks, as dotted paths. */
export function droppedFields(actual: unknown, kept: unknown, path = ''): string[] {
  if (Array.isArray(actual)) {
    return actual.flatMap((item, index) =>
      droppedFields(item, (kept as unknown[] | undefined)?.[index], `${path}[${index}]`),
    );
  }
  if (actual && typeof actual === 'object') {
    const keptObject = (kept ?? {}) as Record<string, unknown>;
    return Object.entries(actual).flatMap(([key, child]) =>
      key in keptObject ? droppedFields(child, keptObject[key], `${path}.${key}`) : [`${path}.${key}`.slice(1)],
    );
  }
  return [];
}

/**
 * Fields that Kubernetes added after 1.28 and that the platform uses where the cluster serves them GA,
 * by the minor version that made them GA. kubernetes-models, whose schemas are newer, still checks their types.
 */
export const FIELDS_AFTER_128: readonly { readonly path: RegExp; readonly gaMinor: number }[] = [
  // Lifecycle hook `sleep` action (KEP-3960).
  { path: /^spec\.template\.spec\.containers\[\d+\]\.lifecycle\.preStop\.sleep$/, gaMinor: 34 },
];

/** The dropped fields that a cluster of this Kubernetes version (`1.35`) does not serve GA. */
export function unservedFields(dropped: readonly string[], kubernetesVersion: string): string[] {
  const minor = Number(kubernetesVersion.split('.')[1]);
  return dropped.filter((path) => !FIELDS_AFTER_128.some((field) => field.path.test(path) && minor >= field.gaMinor));
}
