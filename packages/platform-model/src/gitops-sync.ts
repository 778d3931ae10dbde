/**
 * How every Argo CD Application of the platform retries a failed sync, the root Application of the AWS half
 * and its children in dist/ alike: 5 retries, waiting 10 s, then twice as long each time, at most 3 min.
 * Shape: `spec.syncPolicy.retry` of an Application (argoproj.io/v1alpha1, Argo CD 3.5.1); durations are
 * Go duration strings.
 */
export const GITOPS_SYNC_RETRY = {
  limit: 5,
  backoff: { duration: '10s', factor: 2, maxDuration: '3m' },
} as const;
