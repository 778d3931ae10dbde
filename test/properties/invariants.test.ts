/**
 * The invariant checks of the property suites can fail: each is shown a rendering or template with one fault put
 * in by hand, and must name it. (A check that passes everything would let every property pass.)
 */

import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  ciImagePushRoleName,
  ciServiceImagePushRoleName,
  EnvironmentNaming,
  ecrRepositoryName,
  environmentStackId,
  imageRepositoryStackId,
  loadPlatformModel,
  type PlatformModel,
  platformModelInput,
  serviceStackId,
  validateModel,
} from '@platform/model';
import { CLOUDFORMATION_DIST, committedTemplates } from '../aws/cloud-assembly';
import {
  awsServiceProblems,
  deliveryProblems,
  imagePushProblems,
  OTHER_PRINCIPALS,
  type Templates,
} from './support/aws-invariants';
import { guardrailProblems } from './support/guardrail-invariants';
import {
  applicationFolderProblems,
  duplicateObjectProblems,
  nameAndLabelProblems,
  portabilityProblems,
  type RenderedDist,
  reachabilityProblems,
  recordingRuleProblems,
  renderedDist,
  serviceObjectProblems,
} from './support/kubernetes-invariants';
import { labelProblems, objectNameProblems } from './support/kubernetes-names';
import { assertForAllModels, FAILURE_DIRECTORY, propertyRun } from './support/property-runs';
import { modelSecretAccessProblems } from './support/secret-access-invariants';

/**
 * The faults are put into the rendering of the model in the data files, at places picked from it: its first
 * service, its first and last environment, and a call (one is added between its first two services if it
 * declares none), so the checks are shown a fault whatever the model holds.
 */
const model = withACall(loadPlatformModel());
const rendering = renderedDist(model);
/** The rendering, with objects of its own for the test to change: rendered once, copied for each test. */
const fresh = (): RenderedDist => ({
  get files() {
    return rendering.files;
  },
  objects: rendering.objects.map((file) => ({ ...file, object: structuredClone(file.object) })),
});
const [service] = model.services;
const [first] = model.environments;
const last = model.environments[model.environments.length - 1];
const caller = model.services.find((candidate) => candidate.dependencies.calls.length > 0) ?? service;
const callee = model.services.find((candidate) => candidate.name === caller.dependencies.calls[0]) ?? service;
const folder = (environment: string, name: string) => `${environment}/services/${name}`;

function withACall(shipped: PlatformModel): PlatformModel {
  if (shipped.services.some((candidate) => candidate.dependencies.calls.length > 0)) return shipped;
  const [a, b] = shipped.services;
  if (!b) throw new Error('the checks of reachability need a model with two services');
  const services = shipped.services.map((candidate) =>
    candidate === a ? { ...a, dependencies: { ...a.dependencies, calls: [b.name] } } : candidate,
  );
  return { ...shipped, services };
}
/** The rendering with the objects at these paths changed (or removed, when `change` returns undefined). */
function edited(change: (path: string, object: RenderedDist['objects'][number]['object']) => unknown): RenderedDist {
  const dist = fresh();
  const objects = dist.objects.flatMap((file) => {
    const object = change(file.path, file.object);
    return object === undefined ? [] : [{ ...file, object: object as typeof file.object }];
  });
  return { files: dist.files, objects };
}

test('the shipped model passes every check', () => {
  const dist = fresh();
  expect({
    names: nameAndLabelProblems(dist),
    duplicates: duplicateObjectProblems(dist),
    portable: portabilityProblems(dist),
    applications: applicationFolderProblems(model, dist),
    services: serviceObjectProblems(model, dist),
    reachability: reachabilityProblems(model, dist),
    recordingRules: recordingRuleProblems(dist),
  }).toEqual({
    names: [],
    duplicates: [],
    portable: [],
    applications: [],
    services: [],
    reachability: [],
    recordingRules: [],
  });
});

