import { readFileSync } from 'node:fs';
import { jsonSyntaxErrorLine, platformModelInput, UserError } from '@platform/model';

/**
 * The model a command works on: the shipped one, or a proposed one from a JSON file (`--model FILE`),
 * so a change can be checked before it is written into the model's data files. A file that is not
 * JSON is reported as `file:line:column: message`.
 */
export function modelInputFrom(file: string | undefined): unknown {
  if (file === undefined) return platformModelInput;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(
      `--model ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UserError(jsonSyntaxErrorLine(file, text, (error as Error).message));
  }
}
