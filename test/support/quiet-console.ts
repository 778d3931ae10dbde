import { format } from 'node:util';

/**
 * A passing run prints nothing through console.error: a test that expects a message there asserts it
 * (jest.spyOn(console, 'error')), and anything else fails its test file, message included.
 */
const printed: string[] = [];
const original = console.error;

beforeAll(() => {
  console.error = (...args: unknown[]) => {
    printed.push(format(...args));
    original(...args);
  };
});

afterAll(() => {
  console.error = original;
  const messages = printed.splice(0);
  if (messages.length > 0) {
    throw new Error(
      `The test file printed ${messages.length} message${messages.length === 1 ? '' : 's'} through console.error; assert them with jest.spyOn(console, 'error') or remove their cause:\n${messages.join('\n')}`,
    );
  }
});
