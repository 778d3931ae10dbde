import { Document, isCollection, isPair, isScalar, parse } from 'yaml';

/** Comments of a portable YAML document. */
export interface PortableYamlComments {
  /** A comment above the document, one `#` line per line of the text. */
  readonly header?: string;
  /** A comment written after a string scalar on its line, by the string's value; undefined for none. */
  readonly after?: (value: string) => string | undefined;
}

/**
 * YAML text that a YAML 1.1 reader (the API server's, kubectl's and Argo CD's Go decoders) and a
 * YAML 1.2 reader both read as `value`. Plain strings that either version would resolve to something
 * else — `Off`, `yes`, `y`, `~`, `0755`, `0o17`, `1_000`, `2026-01-01`, `.5`, … — are double-quoted;
 * every other scalar is written as the YAML 1.2 core schema writes it. An object that `value` holds twice is written
 * twice, never as an anchor and an alias: each object reads whole, and not every reader takes aliases (GitHub Actions
 * refused them in workflows until 2025).
 *
 * @param value JSON-like data (objects, arrays, strings, finite numbers, booleans, null).
 * @param comments comments to write, which no reader reads as data. @default none
 * @returns the document as text, without a line-width limit (long strings are never folded).
 */
export function portableYaml(value: unknown, comments: PortableYamlComments = {}): string {
  const document = new Document(value, { aliasDuplicateObjects: false });
  styleScalars(document.contents, comments);
  if (comments.header !== undefined) {
    document.commentBefore = comments.header
      .split('\n')
      .map((line) => ` ${line}`)
      .join('\n');
  }
  return document.toString({ lineWidth: 0 });
}

/**
 * Quotes each string scalar below `node` that a plain scalar would not read back as, and adds the comments. A
 * walk of its own rather than yaml's `visit`, which copies the path to every node it passes: this runs on every
 * scalar of dist/.
 */
function styleScalars(node: unknown, comments: PortableYamlComments): void {
  if (isCollection(node)) {
    for (const item of node.items) styleScalars(item, comments);
  } else if (isPair(node)) {
    styleScalars(node.key, comments);
    styleScalars(node.value, comments);
  } else if (isScalar(node) && typeof node.value === 'string') {
    // Multi-line strings are written as block scalars, which both versions read as text.
    if (!node.value.includes('\n') && !readsAsItself(node.value)) node.type = 'QUOTE_DOUBLE';
    const comment = comments.after?.(node.value);
    if (comment !== undefined) node.comment = ` ${comment}`;
  }
}

/**
 * Answers already found, by text: the same label values, names and keys recur in every object, and parsing each
 * scalar twice was most of the time a render takes. A pure function's answers, so sharing them is safe; the
 * cache is dropped whole when it reaches {@link MAX_REMEMBERED} entries, so it stays small.
 */
const remembered = new Map<string, boolean>();
const MAX_REMEMBERED = 20_000;

/** Whether `text`, written as a plain scalar, reads back as the same string in YAML 1.1 and in YAML 1.2. */
function readsAsItself(text: string): boolean {
  let answer = remembered.get(text);
  if (answer === undefined) {
    if (remembered.size >= MAX_REMEMBERED) remembered.clear();
    answer = parsesAsItself(text);
    remembered.set(text, answer);
  }
  return answer;
}

function parsesAsItself(text: string): boolean {
  // As a key, a plain `<<` is YAML 1.1's merge key.
  if (text === '<<') return false;
  try {
    return (
      parse(text, { version: '1.1', logLevel: 'silent' }) === text &&
      parse(text, { version: '1.2', logLevel: 'silent' }) === text
    );
  } catch {
    return false;
  }
}
