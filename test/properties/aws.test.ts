import { rmSync } from 'node:fs';
import { addComplianceChecks } from '@platform/aws-platform';
import { environmentStackIds, sharedServicesStackIds } from '@platform/model';
import { buildCloudApp, TODAY_CONTEXT_KEY } from '../../apps/cloud/src/cloud-app';
import { TEST_TODAY } from '../aws/cloud-assembly';
import { renderModel } from '../k8s/support/rendered';
import { testCdkApp } from '../support/cdk-app';
import { stackLimitProblems } from '../support/stack-limits';
import { alarmProblems } from './support/alarm-invariants';
import {
  awsNameProblems,
  awsServiceProblems,
  contractProblems,
  deliveryProblems,
  imagePushProblems,
  peopleAccessProblems,
  templatesOf,
} from './support/aws-invariants';
import { dataProblems } from './support/data-invariants';
import { endpointCoverage } from './support/endpoint-invariants';
import { assertForAllModels, availabilityZoneContext, propertyRun } from './support/property-runs';
import { modelSecretAccessProblems } from './support/secret-access-invariants';

/**
 * The AWS half on generated models, synthesized as `pnpm synth` does it: with the compliance checks (cdk-nag, and in
 * the nightly run CloudFormation's own validation too), which fail the synthesis on a finding. CDK synthesis is slow
 * (seconds per environment; the validation engine alone about 4 s to start), so the ordinary run checks one small
 * model without it; the nightly run many full-size ones with it.
 */
const run = propertyRun({
  quickRuns: 1,
  quickSize: { maxServices: 4, maxEnvironments: 2 },
  nightlyRuns: 15,
  perModelMs: 90_000,
});

/**
 * Runs `synth` without the validation report aws-cdk-lib writes to stderr for every warning (a model may name a
 * Kubernetes version past its support, which warns): a passing run stays quiet, a failing one carries the report.
 */
function quietly<T>(synth: () => T): T {
  const written: string[] = [];
  const spy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    written.push(args.map(String).join(' '));
  });
  try {
    return synth();
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${written.join('\n')}`);
  } finally {
    spy.mockRestore();
  }
}

test(
  'the AWS half synthesizes every valid model with names within AWS limits and least privilege per service and per team namespace',
  () => {
    assertForAllModels('aws half', run, (model) => {
      const app = testCdkApp(
        { [TODAY_CONTEXT_KEY]: TEST_TODAY, ...availabilityZoneContext(model) },
        { cloudFormationValidation: run.profile === 'nightly' },
      );
      try {
        buildCloudApp(app, model);
        addComplianceChecks(app);
        const assembly = quietly(() => app.synth());
        const templates = templatesOf(assembly);
        const rendered = { objects: renderModel(model) };
        const problems = {
          stacks: stackProblems(model, templates, assembly),
          names: awsNameProblems(model, templates),
          services: awsServiceProblems(model, templates),
          contract: contractProblems(model, templates, rendered),
          people: peopleAccessProblems(model, templates),
          data: dataProblems(model, templates),
          // Every data store, queue and edge load balancer has its alarms, to its environment's topic, with a runbook.
          alarms: alarmProblems(model, templates),
          delivery: deliveryProblems(model, templates),
          // No service repository's role may push to another service's repository.
          images: imagePushProblems(model, templates),
          // Every ExternalSecret's store assumes a role that reads exactly its team's secrets and parameters.
          secrets: modelSecretAccessProblems(model, templates, rendered),
          // An add-on whose NetworkPolicies keep HTTPS inside the VPC has an interface endpoint for each API it may call.
          endpoints: endpointCoverage(model, templates, rendered).problems,
        };
        const broken = Object.entries(problems).filter(([, list]) => list.length > 0);
        if (broken.length > 0) {
          throw new Error(
            broken.map(([invariant, list]) => `${invariant}:\n  ${list.slice(0, 10).join('\n  ')}`).join('\n'),
          );
        }
      } finally {
        rmSync(app.outdir, { recursive: true, force: true });
      }
    });
  },
  run.timeoutMs,
);

/**
 * The stacks are exactly those delivery.ts names for the model (what the deploy workflow selects), and none uses more
 * than half of any CloudFormation per-template quota.
 */
function stackProblems(
  model: Parameters<typeof buildCloudApp>[1],
  templates: ReturnType<typeof templatesOf>,
  assembly: ReturnType<ReturnType<typeof testCdkApp>['synth']>,
): string[] {
  const expected = [
    ...sharedServicesStackIds(model),
    ...model.environments.flatMap((environment) => environmentStackIds(model, environment.name)),
  ].sort();
  const actual = [...templates.byStack.keys()].sort();
  const named = JSON.stringify(actual) === JSON.stringify(expected) ? [] : [`stacks ${actual} are not ${expected}`];
  return [...named, ...stackLimitProblems(assembly)];
}
