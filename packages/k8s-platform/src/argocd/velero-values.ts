import { ADDON_SERVICE_ACCOUNTS, type Environment, type EnvironmentNaming } from '@platform/model';

/**
 * The plugin that lets Velero write to S3 (its object store; the volume snapshotter it also holds stays unused),
 * at the version that goes with the Velero the chart runs (velero-plugin-for-aws README.md, "Compatibility": plugin
 * v1.14.x for Velero v1.18.x). Pinned by tag, as the charts of the other add-ons pin their images.
 */
export const VELERO_AWS_PLUGIN_IMAGE = 'docker.io/velero/velero-plugin-for-aws:v1.14.3';

/**
 * The user of the Velero image (`USER cnb:cnb` of vmware-tanzu/velero Dockerfile at v1.18.2, the paketo
 * run-jammy-tiny image's `cnb`, uid 1002, gid 1000), set by number so that the kubelet can check runAsNonRoot.
 */
export const VELERO_USER = { uid: 1002, gid: 1000 } as const;

/** Name of Velero's BackupStorageLocation, the default one every Schedule writes to. */
export const VELERO_BACKUP_LOCATION = 'default';

/** The port of Velero's metrics (chart templates/deployment.yaml `http-monitoring`). */
export const VELERO_METRICS_PORT = 8085;

const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  readOnlyRootFilesystem: true,
};

/**
 * The Helm values of the Velero add-on (chart velero 12.2.0, Velero v1.18.2): its AWS identity through EKS Pod
 * Identity (no credentials secret), the environment's backup bucket as the default BackupStorageLocation, volume
 * snapshots through CSI (`EnableCSI`; no VolumeSnapshotLocation, no node agent and so no file-system backup),
 * its metrics scraped by a ServiceMonitor, and a restricted security context. The CRDs come from the chart's
 * crds/ (Argo CD applies them), not from its pre-install Job.
 */
export function veleroValues({
  environment,
  naming,
}: {
  environment: Environment;
  naming: EnvironmentNaming;
}): Record<string, unknown> {
  return {
    upgradeCRDs: false,
    initContainers: [
      {
        name: 'velero-plugin-for-aws',
        image: VELERO_AWS_PLUGIN_IMAGE,
        imagePullPolicy: 'IfNotPresent',
        // The chart's `plugins` emptyDir, which Velero loads its plugins from.
        volumeMounts: [{ mountPath: '/target', name: 'plugins' }],
        securityContext: RESTRICTED_CONTAINER,
        resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } },
      },
    ],
    podSecurityContext: {
      runAsNonRoot: true,
      runAsUser: VELERO_USER.uid,
      runAsGroup: VELERO_USER.gid,
      fsGroup: VELERO_USER.gid,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    containerSecurityContext: RESTRICTED_CONTAINER,
    resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
    credentials: { useSecret: false },
    serviceAccount: { server: { create: true, name: ADDON_SERVICE_ACCOUNTS.velero.name } },
    snapshotsEnabled: false,
    deployNodeAgent: false,
    configuration: {
      backupStorageLocation: [
        {
          name: VELERO_BACKUP_LOCATION,
          provider: 'aws',
          bucket: naming.backupBucketName,
          default: true,
          config: { region: environment.region },
        },
      ],
      features: 'EnableCSI',
    },
    metrics: { enabled: true, serviceMonitor: { enabled: true, autodetect: false } },
  };
}
