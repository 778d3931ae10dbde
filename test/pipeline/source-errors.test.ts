import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonErrorLocation, platformModelInput, syntaxErrorLines } from '@platform/model';
import { tempDir } from '../support/temp-dirs';

describe('locating a JSON syntax error', () => {
  it.each([
    ['{ not json', 1, 3],
    ['{\n  "a": 1,\n  "b": ,\n}', 3, 8],
    ['{"a": 1,}', 1, 9],
    ['[1, 2', 1, 6],
    ['', 1, 1],
    ['{"a": 1}}', 1, 9],
    ['{"a": tru}', 1, 10],
    ['{"a": "line\nbreak"}', 1, 12],
    ['{"a": "\\x"}', 1, 9],
    ['{"a": 01}', 1, 8],
    ['{"a": -}', 1, 7],
  ])('%j breaks at line %d, column %d', (text, line, column) => {
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    expect(jsonErrorLocation(text)).toEqual({ line, column });
  });

  it.each([
    ['the shipped model', JSON.stringify(platformModelInput, null, 2)],
    [
      'every kind of value',
      '{"s": "a\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9", "n": [-0.5e+3, 0, 12, 1E2], "l": [true, false, null], "o": {}}',
    ],
    ['surrounding space', ' \n\t[ ] \r\n'],
  ])('finds nothing wrong with %s, as JSON.parse does', (_what, text) => {
    expect(() => JSON.parse(text)).not.toThrow();
    expect(jsonErrorLocation(text)).toBeUndefined();
  });
});

describe('recognising a syntax error of a source file', () => {
  const transformError = (message: string) => Object.assign(new Error(message), { name: 'TransformError' });

  it("turns tsx's TransformError into one line per error, with a 1-based column and a path below cwd", () => {
    const error = transformError(
      'Transform failed with 2 errors:\n/repo/src/data/a.ts:5:39: ERROR: Expected identifier but found ","\n/elsewhere/b.ts:1:0: ERROR: Unexpected "}"',
    );

    expect(syntaxErrorLines(error, '/repo')).toEqual([
      'src/data/a.ts:5:40: Expected identifier but found ","',
      '/elsewhere/b.ts:1:1: Unexpected "}"',
    ]);
  });

  it("locates Node's SyntaxError for a JSON module in the file", () => {
    const dir = tempDir();
    const file = join(dir, 'releases.json');
    writeFileSync(file, '{\n  "dev": {,\n}\n');
    // As Node's CommonJS loader reports it (lib/internal/modules/cjs/loader.js: `${filename}: ${message}`).
    const error = new SyntaxError(`${file}: Unexpected token ',', "{\n  "dev": {,\n}\n" is not valid JSON`);

    expect(syntaxErrorLines(error, dir)).toEqual([
      `releases.json:2:11: Unexpected token ',', "{ "dev": {, } " is not valid JSON`,
    ]);
  });

  it.each([
    ['an ordinary error', new Error('boom')],
    ['a TransformError without a location', transformError('Transform failed with 1 error:\nsomething')],
    ['a SyntaxError of no file', new SyntaxError('Unexpected token')],
    ['no error at all', 'a string'],
  ])('leaves %s alone', (_what, error) => {
    expect(syntaxErrorLines(error)).toBeUndefined();
  });
});
