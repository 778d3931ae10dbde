/**
 * The metric names a PromQL expression selects, read without a PromQL parser: strings, label matchers, range and
 * subquery brackets and the label lists of `by`, `without`, `on`, `ignoring`, `group_left` and `group_right` are cut
 * out first; what remains of each name that no `(` follows (a function or aggregation) and that is no keyword is a
 * metric. Enough for the plain expressions of dist/ (promtool parses them all beside it); `offset` and `@` are
 * refused rather than read wrongly.
 */

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'inf',
  'nan',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
]);

export function metricNames(expr: string): string[] {
  let rest = expr
    // Strings of every quoting PromQL has, escapes included.
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  rest = rest.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  if (/\boffset\b|@/.test(rest)) throw new Error(`offset and @ are not read: ${expr}`);
  const names = new Set<string>();
  // Numbers first, so the exponent of 1e-3 or the digits of 0x1f are not read as names.
  for (const match of rest.matchAll(
    /0x[0-9a-f]+|\d+(?:\.\d*)?(?:e[+-]?\d+)?|\.\d+|([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/gi,
  )) {
    const [, name, call] = match;
    if (name === undefined || call !== undefined || KEYWORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names].sort();
}
