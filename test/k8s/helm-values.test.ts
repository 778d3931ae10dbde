import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHART_VALUE_KEYS, type ChartValueKeys, chartValueKeysOf, UPSTREAM_CRDS } from '@platform/k8s-platform';
import { parse } from 'yaml';
import { isTemplatePath, listFiles } from '../../apps/cluster/src/dist-directory';
import { committedTemplates } from '../aws/cloud-assembly';
import {
  cloudHelmReleases,
  type HelmRelease,
  helmApplications,
  pathsMissingFrom,
  readChartValuesFile,
  unknownValuePaths,
} from './support/helm-values';
import type { RenderedObject } from './support/rendered';

/**
 * Helm ignores a values key its chart does not define, silently: the chart's default stays in force
 * (External Secrets ran one replica while we asked for two under a key the chart never reads). Every
 * key path of every Helm release we install, in dist/ and in the cloud templates, must be a key the
 * chart defines at its pinned version (CHART_VALUE_KEYS), and that table must match the charts' own
 * values.yaml wherever a Go module carries it.
 */

const DIST = join(__dirname, '..', '..', 'dist');

/** The committed dist/, every environment, as Argo CD reads it. */
function committedDist(): RenderedObject[] {
  return listFiles(DIST)
    .filter((path) => path.endsWith('.yaml'))
    .map((path) => ({ path, environment: path.split('/')[0], object: parse(readFileSync(join(DIST, path), 'utf8')) }));
}

const distReleases = helmApplications(committedDist());
const cloudReleases: HelmRelease[] = cloudHelmReleases(committedTemplates());

/** Each release's row, or a finding that names it; the chart and version must be the row's. */
function rowFindings(releases: readonly HelmRelease[]): string[] {
  return releases.flatMap((release) => {
    const row = chartValueKeysOf(release.release);
    if (!row) return [`${release.where}: release ${release.release} has no row in CHART_VALUE_KEYS`];
    if (row.chart !== release.chart || row.version !== release.version) {
      return [
        `${release.where}: installs ${release.chart} ${release.version}, CHART_VALUE_KEYS has ${row.chart} ${row.version}`,
      ];
    }
    return [];
  });
}

function unknownKeyFindings(releases: readonly HelmRelease[]): string[] {
  return releases.flatMap((release) => {
    const row = chartValueKeysOf(release.release) as ChartValueKeys;
    return release.values.flatMap((values) =>
      unknownValuePaths(row, values).map(
        (path) => `${release.where}: ${path} is not a value of chart ${row.chart} ${row.version} (${row.source.file})`,
      ),
    );
  });
}

describe('Helm values', () => {
  it('find the Helm releases of every environment, in dist/ and in the cloud templates', () => {
    const environments = new Set(
      listFiles(DIST)
        .filter((path) => !isTemplatePath(path))
        .map((path) => path.split('/')[0]),
    );
    for (const environment of environments) {
      expect({
        environment,
        found: distReleases.some((release) => release.where.startsWith(`${environment}/`)),
      }).toEqual({ environment, found: true });
    }
    // One Argo CD per environment's cluster stack.
    expect(cloudReleases.filter((release) => release.chart === 'argo-cd')).toHaveLength(environments.size);
  });

  it('of every release are described by the row of its chart at the version it installs', () => {
    expect(rowFindings([...distReleases, ...cloudReleases])).toEqual([]);
  });

  it('in dist/ use only keys the chart defines at its pinned version', () => {
    expect(unknownKeyFindings(distReleases)).toEqual([]);
  });

  it('of the Argo CD release in the cloud templates use only keys its chart defines', () => {
    expect(unknownKeyFindings(cloudReleases)).toEqual([]);
  });

  it('table: every row is a release we install, once', () => {
    const installed = new Set([...distReleases, ...cloudReleases].map((release) => release.release));
    const releases = CHART_VALUE_KEYS.map((row) => row.release);
    expect(releases.filter((release) => !installed.has(release))).toEqual([]);
    expect(releases.filter((release, index) => releases.indexOf(release) !== index)).toEqual([]);
  });

  it('table: the keys of a chart in a Go module are in its values.yaml as fetched, byte for byte', () => {
    const rows = CHART_VALUE_KEYS.filter((row) => row.module);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const content = readChartValuesFile(row.release);
      expect({ release: row.release, sha256: createHash('sha256').update(content).digest('hex') }).toEqual({
        release: row.release,
        sha256: row.module?.sha256,
      });
      expect({ release: row.release, missing: pathsMissingFrom(row, parse(content.toString('utf8'))) }).toEqual({
        release: row.release,
        missing: [],
      });
    }
  });

  it('table: one version per Go module, across the chart and CRD tables', () => {
    const versions = new Map<string, Set<string>>();
    for (const module of [
      ...UPSTREAM_CRDS.map((crd) => crd.module),
      ...CHART_VALUE_KEYS.flatMap((row) => (row.module ? [row.module.module] : [])),
    ]) {
      versions.set(module.path, (versions.get(module.path) ?? new Set()).add(`${module.version} ${module.sum}`));
    }
    for (const [path, seen] of versions) expect({ path, versions: seen.size }).toEqual({ path, versions: 1 });
  });

  it('check: a key the chart does not define is reported, with its path; below an open map anything goes', () => {
    const row: ChartValueKeys = {
      release: 'example',
      chart: 'example',
      version: '1.0.0',
      source: { repository: 'example/example', ref: 'v1.0.0', file: 'values.yaml' },
      keys: ['replicaCount', 'serviceAccount.name', 'env'],
      open: ['podAnnotations'],
    };
    expect(
      unknownValuePaths(row, {
        replicas: 2,
        replicaCount: 2,
        serviceAccount: { name: 'x', create: true },
        podAnnotations: { 'example.com/a.b': 'c' },
        env: [{ name: 'A', value: 'b' }],
        'serviceAccount.name': 'x',
      }),
    ).toEqual(['replicas', 'serviceAccount.create', 'serviceAccount.name']);
  });

  it('check: values are read from valuesObject, values and parameters; an OCI chart is named by its reference', () => {
    const application = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'example', namespace: 'argocd' },
      spec: {
        source: {
          repoURL: 'oci://registry.example.com/charts/example',
          path: '.',
          targetRevision: '1.0.0',
          helm: {
            valuesObject: { a: 1 },
            values: 'b:\n  c: 2\n',
            parameters: [{ name: 'd.e', value: '3' }, { name: 'f\\.g' }, { name: 'h[0].i' }],
          },
        },
      },
    };
    const [release] = helmApplications([{ path: 'dev/example.yaml', environment: 'dev', object: application }]);
    expect(release).toMatchObject({ release: 'example', chart: 'example', version: '1.0.0' });
    expect(release.values).toEqual([{ a: 1 }, { b: { c: 2 } }, { d: { e: true }, 'f.g': true, h: [] }]);
  });
});
