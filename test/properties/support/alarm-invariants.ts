/**
 * What must hold of the CloudWatch alarms for any valid model: every database, cache, queue and edge load balancer
 * of every environment has its alarms with the model's thresholds (or the documented defaults), every alarm notifies
 * exactly its environment's alarm topic and links an existing runbook, none names another environment, and every
 * alarm on a Metrics Insights query holds that one query alone.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  EnvironmentNaming,
  type PlatformModel,
  postgresMaxConnections,
  queueStackId,
  serviceStackId,
} from '@platform/model';
import type { Templates } from './aws-invariants';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON has no static shape
type Json = any;

const RUNBOOKS = join(__dirname, '..', '..', '..', 'docs', 'runbooks');

/** The documented defaults (docs/model.md, docs/observability.md), written out here, not read from the code. */
const DEFAULTS = {
  cpuPercent: 80,
  connectionsPercent: 80,
  memoryPercent: 80,
  engineCpuPercent: 90,
  evictionsPer5Minutes: 0,
  replicationLagSeconds: 30,
  elb5xxPerMinute: 5,
  target5xxPerMinute: 25,
};

/** The alarms of a stack by name. */
function alarmsOf(templates: Templates, stackId: string): Map<string, Json> {
  const resources = templates.byStack.get(stackId)?.resources ?? {};
  return new Map(
    Object.values(resources)
      .filter((resource) => resource.Type === 'AWS::CloudWatch::Alarm')
      .map((resource) => [String(resource.Properties?.AlarmName), resource.Properties]),
  );
}

/**
 * Every alarm of every stack that reads a CloudWatch Metrics Insights query (an expression with `SELECT `) holds that
 * one query alone, returned as the alarm's series: CloudWatch evaluates an alarm's metrics as one GetMetricData
 * operation, which can include only one Metrics Insights query (CloudWatch User Guide, "Metrics Insights quotas"),
 * and metric math around the query would need a second query or a metric beside it.
 */
export function metricsInsightsProblems(templates: Templates): string[] {
  const problems: string[] = [];
  for (const [stackId, { resources }] of templates.byStack) {
    for (const [id, resource] of Object.entries(resources)) {
      if (resource.Type !== 'AWS::CloudWatch::Alarm') continue;
      const metrics: Json[] = (resource.Properties as Json)?.Metrics ?? [];
      if (!metrics.some((metric) => JSON.stringify(metric.Expression ?? '').includes('SELECT '))) continue;
      if (metrics.length !== 1 || metrics[0].ReturnData !== true)
        problems.push(
          `${stackId} ${id}: a Metrics Insights alarm must hold exactly one query with ReturnData true, not ${JSON.stringify(
            metrics.map((metric) => ({ Id: metric.Id, Expression: metric.Expression, ReturnData: metric.ReturnData })),
          )}`,
        );
    }
  }
  return problems;
}

