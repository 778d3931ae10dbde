/**
 * Names derived from single model fields, checked on many values: cheap enough for thousands of runs in the
 * ordinary test run, which the rendering properties cannot afford.
 */
import { labelValue } from '@platform/k8s-platform';
import { platformModelInput, validateModel } from '@platform/model';
import fc from 'fast-check';
import { imageTagArbitrary } from '../support/model-arbitrary';
import { labelValueProblem } from './support/kubernetes-names';
import { QUICK_SEED } from './support/property-runs';

/** Renames the shipped model's first environment, and its releases with it. */
function renameEnvironment(input: typeof platformModelInput, name: string): void {
  const old = input.environments[0].name;
  input.environments[0].name = name;
  const releases = input.releases as Record<string, unknown> | undefined;
  if (releases && old in releases && name !== old) {
    releases[name] = releases[old];
    delete releases[old];
  }
}

/** The service the tests rename: the model's last one. */
const TARGET = platformModelInput.services.length - 1;

/** Renames the model's last service in the catalog, in every service that calls it and in the releases. */
function renameService(input: typeof platformModelInput, name: string): void {
  const old = input.services[TARGET].name;
  Object.assign(input.services[TARGET], { name });
  for (const service of input.services) {
    const calls = service.dependencies.calls as string[];
    calls.splice(0, calls.length, ...calls.map((callee) => (callee === old ? name : callee)));
  }
  for (const perService of Object.values((input.releases ?? {}) as Record<string, Record<string, unknown>>)) {
    if (old in perService && name !== old) {
      perService[name] = perService[old];
      delete perService[old];
    }
  }
}

test('the renaming helpers keep the shipped model valid, so a rejection below is the name’s', () => {
  expect(accepts((input) => renameEnvironment(input, 'qa'))).toBe(true);
  expect(accepts((input) => renameService(input, 'qa'))).toBe(true);
  expect(accepts((input) => Object.assign(input.organization, { name: 'qa' }))).toBe(true);
});

/** Whether the validator accepts the shipped model with this change. */
function accepts(change: (input: typeof platformModelInput) => void): boolean {
  const input = structuredClone(platformModelInput);
  change(input);
  return validateModel(input).issues.length === 0;
}

test('every image tag the validator accepts gives a valid, non-empty app.kubernetes.io/version label', () => {
  fc.assert(
    fc.property(imageTagArbitrary, (tag) => {
      // The tag itself (without a digest it pins) as a release tag pattern (no wildcard) beside the shipped one:
      // every tag must match one.
      const releaseTagPatterns = ['*.*.*', tag.split('@')[0]];
      expect(
        accepts((input) => {
          Object.assign(input.services[0].image, { tag });
          Object.assign(input.organization.images, { releaseTagPatterns });
        }),
      ).toBe(true);
      const value = labelValue(tag);
      expect({ tag, problem: labelValueProblem('app.kubernetes.io/version', value), empty: value === '' }).toEqual({
        tag,
        problem: undefined,
        empty: false,
      });
    }),
    {
      seed: QUICK_SEED,
      numRuns: 100,
      examples: [['n__'], ['1.0-'], ['_x'], ['___'], [`v${'1.'.repeat(40)}`], [`1.0.0@sha256:${'0'.repeat(64)}`]],
    },
  );
});

/** ECR repository names (CreateRepository): components of lowercase alphanumerics joined by single `.`, `_` or `-`. */
const ECR_REPOSITORY = /^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
/** ElastiCache replication group IDs (CreateReplicationGroup): a letter first, no `--`, no `-` at the end. */
const ELASTICACHE_ID = /^[a-z](-?[a-z0-9])*$/;

const nameLike = fc.string({ unit: fc.constantFrom(...'abc019-'.split('')), minLength: 1, maxLength: 12 });

