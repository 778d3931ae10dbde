import {
  AdmissionPolicies,
  AlertmanagerReceiverSecrets,
  AlertRules,
  addonAlertGroups,
  backupAlertGroup,
  GitOpsChart,
  POLICY_EXCEPTION_NAMESPACE,
  SyncWave,
} from '@platform/k8s-platform';
import {
  backupSchedules,
  type Environment,
  EnvironmentNaming,
  environmentRunbooks,
  type PlatformModel,
  registryHost,
  secretReaderRolesByNamespace,
  secretReaders,
} from '@platform/model';
import type { App } from 'cdk8s';

/** Folders of dist/<env>/ that hold the admission policies, the alert rules and the alert receivers' credentials. */
export const GUARDRAIL_FOLDERS = {
  policies: 'policies',
  alerting: 'alerting',
  alertReceivers: 'alerting/receivers',
} as const;

/** Admission policies and alert rules of one environment. */
export function addGuardrailCharts(app: App, model: PlatformModel, environment: Environment): void {
  const policies = new GitOpsChart(app, `${environment.name}-policies`, {
    environment: environment.name,
    folder: GUARDRAIL_FOLDERS.policies,
    syncWave: SyncWave.CLUSTER_CONFIGURATION,
  });
  const naming = new EnvironmentNaming(model.organization, environment);
  new AdmissionPolicies(policies, 'admission-policies', {
    mode: environment.policyMode,
    registryHost: registryHost(model.organization),
    // The roles the namespaces' own SecretStores assume (NamespaceSecretStores), from the same contract.
    secretReaderRoles: secretReaderRolesByNamespace(secretReaders(naming, model.teams, model.services)),
    // The one namespace the Kyverno add-on reads exceptions from.
    exceptionNamespace: POLICY_EXCEPTION_NAMESPACE,
  });

  const alerting = new GitOpsChart(app, `${environment.name}-alerting`, {
    environment: environment.name,
    folder: GUARDRAIL_FOLDERS.alerting,
    syncWave: SyncWave.CLUSTER_CONFIGURATION,
  });
  const runbooks = environmentRunbooks(environment);
  new AlertRules(alerting, 'alert-rules', {
    services: model.services,
    runbooks,
    additionalGroups: [
      backupAlertGroup(backupSchedules(environment, model.teams), runbooks),
      ...addonAlertGroups(environment, runbooks),
    ],
  });
  // Degraded until an operator fills the receivers' secrets: in the last wave, so no other folder waits for them.
  const receivers = new GitOpsChart(app, `${environment.name}-alerting-receivers`, {
    environment: environment.name,
    folder: GUARDRAIL_FOLDERS.alertReceivers,
    syncWave: SyncWave.OPERATOR_SUPPLIED,
  });
  new AlertmanagerReceiverSecrets(receivers, 'alertmanager-receivers', { naming });
}
