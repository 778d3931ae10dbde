import { platformModelInput } from './data';
import type { PlatformModel } from './schema';
import { loadModel } from './validate';

export * from './alarm-thresholds';
export * from './aws-facts';
export * from './backup-schedules';
export * from './cidr';
export * from './cli-errors';
export * from './delivery';
export * from './deployment-context';
export * from './dist-layout';
export * from './dns-records';
export * from './edge-routes';
export * from './entry-point';
export * from './gitops-sync';
export * from './image-reference';
export * from './kubernetes-versions';
export * from './naming';
export * from './network-layout';
export * from './observability';
export * from './people-access';
export * from './prometheus-retention';
export { type QuotaConsumer, teamQuotaIssues } from './quota-rules';
export * from './releases';
export * from './runbooks';
export * from './schema';
export * from './secret-access';
export { SLO_AVAILABILITY_RANGE, SLO_LATENCY_THRESHOLD_SECONDS } from './slo-rules';
export * from './source-errors';
export * from './validate';
export * from './wording';
export * from './workload-capacity';
export { platformModelInput };

/** The shipped model, validated. */
export function loadPlatformModel(): PlatformModel {
  return loadModel(platformModelInput);
}
