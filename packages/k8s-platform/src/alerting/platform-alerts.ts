import { type RunbookLocation, runbookUrl } from '@platform/model';
import type { RuleGroup } from './rule-groups';
import { latencyQuantile, requestRate, SERVER_ERROR_MATCHER } from './service-metrics';

/** Window of the platform alerts on the service metrics (HighErrorRate, HighLatencyP99). */
export const SERVICE_ALERT_WINDOW = '5m';

/** HighErrorRate fires above this share of 5xx responses (5%). */
export const HIGH_ERROR_RATIO = 0.05;

/** HighLatencyP99 fires above this 99th percentile of the request durations, in seconds. */
export const HIGH_LATENCY_P99_SECONDS = 2;

/** Filesystems that are not node disks: their fullness is no disk pressure. */
const VIRTUAL_FILESYSTEMS = 'fstype!~"tmpfs|overlay|squashfs|nsfs|ramfs"';

/**
 * The platform's base alerts, on the service metrics (`http_requests_total{service,method,route,status}`,
 * `http_request_duration_seconds`) and on kube-state-metrics and node-exporter.
 */
export function platformAlertGroup(runbooks: RunbookLocation): RuleGroup {
  return {
    name: 'platform-alerts',
    rules: [
      {
        alert: 'HighErrorRate',
        // Requests without traffic give no ratio at all rather than 0/0.
        expr:
          `${requestRate(SERVICE_ALERT_WINDOW, [SERVER_ERROR_MATCHER])}\n` +
          `  / (${requestRate(SERVICE_ALERT_WINDOW)} > 0)\n` +
          `> ${HIGH_ERROR_RATIO}`,
        for: '5m',
        labels: { severity: 'critical' },
        annotations: {
          summary: 'More than 5% of the requests of a service fail with a 5xx status.',
          description:
            '{{ $labels.service }} in {{ $labels.namespace }} answered {{ $value | humanizePercentage }} of its requests with a 5xx status over the last 5 minutes (threshold 5%).',
          runbook_url: runbookUrl(runbooks, 'HighErrorRate'),
        },
      },
      {
        alert: 'PodCrashLooping',
        // increase() extrapolates to the window's edges, so exactly 5 restarts can read as 5.1 (always so in
        // Prometheus 3, whose ranges are left-open): "more than 5" is compared as "at least 6".
        expr: 'increase(kube_pod_container_status_restarts_total[1h]) >= 6',
        for: '5m',
        labels: { severity: 'critical' },
        annotations: {
          summary: 'A container restarted more than 5 times in an hour.',
          description:
            'Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} restarted {{ printf "%.0f" $value }} times in the last hour.',
          runbook_url: runbookUrl(runbooks, 'PodCrashLooping'),
        },
      },
      {
        alert: 'HighLatencyP99',
        expr: `${latencyQuantile(0.99, SERVICE_ALERT_WINDOW)}\n> ${HIGH_LATENCY_P99_SECONDS}`,
        for: '5m',
        labels: { severity: 'warning' },
        annotations: {
          summary: 'The p99 request latency of a service is above 2 seconds.',
          description:
            'The 99th percentile latency of {{ $labels.service }} in {{ $labels.namespace }} is {{ $value | humanizeDuration }} over the last 5 minutes (threshold 2s).',
          runbook_url: runbookUrl(runbooks, 'HighLatencyP99'),
        },
      },
      {
        alert: 'NodeDiskPressure',
        expr:
          `node_filesystem_avail_bytes{${VIRTUAL_FILESYSTEMS}}\n` +
          `  / node_filesystem_size_bytes{${VIRTUAL_FILESYSTEMS}}\n` +
          '< 0.1',
        for: '10m',
        labels: { severity: 'warning' },
        annotations: {
          summary: 'A node filesystem has less than 10% free space.',
          description:
            'Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has {{ $value | humanizePercentage }} free (threshold 10%).',
          runbook_url: runbookUrl(runbooks, 'NodeDiskPressure'),
        },
      },
      {
        alert: 'DeploymentReplicasMismatch',
        expr: 'kube_deployment_spec_replicas != kube_deployment_status_replicas_available',
        for: '5m',
        labels: { severity: 'warning' },
        annotations: {
          summary: 'A Deployment has not had its desired number of available replicas for 5 minutes.',
          description:
            'Deployment {{ $labels.namespace }}/{{ $labels.deployment }} has not had all of its {{ $value }} desired replicas available for 5 minutes.',
          runbook_url: runbookUrl(runbooks, 'DeploymentReplicasMismatch'),
        },
      },
    ],
  };
}