test('an SLO window of one day, which a burn-rate window already records, is no second recording of that series', () => {
  const oneDay = {
    ...model,
    environments: model.environments.slice(0, 1),
    services: model.services.map((s) => ({ ...s, slo: { ...s.slo, windowDays: 1 } })),
  };
  expect(recordingRuleProblems(renderedDist(oneDay))).toEqual([]);
});

describe('object names and labels', () => {
  it.each([
    [{ kind: 'Service', metadata: { name: '1-api' } }, 'is not a DNS-1035 label'],
    [{ kind: 'Namespace', metadata: { name: 'team.a' } }, 'is not a DNS-1123 label'],
    [{ kind: 'Deployment', metadata: { name: 'api', namespace: 'Team' } }, "namespace 'Team' is not a DNS-1123 label"],
    [{ kind: 'CronJob', metadata: { name: 'a'.repeat(53) } }, 'has 53 characters (at most 52)'],
    [{ kind: 'ConfigMap', metadata: { name: 'a_b' } }, 'is not a DNS-1123 subdomain'],
    [{ kind: 'Role', metadata: { name: 'a/b' } }, 'is not a path segment'],
  ])('%j: %s', (object, problem) => {
    expect(objectNameProblems(object).join()).toContain(problem);
  });

  it.each([
    [{ metadata: { labels: { 'app.kubernetes.io/version': '1.0-' } } }, 'is not a valid label value'],
    [{ spec: { template: { metadata: { labels: { a: 'x'.repeat(64) } } } } }, 'has 64 characters'],
    [{ spec: { selector: { matchLabels: { 'a/b/c': 'x' } } } }, "has more than one '/'"],
    [{ metadata: { annotations: { '-bad': 'any value' } } }, 'is not a qualified name'],
  ])('%j: %s', (object, problem) => {
    expect(labelProblems(object).join()).toContain(problem);
  });
});

test('a file that YAML 1.1 reads differently is named', () => {
  const dist = fresh();
  const [path] = [...dist.files.keys()];
  const broken = new Map(dist.files).set(path, 'updateMode: Off\n');
  expect(portabilityProblems({ ...dist, files: broken })).toEqual([`${path} reads differently in YAML 1.1 and 1.2`]);
});

test('a duplicate object is named', () => {
  const dist = fresh();
  const copy = { ...dist.objects[0], path: `${dist.objects[0].path}.copy` };
  expect(duplicateObjectProblems({ ...dist, objects: [...dist.objects, copy] })).toHaveLength(1);
});

test('a folder without its Application is named', () => {
  const dist = edited((path, object) =>
    path === `${last.name}/application-services-${service.name}.yaml` ? undefined : object,
  );
  expect(applicationFolderProblems(model, dist)).toEqual([
    `${folder(last.name, service.name)} is the source of 0 Applications`,
  ]);
});

describe('service objects', () => {
  it('names a missing PodDisruptionBudget', () => {
    const dist = edited((path, object) =>
      path.endsWith(`/poddisruptionbudget-${service.name}.yaml`) ? undefined : object,
    );
    expect(serviceObjectProblems(model, dist).join('\n')).toMatch(
      new RegExp(`${service.name}: the folder holds .*the model asks for .*PodDisruptionBudget`),
    );
  });

  it('names replica bounds and an image that differ from the model', () => {
    const dist = edited((path, object) => {
      if (path === `${folder(first.name, service.name)}/horizontalpodautoscaler-${service.name}.yaml`)
        object.spec.maxReplicas += 1;
      if (path === `${folder(last.name, service.name)}/deployment-${service.name}.yaml`) {
        object.spec.template.spec.containers[0].image += '-other';
      }
      return object;
    });
    const problems = serviceObjectProblems(model, dist).join('\n');
    expect(problems).toContain(`${first.name}/${service.name}: the HPA scales`);
    expect(problems).toContain(`${last.name}/${service.name}: the image`);
  });
});

