import { readFileSync, writeFileSync } from 'node:fs';
import ts from 'typescript';

/**
 * Edits one data file of the model (`packages/platform-model/src/data/*.ts`) the way a person would: the
 * syntax tree locates the exported list and the entry by its `name`, and only the text of what changes is
 * replaced, so the edit does not depend on the file's layout. Values are written as TypeScript literals;
 * `biome format` then lays them out as the project does.
 */
export class DataFileEdit {
  private readonly source: ts.SourceFile;
  private readonly edits: { start: number; end: number; text: string }[] = [];

  public constructor(private readonly path: string) {
    this.source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  }

  /**
   * Sets a field of the list entry named `entry` (e.g. `image.tag` of `order-service` in `services`). Where a
   * level of the path is not written as an object literal (a shared constant, a spread), that level is written
   * out whole: `current` is the entry as the model holds it, so the other fields keep their values.
   */
  public setField(list: string, entry: string, path: readonly string[], value: unknown, current: object): this {
    let object = this.entry(list, entry);
    let holder: unknown = current;
    for (const [index, key] of path.entries()) {
      const property = propertyNamed(object, key);
      const rest = path.slice(index + 1);
      if (!property) {
        // Not written here (e.g. it comes from a spread): add it after everything else, so it wins.
        this.append(object, `${key}: ${literal(withField(field(holder, key), rest, value))}`);
        return this;
      }
      if (rest.length === 0 || !ts.isObjectLiteralExpression(property.initializer)) {
        this.replace(property.initializer, literal(withField(field(holder, key), rest, value)));
        return this;
      }
      object = property.initializer;
      holder = field(holder, key);
    }
    return this;
  }

  /** Adds an entry at the end of an exported list. */
  public appendEntry(list: string, value: object): this {
    const array = this.list(list);
    const last = array.elements.at(-1);
    const text = literal(value);
    if (last) this.edits.push({ start: last.end, end: last.end, text: `,\n${text}` });
    else this.edits.push({ start: array.getStart(this.source) + 1, end: array.getStart(this.source) + 1, text });
    return this;
  }

  /** Removes the entry named `entry` from an exported list, with its separating comma. */
  public removeEntry(list: string, entry: string): this {
    const array = this.list(list);
    const element = this.entry(list, entry);
    const index = array.elements.indexOf(element);
    const next = array.elements[index + 1];
    const previous = array.elements[index - 1];
    if (next)
      this.edits.push({ start: element.getFullStart(), end: next.getStart(this.source), text: previous ? ' ' : '' });
    else if (previous) this.edits.push({ start: previous.end, end: element.end, text: '' });
    // The only entry: the list becomes empty, trailing comma and all.
    else this.edits.push({ start: array.getStart(this.source) + 1, end: array.end - 1, text: '' });
    return this;
  }

  /** Names of the entries of an exported list, as written. */
  public entryNames(list: string): string[] {
    return this.list(list).elements.flatMap((element) => {
      if (!ts.isObjectLiteralExpression(element)) return [];
      const name = propertyNamed(element, 'name')?.initializer;
      return name && ts.isStringLiteral(name) ? [name.text] : [];
    });
  }

  public write(): void {
    let text = this.source.getFullText();
    for (const edit of [...this.edits].sort((a, b) => b.start - a.start)) {
      text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
    }
    writeFileSync(this.path, text);
  }

  private list(name: string): ts.ArrayLiteralExpression {
    for (const statement of this.source.statements) {
      if (!ts.isVariableStatement(statement)) continue;
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name) && declaration.name.text === name && declaration.initializer) {
          const initializer = skipOuterExpressions(declaration.initializer);
          if (ts.isArrayLiteralExpression(initializer)) return initializer;
        }
      }
    }
    throw new Error(`${this.path}: no list '${name}' written as an array literal`);
  }

  private entry(list: string, name: string): ts.ObjectLiteralExpression {
    const found = this.list(list).elements.find((element) => {
      if (!ts.isObjectLiteralExpression(element)) return false;
      const initializer = propertyNamed(element, 'name')?.initializer;
      return initializer !== undefined && ts.isStringLiteral(initializer) && initializer.text === name;
    });
    if (!found || !ts.isObjectLiteralExpression(found)) {
      throw new Error(`${this.path}: no entry named '${name}' written as an object literal in '${list}'`);
    }
    return found;
  }

  private replace(node: ts.Node, text: string): void {
    this.edits.push({ start: node.getStart(this.source), end: node.end, text });
  }

  private append(object: ts.ObjectLiteralExpression, text: string): void {
    const last = object.properties.at(-1);
    if (last) this.edits.push({ start: last.end, end: last.end, text: `, ${text}` });
    else this.edits.push({ start: object.getStart(this.source) + 1, end: object.getStart(this.source) + 1, text });
  }
}

function skipOuterExpressions(node: ts.Expression): ts.Expression {
  let current = node;
  while (ts.isAsExpression(current) || ts.isSatisfiesExpression(current) || ts.isParenthesizedExpression(current)) {
    current = current.expression;
  }
  return current;
}

function propertyNamed(object: ts.ObjectLiteralExpression, key: string): ts.PropertyAssignment | undefined {
  return object.properties.find(
    (property): property is ts.PropertyAssignment =>
      ts.isPropertyAssignment(property) &&
      (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) &&
      property.name.text === key,
  );
}

function field(holder: unknown, key: string): unknown {
  return holder !== null && typeof holder === 'object' ? (holder as Record<string, unknown>)[key] : undefined;
}

/** `holder` with the field at `path` set to `value` (a copy; `holder` itself is not changed). */
function withField(holder: unknown, path: readonly string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [key, ...rest] = path;
  const base = holder !== null && typeof holder === 'object' ? (holder as Record<string, unknown>) : {};
  return { ...base, [key]: withField(base[key], rest, value) };
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A value as a TypeScript literal: single-quoted strings, keys unquoted where they may be. */
export function literal(value: unknown): string {
  if (value === undefined) throw new Error('cannot write undefined as a literal');
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, child]) => child !== undefined);
  return `{ ${entries.map(([key, child]) => `${IDENTIFIER.test(key) ? key : literal(key)}: ${literal(child)}`).join(', ')} }`;
}
