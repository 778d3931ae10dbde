import {
  AdmissionPolicies,
  AlertmanagerReceiverSecrets,
  AlertRules,
  browsableRepositoryUrl,
  GitOpsChart,
  POLICY_EXCEPTION_NAMESPACE,
  SyncWave,
} from '@platform/k8s-platform';
import { type Environment, EnvironmentNaming, type PlatformModel, registryHost } from '@platform/model';
import type { App } from 'cdk8s';

/** Folders of dist/<env>/ that hold the admission policies and the alert rules. */
export const GUARDRAIL_FOLDERS = { policies: 'policies', alerting: 'alerting' } as const;

/** Admission policies and alert rules of one environment. */
export function addGuardrailCharts(app: App, model: PlatformModel, environment: Environment): void {
  const policies = new GitOpsChart(app, `${environment.name}-policies`, {
    environment: environment.name,
    folder: GUARDRAIL_FOLDERS.policies,
    syncWave: SyncWave.CLUSTER_CONFIGURATION,
  });
  new AdmissionPolicies(policies, 'admission-policies', {
    mode: environment.policyMode,
    registryHost: registryHost(model.organization),
    // The one namespace the Kyverno add-on reads exceptions from.
    exceptionNamespace: POLICY_EXCEPTION_NAMESPACE,
  });

  const alerting = new GitOpsChart(app, `${environment.name}-alerting`, {
    environment: environment.name,
    folder: GUARDRAIL_FOLDERS.alerting,
    syncWave: SyncWave.CLUSTER_CONFIGURATION,
  });
  new AlertRules(alerting, 'alert-rules', {
    services: model.services,
    runbooks: {
      repositoryUrl: browsableRepositoryUrl(environment.gitops.repoUrl),
      revision: environment.gitops.targetRevision,
    },
  });
  new AlertmanagerReceiverSecrets(alerting, 'alertmanager-receivers', {
    naming: new EnvironmentNaming(model.organization, environment),
  });
}