describe('reachability', () => {
  const ingress = `${folder(last.name, callee.name)}/networkpolicy-${callee.name}-ingress.yaml`;

  it('names a declared call the policies deny', () => {
    // Only the first rule (Prometheus to the metrics port) is left.
    const dist = edited((path, object) =>
      path === ingress ? { ...object, spec: { ...object.spec, ingress: [object.spec.ingress[0]] } } : object,
    );
    expect(reachabilityProblems(model, dist)).toContain(
      `${last.name}: a declared call (${caller.name} → ${callee.name}:${callee.port}/TCP) is denied`,
    );
  });

  it('names an undeclared call the policies allow', () => {
    const dist = edited((path, object) =>
      path === ingress
        ? {
            ...object,
            spec: {
              ...object.spec,
              ingress: [...object.spec.ingress, { ports: [{ protocol: 'TCP', port: callee.port }] }],
            },
          }
        : object,
    );
    // The other services' egress policies still hold; pods without one (Prometheus, a stranger) get in.
    expect(reachabilityProblems(model, dist)).toContain(
      `${last.name}: a stranger with a service's labels (impostor-of-${caller.name} → ${callee.name}:${callee.port}/TCP) is allowed`,
    );
  });
});

test('a privileged service container fails the guard rails', () => {
  const dist = edited((path, object) => {
    if (path === `${folder(last.name, service.name)}/deployment-${service.name}.yaml`) {
      object.spec.template.spec.containers[0].securityContext.privileged = true;
    }
    return object;
  });
  const lastOnly: PlatformModel = { ...model, environments: [last] };
  expect(guardrailProblems(lastOnly, dist).join('\n')).toContain(
    `${last.name}: Deployment ${service.team}/${service.name} fails disallow-privileged-containers`,
  );
});

describe('workload roles', () => {
  // The model cut to its first environment and its first service, whose only dependencies are a database and a cache.
  const subject = {
    ...service,
    dependencies: { calls: [], publishes: [], consumes: [], database: true, cache: true },
  };
  const tiny: PlatformModel = { ...model, environments: [first], services: [subject], queues: [] };
  const { name: org } = model.organization;
  const prefix = `${org}/${first.name}/`;
  const own = `${prefix}${subject.name}/redis`;
  const master = `${prefix}${subject.name}/postgres`;
  const other = `${prefix}not-a-service-of-the-model/redis`;
  const roleName = `${org}-${first.name}-${subject.name}`;
  const user = `${subject.name.replaceAll('-', '_')}_${first.name.replaceAll('-', '_')}`;
  const login = (userPart: string) => `arn:aws:rds-db:${first.region}:${first.account}:dbuser:*/${userPart}`;
  /** A cluster and service template with the subject's role allowed to read these secrets and log in as these users. */
  const templates = (secretResources: unknown[], logins: unknown[] = [login(user)]): Templates => ({
    byStack: new Map([
      [
        serviceStackId(first.name, subject.name),
        {
          stackName: `${org}-${first.name}-service-${subject.name}`,
          resources: {
            Db: {
              Type: 'AWS::RDS::DBInstance',
              Properties: { DBName: subject.name.replaceAll('-', '_'), DBInstanceIdentifier: roleName },
            },
            Cache: { Type: 'AWS::ElastiCache::ReplicationGroup', Properties: { ReplicationGroupId: roleName } },
            User: { Type: 'Custom::DatabaseUser', Properties: { UserName: user } },
            Master: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: master } },
            Own: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: own } },
            Other: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: other } },
          },
        },
      ],
      [
        `${first.name}-cluster`,
        {
          stackName: `${org}-${first.name}-cluster`,
          resources: {
            Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: roleName } },
            Policy: {
              Type: 'AWS::IAM::Policy',
              Properties: {
                Roles: [{ Ref: 'Role' }],
                PolicyDocument: {
                  Statement: [
                    { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: secretResources },
                    ...logins.map((resource) => ({ Effect: 'Allow', Action: 'rds-db:connect', Resource: resource })),
                  ],
                },
              },
            },
            Association: {
              Type: 'AWS::EKS::PodIdentityAssociation',
              Properties: { Namespace: subject.team, ServiceAccount: subject.name },
            },
          },
        },
      ],
    ]) as unknown as Templates['byStack'],
  });
  const arn = (name: string) => ({
    'Fn::Join': [
      '',
      ['arn:', { Ref: 'AWS::Partition' }, `:secretsmanager:${first.region}:${first.account}:secret:${name}`],
    ],
  });

  it('accept a role that reads exactly its own cache secret and logs in as its own database user', () => {
    expect(awsServiceProblems(tiny, templates([arn(`${own}-??????`)]))).toEqual([]);
  });

  it('name a role that may read another service’s secret, or its database’s master secret, through a wildcard', () => {
    // Every secret the templates create below the prefix: the Argo CD repository's too.
    const readable = [`${prefix}argocd/repository`, other, master, own].sort();
    expect(awsServiceProblems(tiny, templates([arn(`${prefix}*`)]))).toEqual([
      `${first.name}: secrets ${subject.name} may read are [${readable.join(', ')}], the model asks for [${own}]`,
    ]);
  });

  it('name a role that may log in as any database user, or as none', () => {
    const any = login('*');
    expect(awsServiceProblems(tiny, templates([arn(`${own}-??????`)], [any]))).toEqual([
      `${first.name}: database users ${subject.name} may log in as are [${JSON.stringify({ Effect: 'Allow', Action: 'rds-db:connect', Resource: any })}], the model asks for [${user}]`,
    ]);
    expect(awsServiceProblems(tiny, templates([arn(`${own}-??????`)], []))).toEqual([
      `${first.name}: database users ${subject.name} may log in as are [], the model asks for [${user}]`,
    ]);
  });
});

