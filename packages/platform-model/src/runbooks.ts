import type { Environment } from './schema';

/**
 * Where the runbooks that alerts and alarms link to are published: `docs/runbooks/<name>.md` of the GitOps
 * repository. Both halves link them: Prometheus alerts by `runbook_url`, CloudWatch alarms in their description.
 */
export interface RunbookLocation {
  /** Browsable URL of the repository, e.g. `https://github.com/acme/platform`. */
  readonly repositoryUrl: string;
  /** Branch or tag whose docs are linked. */
  readonly revision: string;
}

/** Path of an alert's or alarm's runbook inside the repository. */
export function runbookPath(name: string): string {
  return `docs/runbooks/${name}.md`;
}

export function runbookUrl(location: RunbookLocation, name: string): string {
  return `${location.repositoryUrl}/blob/${location.revision}/${runbookPath(name)}`;
}

/** The browsable https URL of a Git remote: `git@host:owner/repo.git` and `https://host/owner/repo.git` alike. */
export function browsableRepositoryUrl(remote: string): string {
  const scp = /^git@([^:]+):(.+?)(\.git)?$/.exec(remote);
  if (scp) return `https://${scp[1]}/${scp[2]}`;
  const url = new URL(remote.replace(/^ssh:\/\/git@/, 'https://'));
  return `https://${url.hostname}${url.pathname.replace(/\.git$/, '').replace(/\/$/, '')}`;
}

/** The runbooks an environment links: the docs of the branch its Argo CD syncs. */
export function environmentRunbooks(environment: Environment): RunbookLocation {
  return {
    repositoryUrl: browsableRepositoryUrl(environment.gitops.repoUrl),
    revision: environment.gitops.targetRevision,
  };
}
