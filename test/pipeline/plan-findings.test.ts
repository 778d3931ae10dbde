import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GITOPS_ROOT_APPLICATION, loadModel, platformModelInput, templatePath } from '@platform/model';
import { App, Tags } from 'aws-cdk-lib';
import { cdkCliSettings } from '../../apps/cloud/src/cdk-cli-context';
import { buildCloudApp } from '../../apps/cloud/src/cloud-app';
import { statefulReplacementLines } from '../../apps/cloud/src/stateful-replacements';
import { isTemplatePath, listFiles } from '../../apps/cluster/src/dist-directory';
import type { Acknowledgement } from '../../tools/plan/acknowledgements';
import { argoCdPlan } from '../../tools/plan/argocd-plan';
import { cloudFormationPlan } from '../../tools/plan/cloudformation-plan';
import type { Finding, StackResourceKey } from '../../tools/plan/findings';
import { judgePlan, planPasses } from '../../tools/plan/plan-report';
import { renderPlatformOutputs } from '../../tools/platform-outputs';
import { REPOSITORY_ROOT } from '../support/repo-copy';
import { STATEFUL_TYPE_NAMES } from '../support/stateful-types';
import { tempDir } from '../support/temp-dirs';

/**
 * `pnpm plan` on real before/after pairs: the committed dist/ (which `pnpm synth:check` proves is what the shipped
 * model renders) against what an edited model, or the CDK app with a tag added, renders. What must be flagged is
 * worked out here from the base templates and manifests and the edit, not from the plan.
 */

type Resource = { Type: string; Properties?: Record<string, unknown> };
type Template = { Resources: Record<string, Resource> };
type ModelInput = typeof platformModelInput;

const STATEFUL_TYPES = STATEFUL_TYPE_NAMES;

const DIST = join(REPOSITORY_ROOT, 'dist');
const committed = new Map(listFiles(DIST).map((path) => [path, readFileSync(join(DIST, path), 'utf8')]));
const part = (files: ReadonlyMap<string, string>, templates: boolean) =>
  new Map([...files].filter(([path]) => isTemplatePath(path) === templates));
const BASE = { commit: '0'.repeat(40), chosen: 'the committed dist/' };

let validation: string | undefined;
beforeAll(() => {
  // aws-cdk-lib's built-in template validation changes no template; pnpm synth:check runs it on the shipped model.
  validation = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false';
});
afterAll(() => {
  if (validation === undefined) delete process.env.CDK_VALIDATION;
  else process.env.CDK_VALIDATION = validation;
});

/** What a model renders, both halves, by path below dist/. */
function rendered(input: unknown): ReadonlyMap<string, string> {
  return renderPlatformOutputs(loadModel(input), { root: REPOSITORY_ROOT, cloudOutdir: tempDir('platform-plan-') })
    .files;
}

/** Both halves of the plan of `after` against the committed dist/. */
function planAgainstCommitted(after: ReadonlyMap<string, string>) {
  const cloud = cloudFormationPlan(part(committed, true), part(after, true));
  const argo = argoCdPlan(GITOPS_ROOT_APPLICATION, part(committed, false), part(after, false));
  return { cloud, argo, findings: [...cloud.findings, ...argo.findings] };
}

/** The committed templates, by stack. */
function committedTemplates(): Map<string, Template> {
  return new Map(
    [...part(committed, true)].map(([path, text]) => [
      /([^/]+)\.template\.json$/.exec(path)?.[1] as string,
      JSON.parse(text) as Template,
    ]),
  );
}

/** The committed stateful resources whose custom name, or logical ID, names one of `names`. */
function statefulResourcesOf(names: readonly string[]): StackResourceKey[] {
  const keys: StackResourceKey[] = [];
  for (const [stack, template] of committedTemplates()) {
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      if (!(resource.Type in STATEFUL_TYPES)) continue;
      const nameProperty = STATEFUL_TYPES[resource.Type];
      const name = nameProperty === undefined ? undefined : resource.Properties?.[nameProperty];
      // Named after it, or in its own stack (a service's, queue's or image repository's).
      const named = names.some(
        (candidate) =>
          (typeof name === 'string' && new RegExp(`(^|[-/])${candidate}([-/]|$)`).test(name)) ||
          logicalId.toLowerCase().includes(candidate.replaceAll('-', '')) ||
          stack.endsWith(`-service-${candidate}`) ||
          stack.endsWith(`-queue-${candidate}`) ||
          stack === `shared-services-image-${candidate}`,
      );
      if (named) keys.push({ stack, logicalId });
    }
  }
  return keys;
}

