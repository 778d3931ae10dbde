import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADDON_NAMESPACES, ADDON_POLICY_SUFFIX } from '@platform/k8s-platform';
import { loadPlatformModel } from '@platform/model';
import { burnThresholds } from './support/alert-rule-unit-tests';
import { readDistEnvironment } from './support/dist-manifests';
import { renderPoliciesAndAlertsPage } from './support/policies-and-alerts-page';

const model = loadPlatformModel();
const PAGE = join(__dirname, '..', '..', 'docs', 'policies-and-alerts.md');
const environments = new Map(model.environments.map((e) => [e.name, readDistEnvironment(e.name)]));
const committed = readFileSync(PAGE, 'utf8');

describe('docs/policies-and-alerts.md', () => {
  test('is what dist/ renders (`pnpm synth` writes it)', () => {
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
    // The mode of each environment, in the model's order.
    const modes = model.environments.map((environment) => environment.policyMode).join(' \\| ');
    expect(committed).toMatch(
      new RegExp(`\\| \`disallow-privileged-containers\` \\([^|]+\\) \\|[^\\n]*\\| ${modes} \\|`),
    );
    for (const alert of [
      'HighErrorRate',
      'PodCrashLooping',
      'HighLatencyP99',
      'NodeDiskPressure',
      'DeploymentReplicasMismatch',
    ]) {
      expect(committed).toContain(`[${alert}](runbooks/${alert}.md)`);
    }
    for (const service of model.services) {
      const pages = burnThresholds(service, 'availability').page;
      expect(committed).toContain(
        `| slo-${service.name} | critical | at once | error ratio > ${pages.map((p) => `${p.at} over ${p.window} and ${p.short}`).join(', or > ')} |`,
      );
    }
    expect(committed).toContain('### Requesting an exception');
    for (const namespace of ADDON_NAMESPACES) {
      for (const addon of namespace.addons) expect(committed).toContain(`| ${addon.addon} | `);
      expect(committed).toMatch(new RegExp(`\\| ${namespace.name} \\| [a-z]+ \\| audit \\| `));
    }
  });
});