describe('secret access per service', () => {
  // The first environment, with the committed templates of its stacks: the cluster stack's and the services' roles.
  const only: PlatformModel = { ...model, environments: [first] };
  const committed = committedTemplates();
  // biome-ignore lint/suspicious/noExplicitAny: a template is free-form JSON
  const templates = (change: (resources: Record<string, any>) => void = () => {}): Templates => ({
    byStack: new Map(
      // biome-ignore lint/suspicious/noExplicitAny: a template is free-form JSON
      committed.map(([stack, template]: [string, any]) => {
        const resources = structuredClone(template.Resources);
        change(resources);
        return [stack, { stackName: stack, resources }];
      }),
    ),
  });
  const teamSecret = rendering.objects.find(
    (file) =>
      file.environment === first.name &&
      file.object.kind === 'ExternalSecret' &&
      model.teams.some((team) => team.name === file.object.metadata.namespace),
  )?.object;
  if (!teamSecret) throw new Error(`${first.name} has no ExternalSecret in a team namespace`);
  const namespace = teamSecret.metadata.namespace as string;
  const where = `ExternalSecret ${namespace}/${teamSecret.metadata.name}`;
  // biome-ignore lint/suspicious/noExplicitAny: a manifest is free-form JSON
  const storeOf = (object: any) =>
    rendering.objects.find(
      (file) =>
        file.environment === first.name &&
        file.object.kind === 'SecretStore' &&
        file.object.metadata.namespace === object.metadata.namespace &&
        file.object.metadata.name === object.spec.secretStoreRef.name,
    )?.object;
  const roleArn = storeOf(teamSecret)?.spec.provider.aws.role as string;
  const roleName = roleArn.split('/').pop() as string;
  // The role of another namespace's stores (monitoring's, if no other team has one).
  const otherArn = rendering.objects.find(
    (file) =>
      file.environment === first.name &&
      file.object.kind === 'SecretStore' &&
      file.object.metadata.namespace !== namespace,
  )?.object.spec.provider.aws.role as string | undefined;
  if (!otherArn) throw new Error(`${first.name} has one secret reader only`);
  const otherRole = otherArn.split('/').pop() as string;

  it('accept the shipped rendering and templates', () => {
    expect(modelSecretAccessProblems(only, templates(), rendering)).toEqual([]);
  });

  it('name a reader role that may read every secret of the environment', () => {
    const broad = templates((resources) => {
      const role = Object.values(resources).find((resource) => resource.Properties?.RoleName === roleName);
      if (!role) return;
      role.Properties.Policies = [
        {
          PolicyName: 'everything',
          PolicyDocument: {
            Statement: [
              {
                Effect: 'Allow',
                Action: 'secretsmanager:GetSecretValue',
                Resource: `arn:aws:secretsmanager:${first.region}:${first.account}:secret:${model.organization.name}/${first.name}/*`,
              },
            ],
          },
        },
      ];
    });
    expect(modelSecretAccessProblems(only, broad, rendering).join('\n')).toContain(
      `${first.name}: role ${roleName} behind ${where} allows secrets [`,
    );
  });

  it("name a team's store that assumes another namespace's reader role", () => {
    const dist = edited((_path, object) => {
      if (object.kind === 'SecretStore' && object.metadata.namespace === namespace) {
        object.spec.provider.aws.role = otherArn;
      }
      return object;
    });
    expect(modelSecretAccessProblems(only, templates(), dist).join('\n')).toContain(
      `${first.name}: role ${otherRole} behind ${where} allows`,
    );
  });

  it("name a controller policy whose pattern reaches roles that are no service's reader", () => {
    const wide = templates((resources) => {
      for (const resource of Object.values(resources)) {
        for (const statement of resource.Properties?.PolicyDocument?.Statement ?? []) {
          if (statement.Sid === 'AssumeSecretReaders') {
            statement.Resource = [...statement.Resource, `arn:aws:iam::${first.account}:role/*`];
          }
        }
      }
    });
    // The workload role of the service whose secret it is: a role of the environment no store assumes.
    const naming = new EnvironmentNaming(model.organization, first);
    const service = model.services.find((candidate) => naming.serviceSecretReaderRoleName(candidate.name) === roleName);
    const workload = naming.workloadRoleName(service?.name ?? '');
    expect(modelSecretAccessProblems(only, wide, rendering)).toContain(
      `${first.name}: the controller may assume ${workload}, which no ExternalSecret needs`,
    );
  });

  it('name an ExternalSecret that reads through a ClusterSecretStore', () => {
    const dist = edited((_path, object) => {
      if (object.kind === 'ExternalSecret' && object.metadata.namespace === namespace) {
        object.spec.secretStoreRef = { kind: 'ClusterSecretStore', name: 'everyone' };
      }
      return object;
    });
    expect(modelSecretAccessProblems(only, templates(), dist)).toContain(
      `${first.name}: ${where} reads through a ClusterSecretStore store everyone, not a SecretStore of its namespace`,
    );
  });
});

