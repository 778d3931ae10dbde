import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UPSTREAM_CRD_DIRECTORY, UPSTREAM_CRDS } from '@platform/k8s-platform';
import Ajv, { type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';

/** The upstream CRDs, as `pnpm fetch:upstream` (part of `npm run setup`) left them in the clone. */
export const CRD_DIRECTORY = join(__dirname, '..', '..', '..', UPSTREAM_CRD_DIRECTORY);

/** The files of UPSTREAM_CRDS; a missing one is an error that says how to get it, never a skipped check. */
export function upstreamCrdFiles(directory = CRD_DIRECTORY): string[] {
  return UPSTREAM_CRDS.map((crd) => {
    const file = join(directory, `${crd.name}.yaml`);
    if (!existsSync(file)) throw new Error(`${file} is missing: run 'npm run setup' (or 'pnpm fetch:upstream')`);
    return file;
  });
}

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
  for (const file of upstreamCrdFiles(directory)) {
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
