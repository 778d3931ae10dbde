/**
 * A CEL environment as Kubernetes and Kyverno evaluate expressions: unlisted variables are dynamic, the
 * `.?` optional syntax is on, and list literals may mix types. @marcbachmann/cel-js is an ES module,
 * so it is imported dynamically (and only from child processes: the test runner cannot load it).
 */
export async function kubernetesCelEnvironment() {
  const { Environment } = await import('@marcbachmann/cel-js');
  return new Environment({
    unlistedVariablesAreDyn: true,
    enableOptionalTypes: true,
    homogeneousAggregateLiterals: false,
  });
}
