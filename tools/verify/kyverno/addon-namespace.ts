/**
 * Copies of an environment's workloads placed in an add-on namespace, so that the policies which select only
 * add-on namespaces (`platform.io/guardrails: audit`, the `*-addons` Audit variants) are evaluated too: dist/
 * holds no workload of its own in such a namespace. The copies are compliant workloads, so each of their
 * results must pass like the originals'.
 */
import type { ApplyInputs, KubeObject } from './apply-dist';

/** The namespace label that selects the auditing (add-on) variant of each guard rail. */
export const GUARDRAILS_LABEL = 'platform.io/guardrails';
export const AUDIT_GUARDRAILS = 'audit';

/**
 * Kinds whose compliance depends on their namespace, so a copy elsewhere is no compliant workload: a SecretStore
 * must assume its own namespace's reader role (restrict-secret-store-role, which has no Audit variant: it denies
 * everywhere). Cluster-scoped kinds have no namespace to be copied into.
 */
export const NAMESPACE_BOUND_KINDS: readonly string[] = ['SecretStore', 'ClusterSecretStore'];

/** The first (by name) of the Namespaces labelled for auditing guard rails; undefined when there is none. */
export function addonNamespace(namespaces: readonly KubeObject[]): string | undefined {
  return namespaces
    .filter((n) => n.metadata.labels?.[GUARDRAILS_LABEL] === AUDIT_GUARDRAILS)
    .map((n) => n.metadata.name)
    .sort()[0];
}

/**
 * The inputs with a copy of each workload (but the NAMESPACE_BOUND_KINDS) in `namespace` added. A copy keeps its name unless another workload of
 * its kind would then share it (two namespaces holding the same name), when it is prefixed with its own namespace.
 */
export function withAddonCopies(inputs: ApplyInputs, namespace: string): ApplyInputs {
  const count = new Map<string, number>();
  for (const w of inputs.workloads)
    count.set(`${w.kind}/${w.metadata.name}`, (count.get(`${w.kind}/${w.metadata.name}`) ?? 0) + 1);
  const taken = new Set(
    inputs.workloads.filter((w) => w.metadata.namespace === namespace).map((w) => `${w.kind}/${w.metadata.name}`),
  );
  const copies = inputs.workloads
    .filter((w) => w.metadata.namespace !== namespace && !NAMESPACE_BOUND_KINDS.includes(w.kind))
    .map((w): KubeObject => {
      const key = `${w.kind}/${w.metadata.name}`;
      const unique = count.get(key) === 1 && !taken.has(key);
      const name = unique ? w.metadata.name : `${w.metadata.namespace}-${w.metadata.name}`;
      return { ...structuredClone(w), metadata: { ...structuredClone(w.metadata), name, namespace } };
    });
  return { ...inputs, workloads: [...inputs.workloads, ...copies] };
}
