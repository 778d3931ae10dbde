import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTROLLER_POLICY_REFERENCES } from '@platform/aws-platform';
import { loadPlatformModel } from '@platform/model';
import { parse } from 'yaml';
import { listFiles } from '../../apps/cluster/src/dist-directory';

/**
 * The AWS half grants each controller upstream's policy for one version (the reference table in
 * packages/aws-platform/src/controller-policy-references.ts); the Kubernetes half installs the
 * controller from a chart at a pinned version. They must be the same version: a chart bump without
 * the policy of its controller version breaks the controller or grants what upstream no longer does.
 */

// biome-ignore lint/suspicious/noExplicitAny: manifests are read as plain JSON.
type Json = any;

const DIST = join(__dirname, '..', '..', 'dist');
const model = loadPlatformModel();

/** The chart an Argo CD Application installs: `source.chart`, or the last path segment of an OCI reference. */
function chartOf(source: Json): string | undefined {
  if (source?.chart) return source.chart;
  if (typeof source?.repoURL === 'string' && source.repoURL.startsWith('oci://')) {
    return source.repoURL.split('/').pop();
  }
  return undefined;
}

function applications(environment: string): Json[] {
  return listFiles(DIST)
    .filter((path) => path.startsWith(`${environment}/`))
    .map((path) => parse(readFileSync(join(DIST, path), 'utf8')))
    .filter((object) => object?.kind === 'Application');
}

describe.each(model.environments.map((environment) => environment.name))('environment %s', (environment) => {
  test.each(Object.values(CONTROLLER_POLICY_REFERENCES).map((reference) => [reference.controller, reference]))(
    '%s: dist/ installs the chart version whose upstream policy the AWS half grants',
    (_, reference) => {
      const installed = applications(environment)
        .map((application) => application.spec?.source)
        .filter((source) => chartOf(source) === reference.chart.name)
        .map((source) => source.targetRevision);
      expect({ chart: reference.chart.name, versions: installed }).toEqual({
        chart: reference.chart.name,
        versions: [reference.chart.version],
      });
    },
  );
});
