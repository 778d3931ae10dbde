import type { Environment } from './schema';

/** Days CloudWatch Logs keeps container and node logs when the model gives none (`observability.logs.retentionDays`). */
export const DEFAULT_LOG_RETENTION_DAYS = 30;

/** Fraction of new traces recorded when the model gives none (`observability.traces.samplingRatio`). */
export const DEFAULT_TRACE_SAMPLING_RATIO = 0.1;

/** An environment's observability settings with every default filled in. */
export interface ObservabilitySettings {
  /** Days CloudWatch Logs keeps the container and node log groups. */
  readonly logRetentionDays: number;
  /** Fraction (0 to 1) of new traces the services' SDKs record. */
  readonly traceSamplingRatio: number;
}

/** The environment's `observability` with the defaults of the fields it leaves out. */
export function observabilityOf(environment: Pick<Environment, 'observability'>): ObservabilitySettings {
  return {
    logRetentionDays: environment.observability?.logs?.retentionDays ?? DEFAULT_LOG_RETENTION_DAYS,
    traceSamplingRatio: environment.observability?.traces?.samplingRatio ?? DEFAULT_TRACE_SAMPLING_RATIO,
  };
}
