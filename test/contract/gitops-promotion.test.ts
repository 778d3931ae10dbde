import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { environmentStackId, loadPlatformModel } from '@platform/model';
import { parse, parseAllDocuments } from 'yaml';

/**
 * How a merge reaches each environment's cluster: Argo CD of the first environment tracks the protected branch;
 * every later one tracks a branch of its own that only the deploy workflow advances, after that environment's
 * `cdk deploy` (and its approval) succeeded. So every Application from this repository, in dist/<env>/ and the root
 * Application the cluster stack installs, must track exactly the branch the deploy job of its environment advances
 * (read from the committed workflow, not from the model's code), and none after the first the protected branch.
 */

const ROOT = join(__dirname, '..', '..');
const model = loadPlatformModel();
const { branch: protectedBranch } = model.organization.ci;

interface Source {
  readonly repoURL?: string;
  readonly targetRevision?: string;
}
interface Application {
  readonly kind: string;
  readonly metadata: { readonly name: string };
  readonly spec?: { readonly source?: Source; readonly sources?: Source[] };
}

function yamlFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? yamlFiles(join(folder, entry.name))
      : entry.name.endsWith('.yaml')
        ? [join(folder, entry.name)]
        : [],
  );
}

/** `name → targetRevision` of every Application in dist/<env>/ with a source in `repoUrl`. */
function applicationRevisions(environment: string, repoUrl: string): Map<string, string | undefined> {
  const revisions = new Map<string, string | undefined>();
  for (const file of yamlFiles(join(ROOT, 'dist', environment))) {
    for (const document of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const object = document.toJS() as Application | null;
      if (object?.kind !== 'Application') continue;
      for (const source of [object.spec?.source, ...(object.spec?.sources ?? [])]) {
        if (source?.repoURL === repoUrl) revisions.set(object.metadata.name, source.targetRevision);
      }
    }
  }
  return revisions;
}

/** The revisions the root Application in the environment's cluster template tracks of `repoUrl`. */
function rootRevisions(environment: string, repoUrl: string): string[] {
  const text = readFileSync(
    join(ROOT, 'dist', 'cloudformation', `${environmentStackId(environment, 'cluster')}.template.json`),
    'utf8',
  );
  const pattern = new RegExp(
    `\\\\"repoURL\\\\":\\\\"${repoUrl.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\\\",\\\\"targetRevision\\\\":\\\\"([^"\\\\]+)\\\\"`,
    'g',
  );
  return [...text.matchAll(pattern)].map((match) => match[1]);
}

interface WorkflowJob {
  readonly environment?: string;
  readonly steps?: { readonly env?: Record<string, string>; readonly run?: string }[];
}

/** Per GitHub Environment of a deploy job: the branches its steps advance (`GITOPS_BRANCH` of a PATCH/POST step). */
function advancedBranches(): Map<string, string[]> {
  const workflow = parse(readFileSync(join(ROOT, '.github', 'workflows', 'deploy.yml'), 'utf8')) as {
    jobs: Record<string, WorkflowJob>;
  };
  const advanced = new Map<string, string[]>();
  for (const job of Object.values(workflow.jobs)) {
    const branches = (job.steps ?? []).flatMap((step) =>
      step.env?.GITOPS_BRANCH && /gh api --method (PATCH|POST)/.test(step.run ?? '') ? [step.env.GITOPS_BRANCH] : [],
    );
    if (job.environment) advanced.set(job.environment, [...(advanced.get(job.environment) ?? []), ...branches]);
  }
  return advanced;
}

describe('promotion through the GitOps branches', () => {
  const advanced = advancedBranches();

  it.each(model.environments.map((environment, index) => [environment.name, index] as const))(
    '%s: every Application from this repository tracks the branch its deploy job advances, or the first the protected one',
    (name, index) => {
      const environment = model.environments[index];
      const { repoUrl } = environment.gitops;
      const applications = applicationRevisions(name, repoUrl);
      const roots = rootRevisions(name, repoUrl);
      expect(applications.size).toBeGreaterThan(0);
      expect(roots).toHaveLength(1);
      const tracked = new Set([...applications.values(), ...roots]);
      expect(tracked.size).toBe(1);
      const [revision] = tracked;
      if (index === 0 && revision === protectedBranch) {
        expect(advanced.get(name)).toEqual([]);
      } else {
        expect(revision).not.toBe(protectedBranch);
        expect(advanced.get(name)).toEqual([revision]);
      }
    },
  );

  it('no two environments track the same branch', () => {
    const revisions = model.environments.map(
      (environment) => rootRevisions(environment.name, environment.gitops.repoUrl)[0],
    );
    expect(new Set(revisions).size).toBe(revisions.length);
  });
});
