/**
 * The pure half of the apiserver engine (tools/verify/apiserver/): the Argo CD order it applies dist/ in,
 * and the Warning header parser. The engine itself needs the kube-apiserver build and runs in
 * `npm run verify`.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadPlatformModel } from '@platform/model';
import { parseAllDocuments } from 'yaml';
import { warningText } from '../../tools/verify/apiserver/local-cluster';
import { compareSyncOrder, parseSyncWave, syncPlan } from '../../tools/verify/apiserver/sync-plan';
import { tempDir } from '../support/temp-dirs';

const root = join(__dirname, '..', '..');
const model = loadPlatformModel();

function yamlFilesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return yamlFilesUnder(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

describe.each(model.environments.map((environment) => [environment.name, environment] as const))(
  'sync plan of dist/%s',
  (_name, environment) => {
    const plan = syncPlan({
      root,
      environment: environment.name,
      gitopsPath: environment.gitops.path,
      repoUrl: environment.gitops.repoUrl,
      rootNamespace: 'argocd',
    });
    const applications = plan.waves.flatMap((wave) => wave.applications);

    test('reads every file without a problem', () => {
      expect(plan.problems).toEqual([]);
    });

    test('covers every YAML document of the folder exactly once, each with its own text', () => {
      const folder = join(root, environment.gitops.path);
      const expected = yamlFilesUnder(folder)
        .flatMap((file) => {
          const documents = parseAllDocuments(readFileSync(file, 'utf8'));
          return documents.map((_, index) =>
            documents.length > 1 ? `${relative(root, file)}#${index + 1}` : relative(root, file),
          );
        })
        .sort();
      const planned = [...plan.gitops, ...applications.flatMap((application) => application.objects)];
      expect(planned.map((object) => object.source).sort()).toEqual(expected);
      for (const object of planned) {
        const [document] = parseAllDocuments(object.text);
        expect(document.toJS().metadata.name).toBe(object.name);
      }
    });

    test('has one Application per Application file, waves ascending, objects in Argo CD order', () => {
      const files = plan.gitops.filter((object) => object.kind === 'Application');
      expect(applications.map((application) => application.name).sort()).toEqual(
        files.map((object) => object.name).sort(),
      );
      const waves = plan.waves.map((wave) => wave.wave);
      expect(waves).toEqual([...waves].sort((a, b) => a - b));
      for (const application of applications) {
        const sorted = [...application.objects].sort(compareSyncOrder);
        expect(application.objects).toEqual(sorted);
      }
    });

    test('gives a folder only to the Applications that sync this repository', () => {
      for (const file of plan.gitops.filter((object) => object.kind === 'Application')) {
        const source = parseAllDocuments(file.text)[0].toJS().spec.source;
        const application = applications.find((candidate) => candidate.name === file.name);
        if (source.repoURL === environment.gitops.repoUrl) expect(application?.folder).toBe(source.path);
        else expect(application?.folder).toBeUndefined();
      }
    });
  },
);

describe('syncPlan on a made-up folder', () => {
  const repoUrl = 'https://example.com/repo.git';

  function write(base: string, path: string, text: string): void {
    mkdirSync(join(base, path, '..'), { recursive: true });
    writeFileSync(join(base, path), text);
  }

  function application(name: string, wave: string, path: string, namespace?: string): string {
    return [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Application',
      'metadata:',
      `  name: ${name}`,
      '  namespace: argocd',
      `  annotations: { argocd.argoproj.io/sync-wave: "${wave}" }`,
      'spec:',
      `  destination: { server: https://kubernetes.default.svc${namespace ? `, namespace: ${namespace}` : ''} }`,
      `  source: { repoURL: "${repoUrl}", path: ${path} }`,
      '',
    ].join('\n');
  }

  test('orders waves, then kinds as Argo CD does, then names; keeps each document of a file', () => {
    const base = tempDir();
    write(base, 'dist/x/application-b.yaml', application('b', '1', 'dist/x/b', 'team'));
    write(base, 'dist/x/application-a.yaml', application('a', '-1', 'dist/x/a'));
    write(base, 'dist/x/a/ns.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n');
    const deployment = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n';
    const service = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: zz\n';
    write(base, 'dist/x/b/all.yaml', `${deployment}---\n${service}`);
    write(
      base,
      'dist/x/b/late.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: late\n  annotations:\n    argocd.argoproj.io/sync-wave: "5"\n',
    );
    const plan = syncPlan({ root: base, environment: 'x', gitopsPath: 'dist/x', repoUrl, rootNamespace: 'argocd' });
    expect(plan.problems).toEqual([]);
    expect(plan.waves.map((wave) => [wave.wave, wave.applications.map((app) => app.name)])).toEqual([
      [-1, ['a']],
      [1, ['b']],
    ]);
    const b = plan.waves[1].applications[0];
    expect(b.destinationNamespace).toBe('team');
    expect(b.objects.map((object) => `${object.kind}/${object.name}`)).toEqual([
      'Service/zz',
      'Deployment/app',
      'ConfigMap/late',
    ]);
    expect(b.objects.map((object) => object.source)).toEqual([
      'dist/x/b/all.yaml#2',
      'dist/x/b/all.yaml#1',
      'dist/x/b/late.yaml',
    ]);
    expect(b.objects[1].text.trim()).toBe(deployment.trim());
  });

  test('names the file of a bad wave and of a folder that does not exist', () => {
    const base = tempDir();
    write(base, 'dist/x/application-a.yaml', application('a', '0', 'dist/x/missing'));
    write(base, 'dist/x/application-c.yaml', application('c', '0', 'dist/x/c').replace('"0"', '"first"'));
    mkdirSync(join(base, 'dist/x/c'));
    const plan = syncPlan({ root: base, environment: 'x', gitopsPath: 'dist/x', repoUrl, rootNamespace: 'argocd' });
    expect([...plan.problems].sort()).toEqual([
      "dist/x/application-a.yaml: Application 'a' syncs 'dist/x/missing', which is not a folder of the repository",
      'dist/x/application-c.yaml: argocd.argoproj.io/sync-wave must be an integer, found "first"',
    ]);
  });

  test('names a Git source of another repository and every YAML file no Application syncs', () => {
    const base = tempDir();
    write(base, 'dist/x/application-a.yaml', application('a', '0', 'dist/x/a'));
    write(base, 'dist/x/a/ns.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n');
    // A Git folder of another repository: no chart, not oci://, so it is not a Helm add-on.
    const other = application('o', '0', 'dist/x/o').replace(repoUrl, 'https://example.com/other.git');
    write(base, 'dist/x/application-o.yaml', other);
    write(base, 'dist/x/o/cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: o\n');
    // Helm add-ons from a chart repository and from an OCI registry stay out of the plan without a problem.
    const chart = application('h', '0', 'x')
      .replace(
        `repoURL: "${repoUrl}", path: x`,
        'repoURL: "https://charts.example.com", chart: h, targetRevision: 1.0.0',
      )
      .replace('dist/x/h', 'x');
    write(base, 'dist/x/application-h.yaml', chart);
    const oci = application('k', '0', 'x').replace(
      `repoURL: "${repoUrl}", path: x`,
      'repoURL: "oci://r.example.com/k", path: "."',
    );
    write(base, 'dist/x/application-k.yaml', oci);
    write(base, 'dist/x/stray/deep/cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stray\n');
    const plan = syncPlan({ root: base, environment: 'x', gitopsPath: 'dist/x', repoUrl, rootNamespace: 'argocd' });
    expect([...plan.problems].sort()).toEqual([
      'dist/x/application-o.yaml: Application \'o\' syncs a folder of "https://example.com/other.git", ' +
        `not of the model's gitops.repoUrl "${repoUrl}"`,
      'dist/x/o/cm.yaml: no Application of dist/x syncs this file',
      'dist/x/stray/deep/cm.yaml: no Application of dist/x syncs this file',
    ]);
    expect(plan.waves.flatMap((wave) => wave.applications.map((app) => [app.name, app.folder]))).toEqual([
      ['a', 'dist/x/a'],
      ['h', undefined],
      ['k', undefined],
      ['o', undefined],
    ]);
  });
});

test('parseSyncWave reads what Go strconv.Atoi reads, 0 when absent', () => {
  expect([undefined, '0', '-2', '+3', ' 7 ', 'x', '1.5', 3].map(parseSyncWave)).toEqual([
    0,
    0,
    -2,
    3,
    undefined,
    undefined,
    undefined,
    undefined,
  ]);
});

test('warningText unquotes an RFC 7234 warn-text, commas and escapes included', () => {
  expect(
    warningText('299 - "would violate PodSecurity \\"restricted:latest\\": host namespaces (hostNetwork=true), x"'),
  ).toBe('would violate PodSecurity "restricted:latest": host namespaces (hostNetwork=true), x');
  expect(warningText('not a warning header')).toBe('not a warning header');
});
