import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADDON_NAMESPACES, ADDON_POLICY_SUFFIX } from '@platform/k8s-platform';
import { loadPlatformModel } from '@platform/model';
import { readDistEnvironment } from './support/dist-manifests';
import { renderPoliciesAndAlertsPage } from './support/policies-and-alerts-page';

const model = loadPlatformModel();
const PAGE = join(__dirname, '..', '..', 'docs', 'policies-and-alerts.md');
const environments = new Map(model.environments.map((e) => [e.name, readDistEnvironment(e.name)]));
const committed = readFileSync(PAGE, 'utf8');

describe('docs/policies-and-alerts.md', () => {
  test('is what dist/ renders (regenerate with `npx tsx test/guardrails/emit-generated-files.ts`)', () => {
    expect(committed).toBe(renderPoliciesAndAlertsPage(environments));
  });

  test('lists every policy with its mode per environment, every exception and every alert with its runbook', () => {
    for (const [env, manifests] of environments) {
      for (const { object } of manifests) {
        if (object.kind === 'ValidatingPolicy') {
          // Enforcing policies have a row; their add-on companions are named in it.
          expect(committed).toContain(
            object.metadata.name.endsWith(ADDON_POLICY_SUFFIX)
              ? `| \`${object.metadata.name}\`: Audit |`
              : `| \`${object.metadata.name}\` (`,
          );
        }
        if (object.kind === 'PolicyException')
          expect(committed).toMatch(
            new RegExp(`\\| [a-z-]+ \\| \`${(object.spec as { policyRefs: { name: string }[] }).policyRefs[0].name}\``),
          );
      }
      expect(committed).toContain(`Mode in ${env}`);
    }
    expect(committed).toMatch(/\| `disallow-privileged-containers` \([^|]+\) \|[^\n]*\| Audit \| Audit \| Deny \|/);
    for (const alert of [
      'HighErrorRate',
      'PodCrashLooping',
      'HighLatencyP99',
      'NodeDiskPressure',
      'DeploymentReplicasMismatch',
    ]) {
      expect(committed).toContain(`[${alert}](runbooks/${alert}.md)`);
    }
    expect(committed).toContain('error ratio > 0.0144 over 1h and 5m, or > 0.006 over 6h and 30m');
    expect(committed).toContain('### Requesting an exception');
    for (const namespace of ADDON_NAMESPACES) {
      for (const addon of namespace.addons) expect(committed).toContain(`| ${addon.addon} | `);
      expect(committed).toMatch(new RegExp(`\\| ${namespace.name} \\| [a-z]+ \\| audit \\| `));
    }
  });
});
