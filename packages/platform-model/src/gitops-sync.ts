/**
 * How every Argo CD Application of the platform retries a failed sync, the root Application of the AWS half
 * and its children in dist/ alike: without end (a negative limit), waiting 10 s, then twice as long each
 * time, at most 3 min. On day one much turns healthy only after the sync starts — the data stack's secrets
 * that ExternalSecrets read, Prometheus' volume — and after its last failed retry Argo CD never syncs that
 * revision again by itself ("Skipping auto-sync: failed previous sync attempt"), so a finite limit would
 * leave the cluster half-deployed until someone syncs by hand.
 * Shape: `spec.syncPolicy.retry` of an Application (argoproj.io/v1alpha1, Argo CD 3.5.1); durations are
 * Go duration strings.
 */
export const GITOPS_SYNC_RETRY = {
  limit: -1,
  backoff: { duration: '10s', factor: 2, maxDuration: '3m' },
} as const;
