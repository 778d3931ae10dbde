import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARGO_CD_CHART } from '@platform/aws-platform';
import { CLOUD_HALF_CRD_RELEASES, platformAddons, UPSTREAM_CRDS } from '@platform/k8s-platform';
import { EnvironmentNaming, loadPlatformModel } from '@platform/model';
import { parse, parseAllDocuments } from 'yaml';
import { upstreamCrdFiles } from './support/crd-schemas';
import { isKubernetes128Kind } from './support/kubernetes-128';
import { renderModel } from './support/rendered';

const root = join(__dirname, '..', '..');
const model = loadPlatformModel();

/**
 * The chart pin of every release that installs CRDs: each environment's add-ons, the cloud half's Argo CD, and the
 * cloud half's EKS snapshot-controller add-on (its row's version names the external-snapshotter CRD file pinned).
 */
function chartPins(): Map<string, Set<string>> {
  const pins = new Map<string, Set<string>>([
    [ARGO_CD_CHART.release, new Set([ARGO_CD_CHART.version])],
    [CLOUD_HALF_CRD_RELEASES.snapshotController.release, new Set([CLOUD_HALF_CRD_RELEASES.snapshotController.version])],
  ]);
  for (const environment of model.environments) {
    for (const addon of platformAddons({
      environment,
      naming: new EnvironmentNaming(model.organization, environment),
    })) {
      pins.set(addon.name, (pins.get(addon.name) ?? new Set()).add(addon.version));
    }
  }
  return pins;
}

describe('the upstream CRDs', () => {
  it('are pinned to the version of the chart that installs them, in every environment', () => {
    const pins = chartPins();
    for (const crd of UPSTREAM_CRDS) {
      expect({ crd: crd.name, versions: [...(pins.get(crd.chart.release) ?? [])] }).toEqual({
        crd: crd.name,
        versions: [crd.chart.version],
      });
    }
  });

  it('name one module version per module', () => {
    const versions = new Map<string, Set<string>>();
    for (const { module } of UPSTREAM_CRDS) {
      versions.set(module.path, (versions.get(module.path) ?? new Set()).add(`${module.version} ${module.sum}`));
    }
    for (const [path, seen] of versions) expect({ path, count: seen.size }).toEqual({ path, count: 1 });
  });

  it('are in the clone as fetched, byte for byte, and define the group and kinds the table says', () => {
    const files = upstreamCrdFiles();
    UPSTREAM_CRDS.forEach((crd, index) => {
      const content = readFileSync(files[index]);
      expect({ crd: crd.name, sha256: createHash('sha256').update(content).digest('hex') }).toEqual({
        crd: crd.name,
        sha256: crd.sha256,
      });
      const defined = parseAllDocuments(content.toString('utf8'))
        .map((document) => document.toJS())
        .filter((document) => document?.kind === 'CustomResourceDefinition')
        .map((document) => `${document.spec.group}/${document.spec.names.kind}`)
        .sort();
      expect(defined).toEqual(crd.kinds.map((kind) => `${crd.group}/${kind}`).sort());
    });
  });

  it('are exactly the files cdk8s.yaml imports the CRD classes from', () => {
    const imports = (parse(readFileSync(join(root, 'cdk8s.yaml'), 'utf8')).imports as string[]).sort();
    expect(imports).toEqual(UPSTREAM_CRDS.map((crd) => `${crd.name}:=.upstream/crds/${crd.name}.yaml`).sort());
  });

  it('cover every custom resource kind in dist/', () => {
    const custom = new Set(
      renderModel(model)
        .map((file) => file.object)
        .filter((object) => !isKubernetes128Kind(object.apiVersion, object.kind))
        .map((object) => `${object.apiVersion.split('/')[0]}/${object.kind}`),
    );
    const covered = new Set(UPSTREAM_CRDS.flatMap((crd) => crd.kinds.map((kind) => `${crd.group}/${kind}`)));
    expect([...custom].filter((kind) => !covered.has(kind))).toEqual([]);
  });
});
