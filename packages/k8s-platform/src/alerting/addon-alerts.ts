import { type Environment, type RunbookLocation, runbookUrl } from '@platform/model';
import { EXTERNAL_DNS_INTERVAL_MINUTES } from '../edge/external-dns';
import type { RuleGroup } from './rule-groups';

/*
 * Alerts on the add-ons that move the platform's own signals and records: the log collector (Fluent Bit), the trace
 * collector (OpenTelemetry Collector) and external-dns. Every metric name below was read in the add-on's source at
 * the version its chart runs; the chart's ServiceMonitor has Prometheus scrape it (the add-on's values), and the
 * namespace's NetworkPolicies admit Prometheus on that port only.
 */

/** How far back FluentBitRecordsDropped looks for records Fluent Bit gave up on. */
export const LOG_LOSS_WINDOW = '15m';

/** How long an output or an exporter must keep failing before its alert fires. */
export const PERSISTENT_FAILURE_FOR = '15m';

/** ExternalDnsSyncStale fires once the last successful sync is this many sync intervals old. */
export const STALE_SYNC_INTERVALS = 3;

const ADDON_LABELS = 'namespace, pod';

/**
 * Fluent Bit 5.1.1 (the chart 0.58.1's `appVersion`), scraped at /api/v2/metrics/prometheus: each output instance's
 * counters, labelled `name` (the output's `Alias`), from fluent/fluent-bit src/flb_output.c at v5.1.1
 * (`cmt_counter_create(ins->cmt, "fluentbit", "output", …)`, written by cmetrics' Prometheus encoder as
 * `fluentbit_output_<name>`; src/http_server/api/v2/metrics.c):
 * - `fluentbit_output_dropped_records_total`: records given up on (an unrecoverable error, or retries exhausted);
 * - `fluentbit_output_retries_failed_total`: chunks abandoned after `Retry_Limit` retries;
 * - `fluentbit_output_errors_total`: failed flushes, retried or not.
 */
export function logCollectorAlertGroup(runbooks: RunbookLocation): RuleGroup {
  return {
    name: 'log-collector',
    rules: [
      {
        alert: 'FluentBitRecordsDropped',
        expr:
          `sum by (${ADDON_LABELS}, name) (increase(fluentbit_output_dropped_records_total[${LOG_LOSS_WINDOW}])) > 0\n` +
          `or sum by (${ADDON_LABELS}, name) (increase(fluentbit_output_retries_failed_total[${LOG_LOSS_WINDOW}])) > 0`,
        labels: { severity: 'warning' },
        annotations: {
          summary: 'Fluent Bit dropped log records that never reached CloudWatch Logs.',
          description: `Output {{ $labels.name }} of {{ $labels.pod }} dropped log records or abandoned chunks after its retries in the last ${LOG_LOSS_WINDOW}: those lines are not in CloudWatch Logs.`,
          runbook_url: runbookUrl(runbooks, 'FluentBitRecordsDropped'),
        },
      },
      {
        alert: 'FluentBitOutputFailing',
        expr: `sum by (${ADDON_LABELS}, name) (rate(fluentbit_output_errors_total[5m])) > 0`,
        for: PERSISTENT_FAILURE_FOR,
        labels: { severity: 'warning' },
        annotations: {
          summary: 'A Fluent Bit output keeps failing to send to CloudWatch Logs.',
          description: `Output {{ $labels.name }} of {{ $labels.pod }} has failed to flush to CloudWatch Logs in every 5-minute window for ${PERSISTENT_FAILURE_FOR}; its records wait in the buffer until its retries run out.`,
          runbook_url: runbookUrl(runbooks, 'FluentBitOutputFailing'),
        },
      },
    ],
  };
}

/**
 * The OpenTelemetry Collector 0.158.0 (the chart 0.170.0's `appVersion`), its own metrics from its Prometheus
 * reader. Names from open-telemetry/opentelemetry-collector at v0.158.0,
 * exporter/exporterhelper/internal/metadata/generated_telemetry.go (`otelcol_exporter_send_failed_spans`,
 * `otelcol_exporter_enqueue_failed_spans`, attribute `exporter`) and
 * receiver/receiverhelper/internal/metadata/generated_telemetry.go (`otelcol_receiver_refused_spans`, attributes
 * `receiver`, `transport`), all Int64Counters of unit `{span}`. The collector's reader
 * (service/telemetry/otelconftelemetry, go.opentelemetry.io/contrib/otelconf v0.24.0 v0.3.0/metric.go) exports with
 * the translation strategy NoUTF8EscapingWithSuffixes unless both `without_type_suffix` and `without_units` are set:
 * a counter gets `_total` (github.com/prometheus/otlptranslator v1.0.0 metric_namer.go) and a unit in braces no
 * suffix, whichever exposition format Prometheus 3 negotiates (the names have no character to escape).
 */
