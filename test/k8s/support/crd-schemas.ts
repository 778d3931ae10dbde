import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';

/** The upstream CRDs live beside the clone (CI checks out shared/ next to it), never inside the repository. */
export const CRD_DIRECTORY = join(__dirname, '..', '..', '..', '..', 'shared', 'crds');

export interface CrdVersion {
  readonly scope: 'Namespaced' | 'Cluster';
  readonly validate: ValidateFunction;
  /** The version's openAPIV3Schema as published, with its `x-kubernetes-validations` rules. */
  readonly schema: Record<string, unknown>;
}

interface CrdDocument {
  kind: string;
  spec: {
    group: string;
    scope: 'Namespaced' | 'Cluster';
    names: { kind: string };
    versions: { name: string; served: boolean; schema?: { openAPIV3Schema: Record<string, unknown> } }[];
  };
}

/**
 * A validator per served `group/version` and kind of every CRD file. Unknown fields are rejected:
 * every object schema that lists its properties and does not preserve unknown fields gets
 * `additionalProperties: false`, which is what the API server's pruning would silently do.
 */
export function loadCrdValidators(directory = CRD_DIRECTORY): Map<string, CrdVersion> {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { regExp: goRegExp } });
  const validators = new Map<string, CrdVersion>();
  for (const file of yamlFiles(directory)) {
    for (const document of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const crd = document.toJS() as CrdDocument | null;
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      for (const version of crd.spec.versions) {
        if (!version.served || !version.schema) continue;
        const schema = rejectUnknownFields(version.schema.openAPIV3Schema);
        validators.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, {
          scope: crd.spec.scope,
          validate: ajv.compile(schema),
          schema: version.schema.openAPIV3Schema,
        });
      }
    }
  }
  return validators;
}

/** CRD patterns are Go (RE2) expressions; the one construct JavaScript lacks in them is the inline `(?i)` flag. */
function goRegExp(pattern: string, flags: string): RegExp {
  return pattern.includes('(?i)')
    ? new RegExp(pattern.replaceAll('(?i)', ''), `${flags}i`)
    : new RegExp(pattern, flags);
}
goRegExp.code = 'goRegExp';

function yamlFiles(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

type Schema = Record<string, unknown>;

export function rejectUnknownFields(schema: Schema): Schema {
  const copy: Schema = { ...schema };
  if (isSchema(copy.properties)) {
    copy.properties = Object.fromEntries(
      Object.entries(copy.properties).map(([name, child]) => [name, rejectUnknownFields(child as Schema)]),
    );
    if (copy['x-kubernetes-preserve-unknown-fields'] !== true && copy.additionalProperties === undefined) {
      copy.additionalProperties = false;
    }
  }
  if (isSchema(copy.items)) copy.items = rejectUnknownFields(copy.items);
  if (isSchema(copy.additionalProperties)) copy.additionalProperties = rejectUnknownFields(copy.additionalProperties);
  // allOf/anyOf/oneOf branches of a structural schema only add constraints on fields declared above; left open.
  return copy;
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
