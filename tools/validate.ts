/**
 * Checks the model, and what synthesis reads from cdk.json's context, with the validator synth runs, and prints
 * every problem, without synthesizing anything.
 *
 *   tsx tools/validate.ts                  the shipped model
 *   tsx tools/validate.ts --model FILE     a proposed model as JSON
 */
import { exitOnUserError, loadModel } from '@platform/model';
import { projectCdkContext } from './cdk-context';
import { modelInputFromArgs } from './model-input';

exitOnUserError(() => {
  const model = loadModel(modelInputFromArgs(process.argv.slice(2)), projectCdkContext());
  process.stdout.write(
    `The model is valid: ${model.environments.length} environments, ${model.services.length} services, ${model.queues.length} queues.\n`,
  );
});