export function traceCollectorAlertGroup(runbooks: RunbookLocation): RuleGroup {
  return {
    name: 'trace-collector',
    rules: [
      {
        alert: 'OtelCollectorExportFailing',
        expr:
          `sum by (namespace, exporter) (rate(otelcol_exporter_send_failed_spans_total[5m])) > 0\n` +
          `or sum by (namespace, exporter) (rate(otelcol_exporter_enqueue_failed_spans_total[5m])) > 0`,
        for: PERSISTENT_FAILURE_FOR,
        labels: { severity: 'warning' },
        annotations: {
          summary: 'The trace collector keeps failing to export spans.',
          description: `Exporter {{ $labels.exporter }} of the trace collector in {{ $labels.namespace }} has failed to send or queue spans for ${PERSISTENT_FAILURE_FOR}: those traces are missing in X-Ray.`,
          runbook_url: runbookUrl(runbooks, 'OtelCollectorExportFailing'),
        },
      },
      {
        alert: 'OtelCollectorRefusingSpans',
        expr: 'sum by (namespace, receiver) (rate(otelcol_receiver_refused_spans_total[5m])) > 0',
        for: '10m',
        labels: { severity: 'warning' },
        annotations: {
          summary: 'The trace collector refuses spans that services send.',
          description:
            'Receiver {{ $labels.receiver }} of the trace collector in {{ $labels.namespace }} has refused spans for 10 minutes (its pipeline pushes back, most often its memory limiter): the services drop them.',
          runbook_url: runbookUrl(runbooks, 'OtelCollectorRefusingSpans'),
        },
      },
    ],
  };
}

/**
 * external-dns 0.22.0 (the chart 1.22.0's `appVersion`): kubernetes-sigs/external-dns controller/metrics.go at
 * v0.22.0, namespace `external_dns` (pkg/metrics/metrics.go): `external_dns_registry_errors_total` (reading or
 * changing the zone's records failed), `external_dns_source_errors_total` (reading the Ingresses failed) and
 * `external_dns_controller_last_sync_timestamp_seconds` (set at the end of each successful run, Unix seconds; 0 until
 * the first, so it also covers a controller that never synced), all without labels of their own
 * (controller/controller.go `RunOnce`).
 */
export function externalDnsAlertGroup(runbooks: RunbookLocation): RuleGroup {
  const staleMinutes = EXTERNAL_DNS_INTERVAL_MINUTES * STALE_SYNC_INTERVALS;
  return {
    name: 'external-dns',
    rules: [
      {
        alert: 'ExternalDnsSyncFailing',
        expr:
          'sum by (namespace) (increase(external_dns_registry_errors_total[15m])) > 0\n' +
          'or sum by (namespace) (increase(external_dns_source_errors_total[15m])) > 0',
        for: PERSISTENT_FAILURE_FOR,
        labels: { severity: 'warning' },
        annotations: {
          summary: 'external-dns keeps failing to read or change DNS records.',
          description: `external-dns in {{ $labels.namespace }} has had registry or source errors in every 15-minute window for ${PERSISTENT_FAILURE_FOR}: new or changed edge hosts get no record.`,
          runbook_url: runbookUrl(runbooks, 'ExternalDnsSyncFailing'),
        },
      },
      {
        alert: 'ExternalDnsSyncStale',
        expr: `time() - max by (namespace) (external_dns_controller_last_sync_timestamp_seconds) > ${staleMinutes * 60}`,
        for: '10m',
        labels: { severity: 'warning' },
        annotations: {
          summary: `external-dns has not synced the zone for ${STALE_SYNC_INTERVALS} of its intervals.`,
          description: `external-dns in {{ $labels.namespace }} has had no successful sync for more than ${staleMinutes} minutes (its interval is ${EXTERNAL_DNS_INTERVAL_MINUTES} minutes): the edge's records may be out of date.`,
          runbook_url: runbookUrl(runbooks, 'ExternalDnsSyncStale'),
        },
      },
    ],
  };
}

/**
 * The add-ons' rule groups of an environment: the collectors' always, external-dns's where it runs (the model names
 * a hosted zone, `edge.hostedZone`).
 */
export function addonAlertGroups(environment: Environment, runbooks: RunbookLocation): RuleGroup[] {
  return [
    logCollectorAlertGroup(runbooks),
    traceCollectorAlertGroup(runbooks),
    ...(environment.edge.hostedZone ? [externalDnsAlertGroup(runbooks)] : []),
  ];
}
