import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';

/** A place in a text file; line and column count from 1, as editors and compilers print them. */
export interface SourceLocation {
  readonly line: number;
  readonly column: number;
}

/**
 * One line per syntax error, `file:line:column: message`, when an error is a syntax error in a source or
 * data file that was being loaded; undefined for any other error. Recognises:
 * - tsx's TransformError (tsx 4.x, src/utils/transform: it renames esbuild's error and deletes its
 *   structured `errors`, so the message is what remains): lines `file:line:column: ERROR: text` below
 *   "Transform failed with N error(s):", with esbuild's 0-based column;
 * - Node's SyntaxError for a `.json` module (lib/internal/modules/cjs/loader: `${filename}: ${message}`),
 *   located by parsing the file again, since Node 20's JSON.parse messages carry no position.
 * Paths are printed relative to `cwd` when they lie below it.
 */
export function syntaxErrorLines(error: unknown, cwd: string = process.cwd()): string[] | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error.name === 'TransformError') {
    const lines = [...error.message.matchAll(/^(.+?):(\d+):(\d+): ERROR: (.*)$/gm)].map(
      ([, file, line, column, text]) => `${shown(file, cwd)}:${line}:${Number(column) + 1}: ${text}`,
    );
    return lines.length > 0 ? lines : undefined;
  }
  const json = error.name === 'SyntaxError' ? /^(.+\.json): (.*)$/s.exec(error.message) : null;
  if (json) {
    const [, file, message] = json;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    return [jsonSyntaxErrorLine(shown(file, cwd), text, message)];
  }
  return undefined;
}

/** `file:line:column: message` for text that JSON.parse rejected with `message`. */
export function jsonSyntaxErrorLine(file: string, text: string, message: string): string {
  const { line, column } = jsonErrorLocation(text) ?? { line: 1, column: 1 };
  return `${file}:${line}:${column}: ${oneLine(message)}`;
}

// V8 quotes a snippet of the input into some messages, newlines included.
function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ');
}

function shown(file: string, cwd: string): string {
  if (!isAbsolute(file)) return file;
  const below = relative(cwd, file);
  return below.startsWith('..') || isAbsolute(below) ? file : below;
}

/**
 * Where JSON text first breaks the JSON grammar (RFC 8259), or undefined when it does not. Used only to
 * locate an error JSON.parse reported: JSON.parse stays the judge of what is valid.
 */
export function jsonErrorLocation(text: string): SourceLocation | undefined {
  let at = 0;
  const fail = (): never => {
    throw new JsonGrammarError(at);
  };
  const space = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at])) at++;
  };
  const literal = (word: string) => {
    for (const char of word) {
      if (text[at] !== char) fail();
      at++;
    }
  };
  const string = () => {
    at++; // opening quote
    for (;;) {
      if (at >= text.length) fail();
      const char = text[at];
      if (char === '"') {
        at++;
        return;
      }
      if (char < ' ') fail();
      if (char === '\\') {
        at++;
        if (text[at] === 'u') {
          at++;
          for (let digit = 0; digit < 4; digit++, at++) if (!/[0-9a-fA-F]/.test(text[at] ?? '')) fail();
          continue;
        }
        if (!'"\\/bfnrt'.includes(text[at] ?? 'x')) fail();
      }
      at++;
    }
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at));
    if (!match || match[0] === '' || match[0] === '-') fail();
    at += (match as RegExpExecArray)[0].length;
  };
  const value = (): void => {
    space();
    const char = text[at];
    if (char === '{') {
      at++;
      space();
      if (text[at] === '}') {
        at++;
        return;
      }
      for (;;) {
        space();
        if (text[at] !== '"') fail();
        string();
        space();
        if (text[at] !== ':') fail();
        at++;
        value();
        space();
        if (text[at] === ',') {
          at++;
          continue;
        }
        if (text[at] === '}') {
          at++;
          return;
        }
        fail();
      }
    }
    if (char === '[') {
      at++;
      space();
      if (text[at] === ']') {
        at++;
        return;
      }
      for (;;) {
        value();
        space();
        if (text[at] === ',') {
          at++;
          continue;
        }
        if (text[at] === ']') {
          at++;
          return;
        }
        fail();
      }
    }
    if (char === '"') string();
    else if (char === 't') literal('true');
    else if (char === 'f') literal('false');
    else if (char === 'n') literal('null');
    else if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) number();
    else fail();
  };
  try {
    value();
    space();
    if (at < text.length) fail();
    return undefined;
  } catch (error) {
    if (!(error instanceof JsonGrammarError)) throw error;
    return locationOf(text, Math.min(error.offset, text.length));
  }
}

class JsonGrammarError extends Error {
  public constructor(public readonly offset: number) {
    super(`JSON grammar broken at offset ${offset}`);
  }
}

function locationOf(text: string, offset: number): SourceLocation {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}