test('every organization, environment and service name the validator accepts gives valid ECR and ElastiCache names', () => {
  fc.assert(
    fc.property(nameLike, (name) => {
      const [organization, environment, service] = [
        accepts((input) => Object.assign(input.organization, { name })) ? name : platformModelInput.organization.name,
        accepts((input) => renameEnvironment(input, name)) ? name : platformModelInput.environments[0].name,
        accepts((input) => renameService(input, name)) ? name : platformModelInput.services[TARGET].name,
      ];
      expect({
        repository: `${organization}/${service}`,
        valid: ECR_REPOSITORY.test(`${organization}/${service}`),
      }).toEqual({
        repository: `${organization}/${service}`,
        valid: true,
      });
      const cacheId = `${organization}-${environment}-${service}`;
      expect({ cacheId, valid: ELASTICACHE_ID.test(cacheId) }).toEqual({ cacheId, valid: true });
    }),
    { seed: QUICK_SEED, numRuns: 100, examples: [['a--b'], ['a-'], ['0a']] },
  );
});

const label = (length: number) => `a${'b1-c'.repeat(8)}`.slice(0, length).replace(/-$/, 'x');

test('every organization, environment and service name length the validator accepts keeps the derived AWS names within limits', () => {
  fc.assert(
    fc.property(
      fc.record({
        organization: fc.integer({ min: 1, max: 32 }),
        environment: fc.integer({ min: 1, max: 32 }),
        service: fc.integer({ min: 1, max: 32 }),
        database: fc.boolean(),
        cache: fc.boolean(),
      }),
      (lengths) => {
        const [organization, environment, service] = [
          label(lengths.organization),
          label(lengths.environment),
          label(lengths.service),
        ];
        const valid = accepts((input) => {
          input.organization.name = organization;
          renameEnvironment(input, environment);
          renameService(input, service);
          Object.assign(input.services[TARGET].dependencies, { database: lengths.database, cache: lengths.cache });
        });
        fc.pre(valid);
        // Role, database instance and cache of a service are all named <org>-<env>-<service>.
        const named = `${organization}-${environment}-${service}`;
        expect({
          role: named.length <= 64,
          addonRole: `${organization}-${environment}-load-balancer-controller`.length <= 64,
          database: !lengths.database || named.length <= 63,
          cache: !lengths.cache || named.length <= 40,
        }).toEqual({ role: true, addonRole: true, database: true, cache: true });
      },
    ),
    {
      seed: QUICK_SEED,
      numRuns: 100,
      examples: [[{ organization: 4, environment: 3, service: 32, database: false, cache: true }]],
    },
  );
});

// RDS refuses a reserved word as DBName and MasterUsername (CreateDBInstance); both are the service's name.
test.each(['user', 'order', 'do', 'table'])(
  "a service with a database named '%s', a word PostgreSQL reserves, is a model error at its name",
  (name) => {
    const input = structuredClone(platformModelInput);
    renameService(input, name);
    input.services[TARGET].dependencies.database = true;
    expect(validateModel(input).issues.map((issue) => issue.path)).toEqual([`services.${name}.name`]);
  },
);

// PostgreSQL refuses to create a role whose name begins with pg_ ("role name ... is reserved"): the master user and
// the service's own user are named after the service.
test.each(['pg-audit', 'pg-x'])(
  "a service with a database named '%s', whose users would begin with pg_, is a model error at its name",
  (name) => {
    const input = structuredClone(platformModelInput);
    renameService(input, name);
    input.services[TARGET].dependencies.database = true;
    const issues = validateModel(input).issues;
    expect(issues.map((issue) => issue.path)).toEqual([`services.${name}.name`]);
    expect(issues[0]?.message).toContain("PostgreSQL reserves role names that begin with 'pg_'");
  },
);

test("a service named 'pg-x' without a database is valid: no PostgreSQL role is named after it", () => {
  const input = structuredClone(platformModelInput);
  renameService(input, 'pg-x');
  input.services[TARGET].dependencies.database = false;
  expect(validateModel(input).issues.filter((issue) => issue.path === 'services.pg-x.name')).toEqual([]);
});