const keyOf = (finding: Finding) => JSON.stringify(finding.key);
const statefulKeys = (findings: readonly Finding[]) =>
  findings.filter((finding) => finding.stateful && finding.change !== 'kept').map(keyOf);

describe('a tag added to every resource', () => {
  let after: Map<string, string>;
  beforeAll(() => {
    // The CDK app as `pnpm synth` builds it, with one tag more: aws-cdk-lib tags every taggable resource.
    const app = new App({ outdir: tempDir('platform-plan-'), context: cdkCliSettings(REPOSITORY_ROOT).context });
    buildCloudApp(app, loadModel(platformModelInput));
    Tags.of(app).add('data-classification', 'internal');
    const assembly = app.synth();
    after = new Map(assembly.stacks.map((stack) => [templatePath(stack.id), JSON.stringify(stack.template)]));
  });

  it('changes the tags of the stateful resources and keeps every logical ID', () => {
    let tagged = 0;
    for (const [path, text] of after) {
      const before = JSON.parse(committed.get(path) as string) as Template;
      const now = JSON.parse(text) as Template;
      expect(Object.keys(now.Resources).sort()).toEqual(Object.keys(before.Resources).sort());
      tagged += Object.values(now.Resources).filter(
        (resource) =>
          resource.Type in STATEFUL_TYPES && JSON.stringify(resource.Properties?.Tags).includes('data-classification'),
      ).length;
    }
    expect(tagged).toBeGreaterThan(10);
  });

  it('flags nothing stateful and removes nothing, so the plan passes', () => {
    const { cloud, findings } = planAgainstCommitted(new Map([...part(committed, false), ...after]));
    // The specification says a tag change replaces a SAM application (the database secrets' rotation stack): listed,
    // stateless, no failure.
    for (const finding of findings) {
      expect(finding).toMatchObject({
        stateful: false,
        change: 'replace',
        text: expect.stringContaining('(Tags changes)'),
      });
    }
    expect(cloud.notes).toEqual([]);
    expect(planPasses(judgePlan(BASE, findings, cloud.notes, [], 0))).toBe(true);
  });
});

