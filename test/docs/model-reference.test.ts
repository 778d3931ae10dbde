import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PlatformModelSchema } from '@platform/model';
import { schemaFieldPaths } from '../support/schema-fields';

const reference = readFileSync(join(__dirname, '..', '..', 'docs', 'model.md'), 'utf8');
const documented = [...reference.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1]);
const fields = schemaFieldPaths(PlatformModelSchema);

describe('docs/model.md', () => {
  it('documents every field of the model', () => {
    expect(fields.filter((field) => !documented.includes(field))).toEqual([]);
  });

  it('documents no field the model does not have', () => {
    expect(documented.filter((field) => !fields.includes(field))).toEqual([]);
  });

  it('lists the walk of the schema that the check relies on', () => {
    expect(fields).toEqual(
      expect.arrayContaining(['services[].image.tag', 'environments[].cluster.endpointAccess.publicCidrs']),
    );
  });
});
