/**
 * The invariant checks of the property suites can fail: each is shown a rendering or template with one fault put
 * in by hand, and must name it. (A check that passes everything would let every property pass.)
 */

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlatformModel, type PlatformModel, platformModelInput, validateModel } from '@platform/model';
import { renderDist } from '../../apps/cluster/src/synthesize-dist';
import { awsServiceProblems, type Templates } from './support/aws-invariants';
import { guardrailProblems } from './support/guardrail-invariants';
import {
  applicationFolderProblems,
  duplicateObjectProblems,
  nameAndLabelProblems,
  parseDist,
  portabilityProblems,
  type RenderedDist,
  reachabilityProblems,
  recordingRuleProblems,
  serviceObjectProblems,
} from './support/kubernetes-invariants';
import { labelProblems, objectNameProblems } from './support/kubernetes-names';
import { assertForAllModels, FAILURE_DIRECTORY, propertyRun } from './support/property-runs';

const model = loadPlatformModel();
const files = renderDist(model);
const fresh = () => parseDist(files);
/** The rendering with the objects at these paths changed (or removed, when `change` returns undefined). */
function edited(change: (path: string, object: RenderedDist['objects'][number]['object']) => unknown): RenderedDist {
  const dist = fresh();
  const objects = dist.objects.flatMap((file) => {
    const object = change(file.path, structuredClone(file.object));
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
  expect(recordingRuleProblems(parseDist(renderDist(oneDay)))).toEqual([]);
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
  const dist = edited((path, object) => (path === 'prod/application-services-user-service.yaml' ? undefined : object));
  expect(applicationFolderProblems(model, dist)).toEqual([
    'prod/services/user-service is the source of 0 Applications',
  ]);
});

describe('service objects', () => {
  it('names a missing PodDisruptionBudget', () => {
    const dist = edited((path, object) =>
      path.endsWith('poddisruptionbudget-user-service.yaml') ? undefined : object,
    );
    expect(serviceObjectProblems(model, dist).join('\n')).toMatch(
      /user-service: the folder holds .*the model asks for .*PodDisruptionBudget/,
    );
  });

  it('names replica bounds and an image that differ from the model', () => {
    const dist = edited((path, object) => {
      if (path === 'dev/services/order-service/horizontalpodautoscaler-order-service.yaml')
        object.spec.maxReplicas += 1;
      if (path === 'staging/services/order-service/deployment-order-service.yaml') {
        object.spec.template.spec.containers[0].image += '-other';
      }
      return object;
    });
    const problems = serviceObjectProblems(model, dist).join('\n');
    expect(problems).toContain('dev/order-service: the HPA scales');
    expect(problems).toContain('staging/order-service: the image');
  });
});

describe('reachability', () => {
  it('names a declared call the policies deny', () => {
    const dist = edited((path, object) =>
      path === 'prod/services/user-service/networkpolicy-user-service-ingress.yaml'
        ? { ...object, spec: { ...object.spec, ingress: [object.spec.ingress[0]] } }
        : object,
    );
    expect(reachabilityProblems(model, dist)).toEqual([
      'prod: a declared call (order-service → user-service:8080/TCP) is denied',
    ]);
  });

  it('names an undeclared call the policies allow', () => {
    const dist = edited((path, object) =>
      path === 'prod/services/user-service/networkpolicy-user-service-ingress.yaml'
        ? {
            ...object,
            spec: { ...object.spec, ingress: [...object.spec.ingress, { ports: [{ protocol: 'TCP', port: 8080 }] }] },
          }
        : object,
    );
    // The other services' egress policies still hold; pods without one (Prometheus, a stranger) get in.
    expect(reachabilityProblems(model, dist)).toContain(
      "prod: a stranger with a service's labels (impostor-of-order-service → user-service:8080/TCP) is allowed",
    );
  });
});

test('a privileged service container fails the guard rails', () => {
  const dist = edited((path, object) => {
    if (path === 'prod/services/user-service/deployment-user-service.yaml') {
      object.spec.template.spec.containers[0].securityContext.privileged = true;
    }
    return object;
  });
  const prodOnly: PlatformModel = { ...model, environments: model.environments.filter((e) => e.name === 'prod') };
  expect(guardrailProblems(prodOnly, dist).join('\n')).toMatch(
    /prod: Deployment identity\/user-service fails disallow-privileged-containers/,
  );
});

describe('workload roles', () => {
  const tiny: PlatformModel = {
    ...model,
    environments: model.environments.filter((e) => e.name === 'dev'),
    services: model.services
      .filter((s) => s.name === 'user-service')
      .map((s) => ({ ...s, dependencies: { ...s.dependencies, calls: [] } })),
    queues: [],
  };
  const dev = tiny.environments[0];
  /** A cluster and data template with the user-service role allowed to read these secret ARNs. */
  const templates = (secretResources: unknown[]): Templates => ({
    byStack: new Map([
      [
        'dev-data',
        {
          stackName: 'acme-dev-data',
          resources: {
            Db: { Type: 'AWS::RDS::DBInstance', Properties: { DBName: 'user_service' } },
            Own: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: 'acme/dev/user-service/postgres' } },
            Other: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: 'acme/dev/billing/postgres' } },
          },
        },
      ],
      [
        'dev-cluster',
        {
          stackName: 'acme-dev-cluster',
          resources: {
            Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'acme-dev-user-service' } },
            Policy: {
              Type: 'AWS::IAM::Policy',
              Properties: {
                Roles: [{ Ref: 'Role' }],
                PolicyDocument: {
                  Statement: [
                    { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: secretResources },
                  ],
                },
              },
            },
            Association: {
              Type: 'AWS::EKS::PodIdentityAssociation',
              Properties: { Namespace: 'identity', ServiceAccount: 'user-service' },
            },
          },
        },
      ],
    ]) as unknown as Templates['byStack'],
  });
  const arn = (name: string) => ({
    'Fn::Join': [
      '',
      ['arn:', { Ref: 'AWS::Partition' }, `:secretsmanager:${dev.region}:${dev.account}:secret:${name}`],
    ],
  });

  it('accept a role that reads exactly its own secret', () => {
    expect(awsServiceProblems(tiny, templates([arn('acme/dev/user-service/postgres-??????')]))).toEqual([]);
  });

  it('name a role that may read another service’s secret through a wildcard', () => {
    expect(awsServiceProblems(tiny, templates([arn('acme/dev/*')]))).toEqual([
      'dev: secrets user-service may read are [acme/dev/argocd/repository, acme/dev/billing/postgres, acme/dev/user-service/postgres], the model asks for [acme/dev/user-service/postgres]',
    ]);
  });
});

describe('team names', () => {
  // The namespaces the cluster already has: every add-on namespace the platform renders, and Kubernetes' own.
  const platformNamespaces = fresh()
    .objects.filter((file) => file.environment === 'prod' && file.object.kind === 'Namespace')
    .filter((file) => file.object.metadata.labels?.['platform.io/team'] === undefined)
    .map((file) => file.object.metadata.name as string);

  it('the shipped rendering has add-on namespaces to check', () => {
    expect(platformNamespaces.length).toBeGreaterThan(3);
  });

  it.each([...platformNamespaces, 'default', 'kube-public', 'kube-node-lease'])(
    "a team named '%s', a namespace the cluster already has, is a model error at teams.<name>.name",
    (name) => {
      const input = structuredClone(platformModelInput);
      const old = input.teams[1].name;
      input.teams[1].name = name;
      for (const service of input.services) if (service.team === old) service.team = name;
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