describe('team names', () => {
  // The namespaces the cluster already has: every add-on namespace the platform renders, and Kubernetes' own.
  const platformNamespaces = fresh()
    .objects.filter((file) => file.environment === last.name && file.object.kind === 'Namespace')
    .filter((file) => file.object.metadata.labels?.['platform.io/team'] === undefined)
    .map((file) => file.object.metadata.name as string);

  it('the shipped rendering has add-on namespaces to check', () => {
    expect(platformNamespaces.length).toBeGreaterThan(3);
  });

  it.each([...platformNamespaces, 'default', 'kube-public', 'kube-node-lease'])(
    "a team named '%s', a namespace the cluster already has, is a model error at teams.<name>.name",
    (name) => {
      const input = structuredClone(platformModelInput);
      const old = input.teams[0].name;
      input.teams[0].name = name;
      for (const service of input.services) if (service.team === old) service.team = name;
      // The team's people principals move with it, so the name is the one problem.
      for (const environment of input.environments as { access?: { teams?: Record<string, string[]> } }[]) {
        const teams = environment.access?.teams;
        if (teams?.[old]) {
          teams[name] = teams[old];
          delete teams[old];
        }
      }
      expect(validateModel(input).issues.map((issue) => issue.path)).toEqual([`teams.${name}.name`]);
    },
  );
});

