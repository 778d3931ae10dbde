import type { z } from 'zod';
import {
  type Environment,
  EnvironmentSchema,
  type Organization,
  OrganizationSchema,
  type Queue,
  QueueSchema,
  type Service,
  type ServiceRelease,
  ServiceReleaseSchema,
  ServiceSchema,
  type Team,
  TeamSchema,
} from './schema';

/**
 * One entry of the model as the rules see it: its well-formed top-level fields only. A rule runs on an entry
 * when the fields it reads are well-formed, so a malformed field hides no problem of the entry's other fields.
 */
export interface Part<T> {
  /** The entry's name as written (well-formed or not), else its index: the path segment of its problems. */
  readonly label: string;
  /** The fields that match their schema; the others are left out. */
  readonly fields: Partial<T>;
  /** Names of the fields that match their schema. */
  readonly wellFormed: ReadonlySet<string>;
}

/** The model split into parts; a list that is not a list has no parts. */
export interface ModelParts {
  readonly organization: Part<Organization>;
  readonly environments: readonly Part<Environment>[];
  readonly teams: readonly Part<Team>[];
  readonly services: readonly Part<Service>[];
  readonly queues: readonly Part<Queue>[];
  /** Per environment name, per service name as written: the release, split into parts like the entries. */
  readonly releases: ReadonlyMap<string, ReadonlyMap<string, Part<ServiceRelease>>>;
}

/** The fields `keys` of an entry, when all of them are well-formed; undefined otherwise. */
export function pick<T, K extends keyof T>(part: Part<T>, ...keys: K[]): Pick<T, K> | undefined {
  return keys.every((key) => part.wellFormed.has(key as string)) ? (part.fields as Pick<T, K>) : undefined;
}

export function modelParts(input: unknown): ModelParts {
  const root = isRecord(input) ? input : {};
  const list = <T>(value: unknown, schema: z.ZodObject): Part<T>[] =>
    Array.isArray(value) ? value.map((item, index) => partOf<T>(item, schema, String(index))) : [];
  return {
    organization: partOf<Organization>(root.organization, OrganizationSchema, 'organization'),
    environments: list<Environment>(root.environments, EnvironmentSchema),
    teams: list<Team>(root.teams, TeamSchema),
    services: list<Service>(root.services, ServiceSchema),
    queues: list<Queue>(root.queues, QueueSchema),
    releases: releaseParts(root.releases),
  };
}

function releaseParts(value: unknown): Map<string, Map<string, Part<ServiceRelease>>> {
  const entries = (record: unknown) => (isRecord(record) ? Object.entries(record) : []);
  return new Map(
    entries(value).map(([environment, services]) => [
      environment,
      new Map(
        entries(services).map(([service, release]) => [
          service,
          partOf<ServiceRelease>(release, ServiceReleaseSchema, service),
        ]),
      ),
    ]),
  );
}

function partOf<T>(item: unknown, schema: z.ZodObject, fallbackLabel: string): Part<T> {
  const record = isRecord(item) ? item : {};
  const fields: Record<string, unknown> = {};
  const wellFormed = new Set<string>();
  if (isRecord(item)) {
    for (const [key, fieldSchema] of Object.entries(schema.shape)) {
      const result = (fieldSchema as z.ZodType).safeParse(record[key]);
      if (!result.success) continue;
      if (result.data !== undefined) fields[key] = result.data;
      wellFormed.add(key);
    }
  }
  const label = typeof record.name === 'string' ? record.name : fallbackLabel;
  return { label, fields: fields as Partial<T>, wellFormed };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
