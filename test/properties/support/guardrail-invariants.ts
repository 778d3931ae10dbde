/**
 * Every guard-rail policy of an environment passes every workload and Service the environment ships, and the
 * enforcing Pod policies really judge each service's Deployment (a policy that matches nothing passes vacuously).
 */
import type { PlatformModel } from '@platform/model';
import { evaluateWithCel } from '../../guardrails/support/cel-evaluation';
import { KIND_RESOURCES, type KubeObject } from '../../guardrails/support/kyverno-evaluation';
import type { RenderedDist } from './kubernetes-invariants';

const ADDON_POLICY_SUFFIX = '-addons';

export function guardrailProblems(model: PlatformModel, dist: RenderedDist): string[] {
  const batches = model.environments.map((environment) => {
    const objects = dist.objects
      .filter((file) => file.environment === environment.name)
      .map((file) => file.object as unknown as KubeObject);
    const ofKind = (...kinds: string[]) => objects.filter((object) => kinds.includes(object.kind));
    return {
      policies: ofKind('ValidatingPolicy'),
      exceptions: ofKind('PolicyException'),
      objects: ofKind(...Object.keys(KIND_RESOURCES)),
      namespaces: Object.fromEntries(
        ofKind('Namespace').map((n) => [n.metadata.name, (n.metadata.labels ?? {}) as Record<string, string>]),
      ),
    };
  });
  const results = batches.map((batch) =>
    evaluateWithCel(batch.policies, batch.exceptions, batch.objects, batch.namespaces),
  );
  return model.environments.flatMap((environment, index) => {
    const batch = batches[index];
    const problems = results[index]
      .filter((r) => r.verdict === 'fail' || r.verdict === 'error')
      .map((r) => `${environment.name}: ${r.resource} fails ${r.policy}: ${r.messages.join('; ')}`);
    const podPolicies = batch.policies
      .filter((policy) => !policy.metadata.name.endsWith(ADDON_POLICY_SUFFIX))
      .filter((policy) =>
        (
          policy.spec as { matchConstraints: { resourceRules: { resources: string[] }[] } }
        ).matchConstraints.resourceRules.some((rule) => rule.resources.includes('pods')),
      )
      .map((policy) => policy.metadata.name);
    if (podPolicies.length === 0) problems.push(`${environment.name}: no enforcing Pod policy`);
    for (const service of model.services) {
      const resource = `Deployment ${service.team}/${service.name}`;
      const judged = new Set(
        results[index].filter((r) => r.resource === resource && r.verdict === 'pass').map((r) => r.policy),
      );
      const unjudged = podPolicies.filter((policy) => !judged.has(policy));
      if (unjudged.length > 0)
        problems.push(`${environment.name}: ${resource} is not judged by ${unjudged.join(', ')}`);
    }
    return problems;
  });
}
