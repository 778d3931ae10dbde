import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel, loadPlatformModel } from '@platform/model';
import { parse } from 'yaml';
import { listFiles } from '../../apps/cluster/src/dist-directory';
import { synthesizeCloud } from '../aws/cloud-assembly';
import { objectsOf, renderModel } from '../k8s/support/rendered';
import { resourcesOf, secretAccessProblems } from '../properties/support/secret-access-invariants';

/**
 * Secrets stay with their team (secretAccessProblems), on the committed dist/ and templates of every environment,
 * and on a variant of the shipped model whose teams differ.
 */

const DIST = join(__dirname, '..', '..', 'dist');

describe('secrets stay with their namespace', () => {
  const model = loadPlatformModel();

  describe.each(model.environments.map((environment) => environment.name))('committed dist/%s', (environment) => {
    it('every ExternalSecret reads through a SecretStore whose role allows exactly its namespace’s secrets', () => {
      const objects = listFiles(DIST)
        .filter((path) => path.startsWith(`${environment}/`))
        .map((path) => parse(readFileSync(join(DIST, path), 'utf8')));
      const template = JSON.parse(
        readFileSync(join(DIST, 'cloudformation', `${environment}-cluster.template.json`), 'utf8'),
      );
      expect(objects.some((object) => object?.kind === 'ExternalSecret')).toBe(true);
      expect(secretAccessProblems(model, environment, objects, resourcesOf(template))).toEqual([]);
    });
  });

  it('holds for another model: a new team takes over a service, and a team reads nothing', () => {
    const shipped = loadPlatformModel();
    const moved = shipped.services.find((service) => service.dependencies.database || service.dependencies.cache);
    if (!moved) throw new Error('the shipped model has no service with a data store');
    // One environment is enough to hold the team change, and keeps the two syntheses small.
    const [first] = shipped.environments;
    const variant = loadModel({
      ...shipped,
      environments: [first],
      releases: { [first.name]: shipped.releases?.[first.name] ?? {} },
      teams: [
        ...shipped.teams,
        { name: 'payments', quota: { cpu: '16', memory: '32Gi', pods: 100 } },
        { name: 'idle', quota: { cpu: '1', memory: '1Gi', pods: 5 } },
      ],
      services: shipped.services.map((service) => (service === moved ? { ...service, team: 'payments' } : service)),
    });
    const rendered = renderModel(variant);
    const cloud = synthesizeCloud({ model: variant });
    for (const environment of variant.environments) {
      const template = cloud.assembly.getStackArtifact(`${environment.name}-cluster`).template;
      expect(
        secretAccessProblems(variant, environment.name, objectsOf(rendered, environment.name), resourcesOf(template)),
      ).toEqual([]);
    }
  });
});
