import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { portableYaml } from '@platform/k8s-platform';
import { parseAllDocuments } from 'yaml';

const dist = join(__dirname, '..', '..', 'dist');

/** Every document of a YAML text as a YAML 1.1 reader (Go's decoders) and a YAML 1.2 reader see it. */
function bothReadings(text: string): { yaml11: unknown[]; yaml12: unknown[] } {
  const read = (version: '1.1' | '1.2') =>
    parseAllDocuments(text, { version }).map((document) => {
      expect(document.errors).toEqual([]);
      return document.toJS();
    });
  return { yaml11: read('1.1'), yaml12: read('1.2') };
}

/** Strings whose plain form YAML 1.1 or 1.2 resolves to a boolean, null, number or timestamp. */
const AMBIGUOUS = [
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF'],
  ...['true', 'False', '~', 'null', 'Null', ''],
  ...['0755', '0o17', '0x1F', '0b101', '1_000', '1:20', '190:20:30', '.5', '1e3', '+12', '-0', '.inf', '.NaN'],
  ...['2026-11-30', '2026-11-30T12:00:00Z', '2026-11-30 12:00:00'],
  ...['.', '=', '<<'],
];

describe('dist/ reads the same to a YAML 1.1 and a YAML 1.2 reader', () => {
  const files = readdirSync(dist, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.yaml'))
    .map((entry) => join(entry.parentPath, entry.name));

  it('has files to read', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files.map((file) => [file.slice(dist.length + 1), file]))('%s', (_name, file) => {
    const { yaml11, yaml12 } = bothReadings(readFileSync(file, 'utf8'));
    expect(yaml11).toEqual(yaml12);
  });
});

describe('portableYaml', () => {
  it.each(AMBIGUOUS.map((text) => [text]))('writes %j so that both versions read it back as that string', (text) => {
    const value = { [text]: text, list: [text], nested: { value: text } };
    const { yaml11, yaml12 } = bothReadings(portableYaml(value));
    expect(yaml11).toEqual([value]);
    expect(yaml12).toEqual([value]);
  });

  it('leaves unambiguous scalars plain and keeps numbers, booleans and null typed', () => {
    const value = { updateMode: 'Auto', replicas: 2, enabled: false, nothing: null, ratio: 0.5, text: 'a\nb\n' };
    const text = portableYaml(value);
    expect(text).toContain('updateMode: Auto\n');
    expect(bothReadings(text)).toEqual({ yaml11: [value], yaml12: [value] });
  });

  it('writes an object held twice in full both times, without an anchor or an alias', () => {
    const shared = { BASE_SHA: 'x' };
    const value = { steps: [{ env: shared }, { env: shared }] };
    const text = portableYaml(value);
    expect(text).not.toMatch(/[&*]a\d/);
    expect(text.match(/BASE_SHA: x/g)).toHaveLength(2);
    expect(bothReadings(text)).toEqual({ yaml11: [value], yaml12: [value] });
  });

  it('is what YAML 1.2 alone would misplace: the plain writer leaves Off bare', () => {
    const { stringify } = require('yaml') as typeof import('yaml');
    expect(bothReadings(stringify({ updateMode: 'Off' })).yaml11).toEqual([{ updateMode: false }]);
    expect(portableYaml({ updateMode: 'Off' })).toBe('updateMode: "Off"\n');
  });
});
