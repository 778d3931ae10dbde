import { asDecodedJson, type CelEvaluator, kubernetesCelEnvironment, parsingOnce } from '../../support/cel-environment';
import {
  type AdmissionRequest,
  evaluatePolicies,
  type KubeObject,
  type NamespaceLabels,
  type PolicyResult,
} from './kyverno-evaluation';

/** One engine per test file (Jest gives each file its own module registry), made on first use. */
let engine: CelEvaluator | undefined;

/**
 * Every policy against every object (its CREATE) or request, evaluated by the independent CEL engine; one result
 * per pair, policy by policy, each in the order of `objects`. `namespaces` gives the labels the policies' namespace
 * selectors read. The inputs are evaluated as the API server decodes them (see `asDecodedJson`).
 */
export function evaluateWithCel(
  policies: readonly KubeObject[],
  exceptions: readonly KubeObject[],
  objects: readonly (KubeObject | AdmissionRequest)[],
  namespaces: NamespaceLabels = {},
): PolicyResult[] {
  engine ??= parsingOnce(kubernetesCelEnvironment());
  const input = asDecodedJson({ policies, exceptions, objects, namespaces });
  return evaluatePolicies(engine, input.policies, input.exceptions, input.objects, input.namespaces);
}
