import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel, loadPlatformModel } from '@platform/model';
import { parse } from 'yaml';
import { listFiles } from '../../apps/cluster/src/dist-directory';
import { committedTemplates, synthesizeCloud } from '../aws/cloud-assembly';
import { objectsOf, renderModel } from '../k8s/support/rendered';
import { type Templates, templatesOf } from '../properties/support/aws-invariants';
import { modelSecretAccessProblems } from '../properties/support/secret-access-invariants';
import { freeName } from '../support/model-facts';

/**
 * Secrets stay with their service (secretAccessProblems), on the committed dist/ and templates of every environment
 * (the cluster stack's and every service stack's roles), and on a variant of the shipped model whose teams differ.
 */

const DIST = join(__dirname, '..', '..', 'dist');

describe('secrets stay with their service', () => {
  const model = loadPlatformModel();
  const committed: Templates = {
    byStack: new Map(
      committedTemplates().map(([stack, template]) => [
        stack,
        // biome-ignore lint/suspicious/noExplicitAny: a template is walked as plain JSON.
        { stackName: stack, resources: (template as any).Resources ?? {} },
      ]),
    ),
  };

  it.each(model.environments.map((environment) => environment.name))(
    'committed dist/%s: every ExternalSecret reads through a SecretStore whose role allows exactly one scope of its namespace',
    (environment) => {
      const objects = listFiles(DIST)
        .filter((path) => path.startsWith(`${environment}/`))
        .map((path) => ({ path, environment, object: parse(readFileSync(join(DIST, path), 'utf8')) }));
      expect(objects.some((file) => file.object?.kind === 'ExternalSecret')).toBe(true);
      const only = { ...model, environments: model.environments.filter((candidate) => candidate.name === environment) };
      expect(modelSecretAccessProblems(only, committed, { objects })).toEqual([]);
    },
  );

  it('holds for another model: a new team takes over a service, and a team reads nothing', () => {
    const shipped = loadPlatformModel();
    const moved = shipped.services.find((service) => service.dependencies.database || service.dependencies.cache);
    if (!moved) throw new Error('the shipped model has no service with a data store');
    // One environment is enough to hold the team change, and keeps the two syntheses small.
    const [first] = shipped.environments;
    // Names the model has no team of yet, whatever teams it has.
    const newTeam = freeName('payments', shipped.teams);
    const idleTeam = freeName('idle', [...shipped.teams, { name: newTeam }]);
    const variant = loadModel({
      ...shipped,
      environments: [first],
      releases: { [first.name]: shipped.releases?.[first.name] ?? {} },
      teams: [
        ...shipped.teams,
        { name: newTeam, quota: { cpu: '16', memory: '32Gi', pods: 100 } },
        { name: idleTeam, quota: { cpu: '1', memory: '1Gi', pods: 5 } },
      ],
      services: shipped.services.map((service) => (service === moved ? { ...service, team: newTeam } : service)),
    });
    const rendered = renderModel(variant);
    const cloud = synthesizeCloud({ model: variant });
    expect(objectsOf(rendered, first.name, 'SecretStore').some((store) => store.metadata.namespace === newTeam)).toBe(
      true,
    );
    expect(modelSecretAccessProblems(variant, templatesOf(cloud.assembly), { objects: rendered })).toEqual([]);
  });
});