test('a failing property reports the seed, a replay command and the smallest failing model as JSON', () => {
  // A second of shrinking is enough to see the report; the real properties shrink for a minute or more.
  const run = {
    ...propertyRun({
      quickRuns: 5,
      quickSize: { maxServices: 10, maxEnvironments: 2 },
      nightlyRuns: 5,
      perModelMs: 200,
    }),
    shrinkMs: 1000,
  };
  let message = '';
  try {
    assertForAllModels('reporting self-test', run, (failing) => {
      if (failing.services.length > 1) throw new Error('more than one service');
    });
  } catch (error) {
    message = (error as Error).message;
  } finally {
    for (const suffix of ['json', 'cdk.context.json'])
      rmSync(join(FAILURE_DIRECTORY, `reporting-self-test.${suffix}`), { force: true });
  }
  expect(message).toMatch(/^Property 'reporting self-test' fails after \d+ model\(s\)/);
  expect(message).toMatch(
    /Replay: PROPERTY_PROFILE=\w+ PROPERTY_SEED=\d+ PROPERTY_PATH=[\d:]+ npx jest test\/properties -t 'reporting self-test'/,
  );
  expect(message).toContain('more than one service');
  const json = message.split('\n').find((line) => line.startsWith('{'));
  const shrunk = JSON.parse(json ?? 'null') as PlatformModel;
  // A model that fails the check (shrunk as far as a second allows), and one the validator accepts.
  expect(shrunk.services.length).toBeGreaterThan(1);
  expect(validateModel(shrunk).issues).toEqual([]);
});

test('a slow machine cannot fail a property: the verdict counts models, never time', () => {
  // Each model takes longer than the whole budget allows; the property holds, so the run must pass.
  const run = propertyRun({
    quickRuns: 2,
    quickSize: { maxServices: 2, maxEnvironments: 1 },
    nightlyRuns: 2,
    perModelMs: 1,
  });
  let checked = 0;
  assertForAllModels('slow machine self-test', { ...run, numRuns: 2, shrinkMs: 1 }, () => {
    const until = Date.now() + 20;
    while (Date.now() < until) {
      // busy: the machine is slower than the budget
    }
    checked += 1;
  });
  expect(checked).toBe(2);
});

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation templates are free-form JSON
type Json = any;