export function alarmProblems(model: PlatformModel, templates: Templates): string[] {
  const problems: string[] = [...metricsInsightsProblems(templates)];
  const prefixes = model.environments.map(
    (environment) => new EnvironmentNaming(model.organization, environment).prefix,
  );
  for (const environment of model.environments) {
    const naming = new EnvironmentNaming(model.organization, environment);
    const topicArn = `arn:aws:sns:${environment.region}:${environment.account}:${environment.alarmTopicName}`;
    const given = environment.alarms ?? {};
    const expect = (stackId: string, name: string, check: (alarm: Json) => string | undefined) => {
      const alarm = alarmsOf(templates, stackId).get(name);
      const problem = alarm ? check(alarm) : 'no such alarm';
      if (problem) problems.push(`${stackId} ${name}: ${problem}`);
    };
    const threshold = (value: number, operator: string) => (alarm: Json) =>
      alarm.Threshold === value && alarm.ComparisonOperator === operator
        ? undefined
        : `threshold ${alarm.ComparisonOperator} ${alarm.Threshold}, expected ${operator} ${value}`;

    for (const service of model.services) {
      const stackId = serviceStackId(environment.name, service.name);
      if (service.dependencies.database) {
        const name = naming.databaseInstanceIdentifier(service.name);
        const maxConnections =
          given.database?.maxConnections ?? postgresMaxConnections(environment.database.instanceClass) ?? Number.NaN;
        const percent = given.database?.connectionsPercent ?? DEFAULTS.connectionsPercent;
        const freeGiB =
          given.database?.freeStorageGiB ?? Math.max(1, Math.ceil(environment.database.allocatedStorageGiB / 20));
        expect(
          stackId,
          `${name}-database-cpu`,
          threshold(given.database?.cpuPercent ?? DEFAULTS.cpuPercent, 'GreaterThanThreshold'),
        );
        expect(stackId, `${name}-database-free-storage`, threshold(freeGiB * 1024 ** 3, 'LessThanThreshold'));
        expect(
          stackId,
          `${name}-database-connections`,
          threshold(Math.max(1, Math.floor((maxConnections * percent) / 100)), 'GreaterThanThreshold'),
        );
      }
      if (service.dependencies.cache) {
        const name = naming.cacheReplicationGroupId(service.name);
        const nodes = Array.from({ length: 1 + environment.cache.replicas }, (_, i) => `${name}-00${i + 1}`);
        const watchesEveryNode = (alarm: Json) => {
          const ids = JSON.stringify(alarm).match(new RegExp(`${name}-\\d{3}`, 'g')) ?? [];
          return JSON.stringify([...new Set(ids)].sort()) === JSON.stringify(nodes)
            ? undefined
            : `watches nodes ${[...new Set(ids)]}, expected ${nodes}`;
        };
        const both =
          (...checks: ((alarm: Json) => string | undefined)[]) =>
          (alarm: Json) =>
            checks.map((check) => check(alarm)).find(Boolean);
        const cache = { ...DEFAULTS, ...given.cache };
        expect(
          stackId,
          `${name}-cache-memory`,
          both(threshold(cache.memoryPercent, 'GreaterThanThreshold'), watchesEveryNode),
        );
        expect(
          stackId,
          `${name}-cache-engine-cpu`,
          both(threshold(cache.engineCpuPercent, 'GreaterThanThreshold'), watchesEveryNode),
        );
        expect(
          stackId,
          `${name}-cache-evictions`,
          both(threshold(cache.evictionsPer5Minutes, 'GreaterThanThreshold'), watchesEveryNode),
        );
        const lag = alarmsOf(templates, stackId).has(`${name}-cache-replication-lag`);
        if (environment.cache.replicas > 0) {
          expect(
            stackId,
            `${name}-cache-replication-lag`,
            threshold(cache.replicationLagSeconds, 'GreaterThanThreshold'),
          );
        } else if (lag) {
          problems.push(`${stackId}: a replication lag alarm for a cache without replicas`);
        }
      }
    }
    for (const queue of model.queues) {
      const stackId = queueStackId(environment.name, queue.name);
      expect(stackId, `${naming.deadLetterQueueName(queue.name)}-not-empty`, (alarm) =>
        alarm.TreatMissingData === 'notBreaching'
          ? threshold(0, 'GreaterThanThreshold')(alarm)
          : 'missing data must not breach',
      );
      expect(
        stackId,
        `${naming.queueName(queue.name)}-oldest-message-age`,
        threshold(queue.maxMessageAgeSeconds, 'GreaterThanThreshold'),
      );
    }
    const cluster = `${environment.name}-cluster`;
    const byTag = (alarm: Json) => {
      const queries = (alarm.Metrics as Json[]).filter((m) => String(m.Expression).startsWith('SELECT'));
      return queries.length > 0 &&
        queries.every((m) => m.Expression.endsWith(`WHERE tag.platformEdge = '${naming.prefix}'`))
        ? undefined
        : `its queries do not select the environment's edge tag: ${JSON.stringify(queries)}`;
    };
    const edge = { ...DEFAULTS, ...given.loadBalancer };
    for (const [name, value, operator] of [
      ['edge-load-balancer-5xx', edge.elb5xxPerMinute, 'GreaterThanThreshold'],
      ['edge-target-5xx', edge.target5xxPerMinute, 'GreaterThanThreshold'],
      ['edge-unhealthy-targets', 0, 'GreaterThanThreshold'],
      ['edge-no-healthy-targets', 1, 'LessThanThreshold'],
    ] as const) {
      expect(cluster, `${naming.prefix}-${name}`, (alarm) => threshold(value, operator)(alarm) ?? byTag(alarm));
    }

    // Every alarm of the environment's stacks: the topic, the runbook, its own names only.
    const others = prefixes.filter((prefix) => prefix !== naming.prefix && !prefix.startsWith(`${naming.prefix}-`));
    for (const [stackId, { resources }] of templates.byStack) {
      if (!stackId.startsWith(`${environment.name}-`)) continue;
      if (
        model.environments.some(
          (o) =>
            o.name !== environment.name &&
            o.name.startsWith(`${environment.name}-`) &&
            stackId.startsWith(`${o.name}-`),
        )
      )
        continue;
      for (const [id, resource] of Object.entries(resources)) {
        if (resource.Type !== 'AWS::CloudWatch::Alarm') continue;
        const alarm = resource.Properties as Json;
        const place = `${stackId} ${id}`;
        if (JSON.stringify(alarm.AlarmActions) !== JSON.stringify([topicArn]))
          problems.push(`${place}: notifies ${JSON.stringify(alarm.AlarmActions)}, not ${topicArn}`);
        if (alarm.OKActions !== undefined || alarm.InsufficientDataActions !== undefined)
          problems.push(`${place}: has OK or INSUFFICIENT_DATA actions`);
        if (!String(alarm.AlarmName).startsWith(`${naming.prefix}-`))
          problems.push(`${place}: name ${alarm.AlarmName} is not one the topic accepts (${naming.prefix}-…)`);
        const runbook = /Runbook: (\S+)$/.exec(String(alarm.AlarmDescription))?.[1] ?? '';
        const page = /\/docs\/runbooks\/([A-Za-z0-9]+)\.md$/.exec(runbook)?.[1];
        if (!page || !existsSync(join(RUNBOOKS, `${page}.md`)))
          problems.push(`${place}: runbook link '${runbook}' names no page of docs/runbooks/`);
        const text = JSON.stringify(alarm);
        for (const other of others) {
          if (new RegExp(`${other}-|'${other}'`).test(text.replaceAll(`${naming.prefix}-`, '')))
            problems.push(`${place}: names ${other}, another environment`);
        }
      }
    }
  }

  // Resource tags for telemetry: at most one switch per account and region; one where no environment says otherwise.
  const groups = new Map<string, PlatformModel['environments']>();
  for (const environment of model.environments) {
    const key = `${environment.account} ${environment.region}`;
    groups.set(key, [...(groups.get(key) ?? []), environment]);
  }
  for (const [key, environments] of groups) {
    const count = environments.filter((environment) =>
      Object.values(templates.byStack.get(`${environment.name}-cluster`)?.resources ?? {}).some(
        (resource) => resource.Type === 'AWS::ObservabilityAdmin::TelemetryEnrichment',
      ),
    ).length;
    const unsaid = environments.every(
      (environment) => environment.alarms?.loadBalancer?.resourceTagsForTelemetry === undefined,
    );
    if (count > 1 || (unsaid && count !== 1))
      problems.push(`${key}: ${count} stacks turn on resource tags for telemetry`);
  }

  // A tag filter matches nothing before the setting is on: where a stack turns it on, its alarms come after it.
  for (const [stackId, { resources }] of templates.byStack) {
    const enrichments = Object.keys(resources).filter(
      (id) => resources[id].Type === 'AWS::ObservabilityAdmin::TelemetryEnrichment',
    );
    for (const [id, resource] of Object.entries(resources)) {
      if (resource.Type !== 'AWS::CloudWatch::Alarm' || !JSON.stringify(resource.Properties).includes('WHERE tag.'))
        continue;
      const dependsOn = [(resource as Json).DependsOn ?? []].flat();
      for (const enrichment of enrichments.filter((candidate) => !dependsOn.includes(candidate)))
        problems.push(`${stackId} ${id}: queries by tag but is not created after ${enrichment}`);
    }
  }
  return problems;
}
