import { readFileSync } from 'node:fs';
import { platformModelInput, UserError } from '@platform/model';

/**
 * The model a command works on: the shipped one, or a proposed one given as `--model FILE` (JSON),
 * so a change can be checked before it is written into the model's data files.
 */
export function modelInputFromArgs(args: readonly string[]): unknown {
  const index = args.indexOf('--model');
  if (index === -1) return platformModelInput;
  const file = args[index + 1];
  if (!file) throw new UserError('--model needs a JSON file');
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`--model ${file}: ${(error as Error).message}`);
  }
}
