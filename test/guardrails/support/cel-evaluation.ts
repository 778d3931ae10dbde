import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { AdmissionRequest, KubeObject, NamespaceLabels, PolicyResult } from './kyverno-evaluation';

const RUNNER = join(__dirname, 'cel-runner.ts');

/**
 * Every policy against every object (its CREATE) or request, evaluated by the independent CEL engine in a child
 * process; `namespaces` gives the labels the policies' namespace selectors read.
 */
export function evaluateWithCel(
  policies: readonly KubeObject[],
  exceptions: readonly KubeObject[],
  objects: readonly (KubeObject | AdmissionRequest)[],
  namespaces: NamespaceLabels = {},
): PolicyResult[] {
  const result = spawnSync(process.execPath, ['--import', 'tsx', RUNNER], {
    input: JSON.stringify({ policies, exceptions, objects, namespaces }),
    cwd: join(__dirname, '..', '..', '..'),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`CEL evaluation failed (exit ${result.status}):\n${result.stderr}`);
  return JSON.parse(result.stdout) as PolicyResult[];
}
