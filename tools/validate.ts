/** Checks the model and prints every problem, without synthesizing anything. */
import { exitOnUserError, loadPlatformModel } from '@platform/model';

exitOnUserError(() => {
  const model = loadPlatformModel();
  process.stdout.write(
    `The model is valid: ${model.environments.length} environments, ${model.services.length} services, ${model.queues.length} queues.\n`,
  );
});