describe('deploy identities', () => {
  /** The committed templates (`pnpm synth:check` proves them fresh), each changed by `change` when given. */
  const committed = (change?: (stack: string, resources: Record<string, Json>) => void): Templates => {
    const byStack = new Map(
      readdirSync(CLOUDFORMATION_DIST)
        .filter((file) => file.endsWith('.template.json'))
        .map((file) => {
          const stack = file.slice(0, -'.template.json'.length);
          const resources = JSON.parse(readFileSync(join(CLOUDFORMATION_DIST, file), 'utf8')).Resources ?? {};
          change?.(stack, resources);
          return [stack, { stackName: stack, resources }] as const;
        }),
    );
    return { byStack };
  };
  const ciStack = environmentStackId(first.name, 'ci');
  const roleEndingIn = (resources: Record<string, Json>, suffix: string) =>
    Object.values(resources).find(
      (resource) => resource.Type === 'AWS::IAM::Role' && String(resource.Properties.RoleName).endsWith(suffix),
    );
  const deployRole = (resources: Record<string, Json>) => roleEndingIn(resources, '-ci-deploy');
  const planRole = (resources: Record<string, Json>) => roleEndingIn(resources, '-ci-plan');

  it('accept the shipped templates', () => {
    expect(deliveryProblems(model, committed())).toEqual([]);
  });

  it('name a deploy role any environment of the repository may assume', () => {
    const problems = deliveryProblems(
      model,
      committed((stack, resources) => {
        if (stack !== ciStack) return;
        const condition = deployRole(resources).Properties.AssumeRolePolicyDocument.Statement[0].Condition;
        condition.StringLike = {
          'token.actions.githubusercontent.com:sub': `repo:${model.organization.ci.githubRepository}:*`,
        };
      }),
    );
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^${ciStack}: \\S+-ci-deploy trusts not exactly`))]);
  });

  it('name a deploy role that may do more than assume the bootstrap roles', () => {
    const problems = deliveryProblems(
      model,
      committed((stack, resources) => {
        if (stack === ciStack)
          deployRole(resources).Properties.Policies[0].PolicyDocument.Statement[0].Action = 'sts:*';
      }),
    );
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^${ciStack}: \\S+-ci-deploy may do more`))]);
  });

  it('name a plan role that may assume the deploy role', () => {
    const problems = deliveryProblems(
      model,
      committed((stack, resources) => {
        if (stack !== ciStack) return;
        const statement = planRole(resources).Properties.Policies[0].PolicyDocument.Statement[0];
        statement.Resource = [statement.Resource, String(statement.Resource).replace('-lookup-role-', '-deploy-role-')];
      }),
    );
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^${ciStack}: \\S+-ci-plan may do more`))]);
  });

  it("name a deploy role that trusts the GitHub Environment without the branch (GitHub's default subject)", () => {
    const problems = deliveryProblems(
      model,
      committed((stack, resources) => {
        if (stack !== ciStack) return;
        deployRole(resources).Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals[
          'token.actions.githubusercontent.com:sub'
        ] = `repo:${model.organization.ci.githubRepository}:environment:${first.name}`;
      }),
    );
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^${ciStack}: \\S+-ci-deploy trusts not exactly`))]);
  });

  it("name every CI role that trusts the repository by name where the model gives its IDs (GitHub's immutable subject)", () => {
    // The committed templates name every repository `owner/repo`; the model now says their tokens carry the IDs.
    const withIds: PlatformModel = {
      ...model,
      organization: {
        ...model.organization,
        ci: { ...model.organization.ci, githubRepositoryOwnerId: 583231, githubRepositoryId: 1296269 },
      },
      services: model.services.map((service) =>
        service.ci
          ? { ...service, ci: { ...service.ci, githubRepositoryOwnerId: 9, githubRepositoryId: 10 } }
          : service,
      ),
    };
    const [owner, repository] = model.organization.ci.githubRepository.split('/');
    const delivery = deliveryProblems(withIds, committed());
    expect(delivery).toHaveLength(2 * model.environments.length);
    for (const problem of delivery) {
      expect(problem).toMatch(new RegExp(`trusts not exactly repo:${owner}@583231/${repository}@1296269:environment:`));
    }
    expect(imagePushProblems(withIds, committed())).toHaveLength(1 + model.services.filter((s) => s.ci).length);
  });

  it("accept the shipped push roles, refuse by the repository's policy one that may push to another service's repository, and name that policy when it lets it", () => {
    expect(imagePushProblems(model, committed())).toEqual([]);
    const [own, other] = model.services.filter((service) => service.ci);
    const { account, region } = model.organization.sharedServices;
    const ownRole = ciServiceImagePushRoleName(model.organization, own.name);
    const overGranted = (exemptOwnToo: boolean) =>
      committed((stack, resources) => {
        if (stack === imageRepositoryStackId(own.name)) {
          // The own service's role gets the other service's repository too, as one shared role had.
          const roleId = Object.keys(resources).find((id) => resources[id].Properties?.RoleName === ownRole);
          const policy = Object.values(resources).find(
            (resource) =>
              resource.Type === 'AWS::IAM::Policy' &&
              JSON.stringify(resource.Properties.Roles).includes(String(roleId)),
          );
          policy.Properties.PolicyDocument.Statement.push({
            Effect: 'Allow',
            Action: 'ecr:PutImage',
            Resource: `arn:aws:ecr:${region}:${account}:repository/${ecrRepositoryName(model.organization, other.name)}`,
          });
        }
        if (stack === imageRepositoryStackId(other.name) && exemptOwnToo) {
          const ecr = Object.values(resources).find((resource) => resource.Type === 'AWS::ECR::Repository');
          const deny = ecr.Properties.RepositoryPolicyText.Statement.find((s: Json) => s.Effect === 'Deny');
          const exempt = deny.Condition.ArnNotEquals;
          exempt['aws:PrincipalArn'] = [exempt['aws:PrincipalArn'], `arn:aws:iam::${account}:role/${ownRole}`].flat();
        }
      });
    // The other repository's policy denies every role but its own: the grant cannot take effect.
    expect(imagePushProblems(model, overGranted(false))).toEqual([]);
    expect(imagePushProblems(model, overGranted(true))).toEqual([
      expect.stringContaining(`${ecrRepositoryName(model.organization, other.name)}: written by`),
    ]);
  });

  describe('name a repository whose policy lets a principal besides its push role change its images', () => {
    const [own] = model.services.filter((service) => service.ci);
    const repository = ecrRepositoryName(model.organization, own.name);
    const denyOf = (resources: Record<string, Json>) => {
      const ecr = Object.values(resources).find((resource) => resource.Type === 'AWS::ECR::Repository');
      const statements = ecr.Properties.RepositoryPolicyText.Statement as Json[];
      return { statements, deny: statements.find((statement) => statement.Effect === 'Deny') };
    };
    const problemsWith = (change: (policy: ReturnType<typeof denyOf>) => void) =>
      imagePushProblems(
        model,
        committed((stack, resources) => {
          if (stack === imageRepositoryStackId(own.name)) change(denyOf(resources));
        }),
      );

    it('a Deny of the organization push role only (ArnEquals): an administrator of the account could push', () => {
      const problems = problemsWith(({ deny }) => {
        const arn = `arn:aws:iam::${model.organization.sharedServices.account}:role/${ciImagePushRoleName(model.organization)}`;
        deny.Condition = { ArnEquals: { 'aws:PrincipalArn': [arn] } };
      });
      expect(problems).toEqual([
        `${repository}: written by ${[ciServiceImagePushRoleName(model.organization, own.name), OTHER_PRINCIPALS].sort().join(', ')}, expected exactly ${ciServiceImagePushRoleName(model.organization, own.name)}`,
      ]);
    });

    it('no Deny at all', () => {
      const problems = problemsWith(({ statements }) => {
        statements.splice(
          statements.findIndex((statement) => statement.Effect === 'Deny'),
          1,
        );
      });
      expect(problems).toEqual([expect.stringContaining(`${repository}: written by`)]);
      expect(problems[0]).toContain(OTHER_PRINCIPALS);
      expect(problems[0]).toContain(ciImagePushRoleName(model.organization));
    });

    it('a Deny that leaves an image-changing action out (BatchDeleteImage)', () => {
      const problems = problemsWith(({ deny }) => {
        deny.Action = [deny.Action].flat().filter((action: string) => action !== 'ecr:BatchDeleteImage');
      });
      expect(problems).toEqual([expect.stringContaining(`${repository}: written by`)]);
      expect(problems[0]).toContain('unrecognized Deny');
    });

    it('a Deny that exempts a pattern of ARNs', () => {
      const problems = problemsWith(({ deny }) => {
        deny.Condition.ArnNotEquals['aws:PrincipalArn'] =
          `arn:aws:iam::${model.organization.sharedServices.account}:role/*`;
      });
      expect(problems).toEqual([expect.stringContaining(`${repository}: written by`)]);
      expect(problems[0]).toContain(OTHER_PRINCIPALS);
    });
  });

  it('name a second GitHub OIDC provider in an account', () => {
    const problems = deliveryProblems(
      model,
      committed((stack, resources) => {
        if (stack !== ciStack) return;
        const provider = Object.entries(resources).find(([, resource]) => resource.Type === 'AWS::IAM::OIDCProvider');
        if (provider) resources[`${provider[0]}Again`] = provider[1];
      }),
    );
    expect(problems).toEqual([`account ${first.account}: 2 GitHub OIDC providers, expected 1`]);
  });
});
