import { servicesIn } from '@platform/model';
import { changedFiles, renderObjects, workloadsOf } from '../k8s/support/value-changes';
import { dashboardInvariantProblems } from './support/dashboard-invariants';
import { guardrailProblems } from './support/guardrail-invariants';
import {
  applicationFolderProblems,
  duplicateObjectProblems,
  nameAndLabelProblems,
  portabilityProblems,
  reachabilityProblems,
  recordingRuleProblems,
  renderedDist,
  serviceObjectProblems,
} from './support/kubernetes-invariants';
import { assertForAllModels, propertyRun } from './support/property-runs';

/**
 * The Kubernetes half on generated models: each model is rendered twice, the second time with other image tags
 * released in the first environment (every other environment's output must be identical, and in the first only the
 * retagged services' Deployments may change), and every invariant is checked on it; a failure lists every broken invariant of the smallest failing model.
 */
const run = propertyRun({
  quickRuns: 2,
  quickSize: { maxServices: 6, maxEnvironments: 2 },
  nightlyRuns: 40,
  perModelMs: 40_000,
});

test(
  'the Kubernetes half renders every valid model into objects the API server, Argo CD and the policies accept',
  () => {
    assertForAllModels('kubernetes half', run, (model) => {
      const dist = renderedDist(model);
      // Rendered again with every service released at another tag in the first environment: every other
      // environment's files stay byte for byte the same (deterministic output; a release changes its own
      // environment only). Compared as objects: equal JSON texts (key order included) write equal files.
      const [first] = model.environments;
      const retagged = Object.fromEntries(
        model.services.map((s) => [
          s.name,
          { ...model.releases?.[first.name]?.[s.name], image: { tag: 'isolation-check' } },
        ]),
      );
      const again = renderObjects({ ...model, releases: { ...model.releases, [first.name]: retagged } });
      const before = new Map(dist.objects.map((file) => [file.path, file.object]));
      const differing = changedFiles(before, again);
      const changed = differing.filter((path) => !path.startsWith(`${first.name}/`));
      // In the first environment itself, a new tag rewrites the Deployment of each service whose tag it changes
      // and nothing else: no other object carries a value that changes with a release.
      const firstObjects = dist.objects.filter((file) => file.environment === first.name);
      const retaggedDeployments = servicesIn(model, first.name)
        .filter((service) => service.image.tag !== 'isolation-check')
        .flatMap((service) => workloadsOf(firstObjects, model, service).map((file) => file.path));
      const changedInFirst = firstObjects.map((file) => file.path).filter((path) => differing.includes(path));
      const problems = {
        deterministicAndIsolated: changed.map(
          (path) => `${path} differs between two renderings that differ only in ${first.name}'s image tags`,
        ),
        releaseRewritesDeploymentsOnly: [
          ...changedInFirst
            .filter((path) => !retaggedDeployments.includes(path))
            .map((path) => `${path} changed with the image tags, though it is no retagged service's Deployment`),
          ...retaggedDeployments
            .filter((path) => !changedInFirst.includes(path))
            .map((path) => `${path} runs a retagged service but did not change`),
        ],
        namesAndLabels: nameAndLabelProblems(dist),
        uniqueObjects: duplicateObjectProblems(dist),
        portableYaml: portabilityProblems(dist),
        applicationPerFolder: applicationFolderProblems(model, dist),
        serviceObjects: serviceObjectProblems(model, dist),
        reachability: reachabilityProblems(model, dist),
        recordingRules: recordingRuleProblems(dist),
        guardrails: guardrailProblems(model, dist),
        dashboards: dashboardInvariantProblems(model, dist),
      };
      const broken = Object.entries(problems).filter(([, list]) => list.length > 0);
      if (broken.length > 0) {
        throw new Error(
          broken
            .map(
              ([invariant, list]) =>
                `${invariant}:\n  ${list.slice(0, 10).join('\n  ')}${list.length > 10 ? `\n  … ${list.length - 10} more` : ''}`,
            )
            .join('\n'),
        );
      }
    });
  },
  run.timeoutMs,
);
