/**
 * Every finalizer in dist/ must be one kube-apiserver takes without a word: a finalizer name without a
 * path draws a Warning on every custom resource (apiextensions-apiserver v0.35.8
 * pkg/registry/customresource/validator.go, validateKubeFinalizerName) and is an error on built-in kinds
 * (k8s.io/apimachinery validation, ValidateFinalizerName). `npm run verify` (apiserver engine) fails on
 * either; this test names the object without a cluster.
 */
import { loadPlatformModel } from '@platform/model';
import { renderModel } from './support/rendered';

/** The finalizers Kubernetes itself defines, which need no path (validator.go `standardFinalizers`). */
const STANDARD_FINALIZERS = new Set(['orphan', 'foregroundDeletion', 'kubernetes']);

/** A qualified name (apimachinery IsQualifiedName): optional DNS-subdomain prefix and '/', then a name of ≤ 63. */
const QUALIFIED_NAME =
  /^(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** Why kube-apiserver 1.35 would warn about (or refuse) a finalizer; undefined when it takes it silently. */
function finalizerProblem(finalizer: string): string | undefined {
  if (!QUALIFIED_NAME.test(finalizer)) return 'not a qualified name';
  if (!finalizer.includes('/') && !STANDARD_FINALIZERS.has(finalizer)) return 'no path (/) after the domain';
  return undefined;
}

test('the finalizer rule matches the API server on known names', () => {
  expect(finalizerProblem('resources-finalizer.argocd.argoproj.io')).toBe('no path (/) after the domain');
  expect(finalizerProblem('resources-finalizer.argocd.argoproj.io/foreground')).toBeUndefined();
  expect(finalizerProblem('foregroundDeletion')).toBeUndefined();
  expect(finalizerProblem('Bad_Domain/x')).toBe('not a qualified name');
});

test('no object of dist/ carries a finalizer the API server warns about', () => {
  const problems = renderModel(loadPlatformModel()).flatMap(({ path, object }) =>
    ((object.metadata.finalizers ?? []) as string[]).flatMap((finalizer) => {
      const problem = finalizerProblem(finalizer);
      return problem === undefined ? [] : [`${path}: finalizer '${finalizer}': ${problem}`];
    }),
  );
  expect(problems).toEqual([]);
});