describe('a service with a database renamed, and the databases of one environment made Multi-AZ or single-AZ', () => {
  const model = loadModel(platformModelInput);
  const service = model.services.find((candidate) => candidate.dependencies.database);
  if (!service) throw new Error('the shipped model has no service with a database');
  const renamed = 'renamed';
  const [first] = model.environments;
  let findings: Finding[];
  let after: ReadonlyMap<string, string>;

  beforeAll(() => {
    const input = JSON.parse(JSON.stringify(platformModelInput).replaceAll(`"${service.name}"`, `"${renamed}"`));
    const environment = input.environments.find((candidate: { name: string }) => candidate.name === first.name);
    environment.database.multiAz = !environment.database.multiAz;
    after = rendered(input);
    ({ findings } = planAgainstCommitted(after));
  });

  it('flags every stateful resource of the service: its construct IDs change, so each leaves its stack', () => {
    const expected = statefulResourcesOf([service.name]);
    expect(expected.some(({ logicalId }) => logicalId.includes('Instance'))).toBe(true);
    for (const key of expected) {
      const finding = findings.find((candidate) => keyOf(candidate) === JSON.stringify(key));
      expect(finding).toMatchObject({ change: 'remove', stateful: true });
    }
  });

  it('says what becomes of each database: snapshotted, deleted or kept, by its DeletionPolicy', () => {
    const databases = findings.filter((finding) => finding.stateful && finding.text.startsWith('database '));
    let checked = 0;
    for (const [stack, template] of committedTemplates()) {
      for (const [logicalId, resource] of Object.entries(template.Resources)) {
        if (resource.Type !== 'AWS::RDS::DBInstance' || !stack.endsWith(`-service-${service.name}`)) continue;
        checked += 1;
        const finding = databases.find((candidate) => keyOf(candidate) === JSON.stringify({ stack, logicalId }));
        const policy = (resource as { DeletionPolicy?: string }).DeletionPolicy ?? 'Delete';
        expect(finding?.text).toContain(
          { Retain: 'keeps it, outside the stack', Snapshot: 'snapshots it, then deletes it', Delete: 'deletes it' }[
            policy
          ],
        );
      }
    }
    expect(checked).toBe(model.environments.length);
  });

  it("flags every other database of the environment whose Multi-AZ changes as maybe replaced, and no other environment's", () => {
    const others = statefulResourcesOf(
      model.services.filter((candidate) => candidate.dependencies.database && candidate !== service).map((s) => s.name),
    ).filter(({ logicalId }) => /[pP]ostgresInstance[0-9A-F]{8}$/.test(logicalId));
    expect(others.length).toBeGreaterThan(0);
    for (const key of others) {
      const finding = findings.find((candidate) => keyOf(candidate) === JSON.stringify(key));
      if (key.stack.startsWith(`${first.name}-service-`)) {
        expect(finding).toMatchObject({ change: 'may-replace', stateful: true });
        expect(finding?.text).toContain('MultiAZ');
      } else {
        expect(finding).toBeUndefined();
      }
    }
  });

  it('flags nothing stateful beyond those', () => {
    const renamedService = statefulResourcesOf([service.name]).map((key) => JSON.stringify(key));
    for (const key of statefulKeys(findings)) {
      const finding = findings.find((candidate) => keyOf(candidate) === key) as Finding;
      if (finding.change === 'may-replace') {
        expect(finding.where).toMatch(new RegExp(`^CloudFormation stack ${first.name}-service-`));
      } else expect(renamedService).toContain(key);
    }
  });

  it("deletes the service's Kubernetes objects with its Application, which the root Application prunes", () => {
    for (const environment of model.environments) {
      const application = `services-${service.name}`;
      const pruned = findings.find(
        (finding) =>
          finding.where === `Argo CD ${environment.name}, Application ${GITOPS_ROOT_APPLICATION}` &&
          'name' in finding.key &&
          finding.key.kind === 'Application' &&
          finding.key.name === application,
      );
      expect(pruned).toMatchObject({ change: 'prune', stateful: false });
      const folder = `${environment.name}/services/${service.name}/`;
      const files = [...committed.keys()].filter((path) => path.startsWith(folder));
      const deleted = findings.filter(
        (finding) => finding.where === `Argo CD ${environment.name}, Application ${application}`,
      );
      expect(deleted).toHaveLength(files.length);
      for (const finding of deleted) expect(finding).toMatchObject({ change: 'delete', stateful: false });
    }
  });

  it('agrees with the lines pnpm synth prints: one engine judges the replacements of both', () => {
    const lines = statefulReplacementLines(part(committed, true), part(after, true));
    const replaced = findings.filter(
      (finding) => finding.stateful && (finding.change === 'replace' || finding.change === 'may-replace'),
    );
    expect(replaced.length).toBeGreaterThan(0);
    expect(lines).toHaveLength(replaced.length);
    for (const finding of replaced) {
      const { stack, logicalId } = finding.key as StackResourceKey;
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${stack}: .*\\(${logicalId}\\)`)));
    }
  });
});

describe('a team removed with its services, and every queue they alone used', () => {
  const model = loadModel(platformModelInput);
  // The team whose services hold the most kinds of data: databases, caches, queues.
  const kinds = (team: string) => {
    const services = model.services.filter((service) => service.team === team);
    return [
      services.some((service) => service.dependencies.database),
      services.some((service) => service.dependencies.cache),
      services.some((service) => service.dependencies.publishes.length + service.dependencies.consumes.length > 0),
    ].filter(Boolean).length;
  };
  const team = [...model.teams].sort((a, b) => kinds(b.name) - kinds(a.name))[0].name;
  const gone = model.services.filter((service) => service.team === team).map((service) => service.name);
  const users = (queue: string) =>
    model.services.filter(
      (service) => service.dependencies.publishes.includes(queue) || service.dependencies.consumes.includes(queue),
    );
  const queuesGone = model.queues
    .map((queue) => queue.name)
    .filter((queue) => users(queue).every((service) => gone.includes(service.name)));
  let findings: Finding[];
  let notes: string[];

  beforeAll(() => {
    const input = structuredClone(platformModelInput) as ModelInput & Record<string, unknown>;
    const drop = <T>(list: readonly T[], out: readonly T[]) => list.filter((item) => !out.includes(item));
    input.teams = input.teams.filter((candidate) => candidate.name !== team);
    input.services = input.services
      .filter((service) => !gone.includes(service.name))
      .map((service) => ({
        ...service,
        dependencies: {
          ...service.dependencies,
          calls: drop(service.dependencies.calls, gone),
          publishes: drop(service.dependencies.publishes, queuesGone),
          consumes: drop(service.dependencies.consumes, queuesGone),
        },
      }));
    input.queues = input.queues.filter((queue) => !queuesGone.includes(queue.name));
    for (const environment of input.environments) {
      const access = environment.access as { teams?: Record<string, unknown> } | undefined;
      if (access?.teams) delete access.teams[team];
    }
    for (const release of Object.values(input.releases ?? {}) as Record<string, unknown>[]) {
      for (const name of gone) delete release[name];
    }
    const result = planAgainstCommitted(rendered(input));
    findings = result.findings;
    notes = [...result.cloud.notes, ...result.argo.notes];
  });

  it('flags every database, cache, secret, key, log group, queue and image repository of them', () => {
    expect(queuesGone.length).toBeGreaterThan(0);
    const expected = statefulResourcesOf([...gone, ...queuesGone]).map((key) => JSON.stringify(key));
    const types = new Set(
      statefulResourcesOf([...gone, ...queuesGone]).map(
        ({ stack, logicalId }) => committedTemplates().get(stack)?.Resources[logicalId].Type,
      ),
    );
    expect(types).toEqual(
      new Set([
        'AWS::RDS::DBInstance',
        'AWS::ElastiCache::ReplicationGroup',
        'AWS::SQS::Queue',
        'AWS::SecretsManager::Secret',
        'AWS::KMS::Key',
        'AWS::Logs::LogGroup',
        'AWS::ECR::Repository',
      ]),
    );
    expect(statefulKeys(findings).sort()).toEqual(expected.sort());
  });

  it("keeps the team's namespace in every environment: Prune=false, so Argo CD leaves it to a person", () => {
    for (const environment of model.environments) {
      const namespace = findings.find(
        (finding) =>
          'name' in finding.key &&
          finding.key.environment === environment.name &&
          finding.key.kind === 'Namespace' &&
          finding.key.name === team,
      );
      expect(namespace).toMatchObject({ change: 'kept', stateful: true });
      expect(namespace?.text).toContain('Prune=false');
      const teamObjects = findings.filter(
        (finding) => finding.where === `Argo CD ${environment.name}, Application teams-${team}`,
      );
      expect(teamObjects.length).toBeGreaterThan(0);
      for (const finding of teamObjects) expect(finding).toMatchObject({ change: 'delete', stateful: false });
    }
    // The only notes: the stacks of the services and queues that left, which cdk deploy leaves deployed.
    const leaving = [
      ...gone.map((name) => `shared-services-image-${name}`),
      ...model.environments.flatMap((environment) => [
        ...gone.map((name) => `${environment.name}-service-${name}`),
        ...queuesGone.map((name) => `${environment.name}-queue-${name}`),
      ]),
    ];
    expect(notes.map((note) => /^CloudFormation stack (\S+) leaves the app/.exec(note)?.[1]).sort()).toEqual(
      leaving.sort(),
    );
  });

  it('fails unless each is acknowledged, passes when each is, and fails on an acknowledgement that matches nothing', () => {
    const expected = statefulResourcesOf([...gone, ...queuesGone]);
    const acknowledged: Acknowledgement[] = expected.map((key) => ({ key, reason: `${team} leaves the platform` }));
    expect(planPasses(judgePlan(BASE, findings, notes, [], 0))).toBe(false);
    expect(planPasses(judgePlan(BASE, findings, notes, acknowledged.slice(1), 0))).toBe(false);
    const passing = judgePlan(BASE, findings, notes, acknowledged, 0);
    expect(planPasses(passing)).toBe(true);
    expect(passing.findings.filter((finding) => finding.status === 'acknowledged')).toHaveLength(expected.length);

    // A stateful resource that stays: acknowledging it is stale.
    const stays = statefulResourcesOf(model.services.filter((s) => !gone.includes(s.name)).map((s) => s.name))[0];
    const stale = judgePlan(BASE, findings, notes, [...acknowledged, { key: stays, reason: 'by mistake' }], 0);
    expect(planPasses(stale)).toBe(false);
    expect(stale.stale).toEqual([{ key: stays, reason: 'by mistake' }]);
  });
});

/**
 * Argo CD's rules on edits of the committed manifests that no model change makes here: what its sync options, its
 * Helm Applications, its finalizers and moves between folders do.
 */
describe("Argo CD's rules", () => {
  const [environment] = loadModel(platformModelInput).environments.map((candidate) => candidate.name);
  // One environment's manifests: the rules are per environment, and parsing the others would only take time.
  const manifests = new Map([...part(committed, false)].filter(([path]) => path.startsWith(`${environment}/`)));
  const plan = (before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>) =>
    argoCdPlan(GITOPS_ROOT_APPLICATION, before, after);
  const without = (files: ReadonlyMap<string, string>, ...paths: string[]) =>
    new Map([...files].filter(([path]) => !paths.includes(path)));
  const edited = (files: ReadonlyMap<string, string>, path: string, edit: (text: string) => string) =>
    new Map([...files].map(([candidate, text]) => [candidate, candidate === path ? edit(text) : text]));
  const first = (pattern: RegExp) => {
    const path = [...manifests.keys()].sort().find((candidate) => pattern.test(candidate));
    if (!path) throw new Error(`no committed manifest matches ${pattern}`);
    return path;
  };

  it('prunes a Namespace without Prune=false, and flags it', () => {
    const path = first(new RegExp(`^${environment}/namespaces/namespace-`));
    const unprotected = edited(manifests, path, (text) =>
      text.replace(/^ {4}argocd\.argoproj\.io\/sync-options: .*\n/m, ''),
    );
    expect(unprotected.get(path)).not.toContain('Prune=false');
    const { findings } = plan(unprotected, without(manifests, path));
    expect(findings).toEqual([
      expect.objectContaining({
        change: 'prune',
        stateful: true,
        where: `Argo CD ${environment}, Application namespaces`,
      }),
    ]);
  });

  it('keeps a Namespace with Prune=false, and one with Delete=false when its Application goes', () => {
    const path = first(new RegExp(`^${environment}/namespaces/namespace-`));
    expect(plan(manifests, without(manifests, path)).findings).toEqual([
      expect.objectContaining({ change: 'kept', text: expect.stringContaining('(Prune=false)') }),
    ]);
    const application = `${environment}/application-namespaces.yaml`;
    const { findings } = plan(manifests, without(manifests, application));
    const namespaces = findings.filter((finding) => 'kind' in finding.key && finding.key.kind === 'Namespace');
    expect(namespaces.length).toBeGreaterThan(0);
    for (const finding of namespaces)
      expect(finding).toMatchObject({ change: 'kept', text: expect.stringContaining('(Delete=false)') });
  });

  it('flags a Helm Application that leaves: its finalizer deletes what its chart installed, CRDs included', () => {
    const helm = [...manifests.keys()]
      .filter((candidate) => candidate.startsWith(`${environment}/application-`))
      .find((candidate) => /\n {4}chart: /.test(manifests.get(candidate) as string));
    if (!helm) throw new Error('no Helm Application in the committed manifests');
    const { findings } = plan(manifests, without(manifests, helm));
    expect(findings).toEqual([
      expect.objectContaining({
        change: 'prune',
        stateful: true,
        where: `Argo CD ${environment}, Application ${GITOPS_ROOT_APPLICATION}`,
        text: expect.stringContaining('Helm chart'),
      }),
    ]);
  });

  it('lists the objects of a directory Application that leaves, unless it has no resources finalizer', () => {
    const application = first(new RegExp(`^${environment}/application-services-`));
    const folder = `${environment}/services/${/application-services-(.+)\.yaml$/.exec(application)?.[1]}/`;
    const objects = [...manifests.keys()].filter((path) => path.startsWith(folder));
    const gone = without(manifests, application, ...objects);
    expect(plan(manifests, gone).findings.filter((finding) => finding.change === 'delete')).toHaveLength(
      objects.length,
    );

    const noFinalizer = edited(manifests, application, (text) => text.replace(/^ {2}finalizers:\n( {4}- .*\n)+/m, ''));
    const { findings } = plan(noFinalizer, gone);
    expect(findings).toEqual([
      expect.objectContaining({ change: 'prune', text: expect.stringContaining('no resources finalizer') }),
    ]);
  });

  it('prunes an object that moves to another Application, and says so', () => {
    const from = first(new RegExp(`^${environment}/teams/[^/]+/networkpolicy-`));
    const toFolder = [...manifests.keys()]
      .filter(
        (path) => path.startsWith(`${environment}/teams/`) && !path.startsWith(from.slice(0, from.lastIndexOf('/'))),
      )
      .map((path) => path.slice(0, path.lastIndexOf('/')))[0];
    const moved = new Map([...without(manifests, from), [`${toFolder}/moved.yaml`, manifests.get(from) as string]]);
    const { findings } = plan(manifests, moved);
    expect(findings).toEqual([
      expect.objectContaining({ change: 'prune', text: expect.stringMatching(/is pruned \(it moves to Application /) }),
    ]);
  });

  it('keeps what an Application that does not prune leaves behind', () => {
    const path = first(new RegExp(`^${environment}/teams/[^/]+/networkpolicy-`));
    const team = path.split('/')[2];
    const application = `${environment}/application-teams-${team}.yaml`;
    const noPrune = edited(without(manifests, path), application, (text) =>
      text.replace('prune: true', 'prune: false'),
    );
    expect(noPrune.get(application)).toContain('prune: false');
    expect(plan(manifests, noPrune).findings).toEqual([
      expect.objectContaining({ change: 'kept', text: expect.stringContaining('does not prune automatically') }),
    ]);
  });

  it.each([
    ['PersistentVolumeClaim', 'v1', true],
    ['CustomResourceDefinition', 'apiextensions.k8s.io/v1', true],
    ['ConfigMap', 'v1', false],
  ])('a pruned %s (%s) is stateful: %s', (kind, apiVersion, stateful) => {
    const folder = first(new RegExp(`^${environment}/services/[^/]+/deployment-`)).replace(/\/[^/]+$/, '');
    const path = `${folder}/${kind.toLowerCase()}-data.yaml`;
    const before = new Map([
      ...manifests,
      [path, `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: data\n`],
    ]);
    expect(plan(before, manifests).findings).toEqual([
      expect.objectContaining({ change: 'prune', stateful, key: expect.objectContaining({ kind, name: 'data' }) }),
    ]);
  });

  it('prunes nothing in an environment that leaves dist/, and notes it', () => {
    expect(plan(manifests, new Map())).toEqual({
      findings: [],
      notes: [expect.stringContaining(`Environment ${environment} leaves dist/`)],
    });
  });

  it('deletes nothing of a stack that leaves the app, and notes it', () => {
    const templates = part(committed, true);
    const [path] = [...templates.keys()];
    expect(cloudFormationPlan(templates, without(templates, path))).toEqual({
      findings: [],
      notes: [expect.stringContaining('cdk deploy does not delete it')],
    });
  });
});
