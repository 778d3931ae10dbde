import { IssueList, type ModelIssue } from './model-issue';
import { type ModelParts, pick } from './model-parts';
import { PROMETHEUS_RETENTION_DAYS } from './prometheus-retention';

/**
 * Bounds of an availability objective in percent: looser than 90 is no promise worth alerting on, and tighter
 * than 99.999 leaves an error budget too small for the burn-rate windows to measure.
 */
export const SLO_AVAILABILITY_RANGE = { min: 90, max: 99.999 } as const;
/** Bounds of a latency threshold in seconds: 1 ms to 60 s. */
export const SLO_LATENCY_THRESHOLD_SECONDS = { min: 0.001, max: 60 } as const;

/** Each service's objectives: percentages written as percentages, sane thresholds, a window Prometheus keeps. */
export function sloIssues(parts: ModelParts): ModelIssue[] {
  return parts.services.flatMap((part) => {
    const slo = pick(part, 'slo')?.slo;
    if (!slo) return [];
    const list = new IssueList(`services.${part.label}.slo`);
    const { min, max } = SLO_AVAILABILITY_RANGE;
    if (slo.availability > 0 && slo.availability <= 1) {
      list.add(
        'availability',
        `${slo.availability} looks like a fraction; it is a percentage (did you mean ${asPercent(slo.availability)}?), from ${min} to ${max}`,
      );
    } else if (!(slo.availability >= min && slo.availability <= max)) {
      list.add('availability', `${slo.availability} is outside ${min}–${max} (percent of good requests)`);
    }
    if (slo.latency.percentile <= 1) {
      list.add(
        'latency.percentile',
        `${slo.latency.percentile} looks like a fraction; it is a percentage (did you mean ${asPercent(slo.latency.percentile)}?), strictly between 0 and 100`,
      );
    }
    const threshold = SLO_LATENCY_THRESHOLD_SECONDS;
    if (!(slo.latency.thresholdSeconds >= threshold.min && slo.latency.thresholdSeconds <= threshold.max)) {
      list.add(
        'latency.thresholdSeconds',
        `${slo.latency.thresholdSeconds} s is outside ${threshold.min}–${threshold.max} s (1 ms to 60 s)`,
      );
    }
    if (slo.windowDays > PROMETHEUS_RETENTION_DAYS) {
      list.add(
        'windowDays',
        `${slo.windowDays} days is longer than Prometheus keeps data (${PROMETHEUS_RETENTION_DAYS} days); allowed: 1 to ${PROMETHEUS_RETENTION_DAYS}`,
      );
    }
    return list.issues;
  });
}

/** A fraction as the percentage it was meant to be, without binary noise (0.999 → 99.9). */
function asPercent(fraction: number): number {
  return Number((fraction * 100).toPrecision(12));
}
