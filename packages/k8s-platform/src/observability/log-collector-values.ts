import type { Environment, EnvironmentNaming } from '@platform/model';
import { LOG_COLLECTOR, LOG_COLLECTOR_METRICS_PORT } from './telemetry-collectors';

/** Where Fluent Bit keeps its read positions and its buffer on the node, so a restart neither loses nor repeats lines. */
const STATE_DIRECTORY = '/var/fluent-bit/state';

/**
 * Security context of the Fluent Bit container: root, because the container logs under /var/log/pods and the
 * journal are readable by their owner root only (0640), but with every capability dropped (reading a file one owns
 * needs none), no privilege escalation and a read-only root filesystem; it writes only to its state directory.
 */
export const LOG_COLLECTOR_SECURITY_CONTEXT = {
  runAsUser: 0,
  runAsGroup: 0,
  privileged: false,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
} as const;

/** The aliases of the two outputs: the `name` label of their metrics. */
export const LOG_COLLECTOR_OUTPUTS = { containers: 'cloudwatch-containers', nodes: 'cloudwatch-nodes' } as const;

/** Requests and the memory limit of each Fluent Bit pod: its buffers are capped below (Mem_Buf_Limit, storage). */
export const LOG_COLLECTOR_RESOURCES = {
  requests: { cpu: '50m', memory: '64Mi' },
  limits: { memory: '256Mi' },
} as const;

/** The host paths Fluent Bit mounts: the logs and journal (read-only), its state, and the machine ID the journal needs. */
export const LOG_COLLECTOR_HOST_PATHS = {
  varlog: { path: '/var/log', readOnly: true },
  state: { path: STATE_DIRECTORY, type: 'DirectoryOrCreate', readOnly: false },
  etcmachineid: { path: '/etc/machine-id', type: 'File', readOnly: true },
} as const;

/**
 * Values of the fluent-bit chart (fluent/helm-charts, tag fluent-bit-0.58.1, Fluent Bit 5.1.1): a DaemonSet on every
 * node, tolerating every taint, that ships
 * - every container's output (`/var/log/containers`, CRI format) to `containerLogGroupName`, one stream per
 *   namespace, pod and container, with the pod's Kubernetes metadata; a JSON line's fields are merged into the
 *   record (`Merge_Log`), so they stay fields in CloudWatch Logs Insights;
 * - the kubelet's and containerd's journal to `nodeLogGroupName`, one stream per node and unit.
 * The `cloudwatch_logs` output never creates a log group (`auto_create_group Off`): the cloud stack creates both
 * with their retention and key, and the collector's role may only create streams and put events in them. It gets
 * its credentials from EKS Pod Identity (supported by Fluent Bit's AWS credential chain since 4.0).
 */
export function logCollectorValues(environment: Environment, naming: EnvironmentNaming): Record<string, unknown> {
  const output = (alias: string, match: string, logGroup: string, streamTemplate: string, fallbackPrefix: string) =>
    [
      '[OUTPUT]',
      '    Name cloudwatch_logs',
      // The output's name in its metrics' `name` label (flb_output_name), which the log collector's alerts report.
      `    Alias ${alias}`,
      `    Match ${match}`,
      `    region ${environment.region}`,
      `    log_group_name ${logGroup}`,
      `    log_stream_template ${streamTemplate}`,
      `    log_stream_prefix ${fallbackPrefix}`,
      '    auto_create_group Off',
      '    Retry_Limit 10',
    ].join('\n');
  return {
    testFramework: { enabled: false },
    serviceAccount: { create: true, name: LOG_COLLECTOR.serviceAccount },
    securityContext: LOG_COLLECTOR_SECURITY_CONTEXT,
    resources: LOG_COLLECTOR_RESOURCES,
    // Its metrics, scraped by Prometheus (the log collector's alerts): the chart's ServiceMonitor on the Service port
    // `http`, path /api/v2/metrics/prometheus (templates/servicemonitor.yaml). The chart renders it only where the
    // cluster serves monitoring.coreos.com/v1, which kube-prometheus-stack installs.
    serviceMonitor: { enabled: true },
    // Logs of every node: the system node group's and any other taint included.
    tolerations: [{ operator: 'Exists' }],
    config: {
      service: [
        '[SERVICE]',
        '    Daemon Off',
        '    Flush 5',
        '    Log_Level info',
        '    Parsers_File /fluent-bit/etc/parsers.conf',
        '    Parsers_File /fluent-bit/etc/conf/custom_parsers.conf',
        '    HTTP_Server On',
        '    HTTP_Listen 0.0.0.0',
        `    HTTP_Port ${LOG_COLLECTOR_METRICS_PORT}`,
        '    Health_Check On',
        `    storage.path ${STATE_DIRECTORY}/buffer/`,
        '    storage.sync normal',
        '    storage.backlog.mem_limit 16M',
      ].join('\n'),
      inputs: [
        '[INPUT]',
        '    Name tail',
        '    Tag kube.*',
        '    Path /var/log/containers/*.log',
        '    multiline.parser cri',
        `    DB ${STATE_DIRECTORY}/containers.db`,
        '    DB.locking true',
        '    Mem_Buf_Limit 32MB',
        '    Skip_Long_Lines On',
        '    Refresh_Interval 10',
        '    storage.type filesystem',
        '',
        '[INPUT]',
        '    Name systemd',
        '    Tag node.*',
        '    Path /var/log/journal',
        '    Systemd_Filter _SYSTEMD_UNIT=kubelet.service',
        '    Systemd_Filter _SYSTEMD_UNIT=containerd.service',
        `    DB ${STATE_DIRECTORY}/journal.db`,
        '    Read_From_Tail On',
        '    Strip_Underscores On',
        '    storage.type filesystem',
      ].join('\n'),
      filters: [
        '[FILTER]',
        '    Name kubernetes',
        '    Match kube.*',
        '    Kube_Tag_Prefix kube.var.log.containers.',
        '    Merge_Log On',
        '    Keep_Log Off',
        '    K8S-Logging.Parser On',
        '    K8S-Logging.Exclude On',
        '    Labels On',
        '    Annotations Off',
        '    Buffer_Size 0',
      ].join('\n'),
      outputs: [
        output(
          LOG_COLLECTOR_OUTPUTS.containers,
          'kube.*',
          naming.containerLogGroupName,
          "$kubernetes['namespace_name'].$kubernetes['pod_name'].$kubernetes['container_name']",
          'container.',
        ),
        '',
        output(LOG_COLLECTOR_OUTPUTS.nodes, 'node.*', naming.nodeLogGroupName, '$HOSTNAME.$SYSTEMD_UNIT', 'node.'),
      ].join('\n'),
    },
    daemonSetVolumes: Object.entries(LOG_COLLECTOR_HOST_PATHS).map(([name, { readOnly: _, ...hostPath }]) => ({
      name,
      hostPath,
    })),
    daemonSetVolumeMounts: Object.entries(LOG_COLLECTOR_HOST_PATHS).map(([name, { path, readOnly }]) => ({
      name,
      mountPath: path,
      ...(readOnly ? { readOnly } : {}),
    })),
  };
}
