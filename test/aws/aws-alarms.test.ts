import {
  cacheAlarmThresholds,
  createsTelemetryEnrichment,
  databaseAlarmThresholds,
  isUserError,
  loadBalancerAlarmThresholds,
  loadModel,
  loadPlatformModel,
  type PlatformModel,
  platformModelInput,
  postgresMaxConnections,
  validateModel,
} from '@platform/model';
import { buildCloudApp, TODAY_CONTEXT_KEY } from '../../apps/cloud/src/cloud-app';
import { PROJECT_CONTEXT } from '../model/support/drafts';
import { alarmProblems, metricsInsightsProblems } from '../properties/support/alarm-invariants';
import { testCdkApp } from '../support/cdk-app';
import { shippedTemplates, TEST_TODAY } from './cloud-assembly';

const model = loadPlatformModel();

describe('AWS-side alarms of the shipped model', () => {
  it('every database, cache, queue and edge load balancer has its alarms, to its topic, with a runbook', () => {
    expect(alarmProblems(model, shippedTemplates())).toEqual([]);
  });

  it('the checks fail on an alarm without runbook, to another topic, or with a changed threshold', () => {
    const templates = shippedTemplates();
    const stack = [...templates.byStack.keys()].find((id) => id.startsWith(`${model.environments[0].name}-queue-`));
    const resources = templates.byStack.get(String(stack))?.resources as Record<
      string,
      { Type: string; Properties: Record<string, unknown> }
    >;
    const alarms = Object.values(resources).filter((resource) => resource.Type === 'AWS::CloudWatch::Alarm');
    alarms[0].Properties.AlarmDescription = 'no link';
    alarms[1].Properties.AlarmActions = ['arn:aws:sns:us-east-1:999999999999:elsewhere'];
    alarms[1].Properties.Threshold = 1;
    const problems = alarmProblems(model, templates).join('\n');
    expect(problems).toMatch(/runbook link '' names no page/);
    expect(problems).toMatch(/notifies .*999999999999/);
    expect(problems).toMatch(/threshold GreaterThanThreshold 1/);
  });
});

describe('Metrics Insights alarms', () => {
  it('every alarm of every template that reads a Metrics Insights query holds that one query alone, returned', () => {
    const templates = shippedTemplates();
    const queries = [...templates.byStack.values()].flatMap(({ resources }) =>
      Object.values(resources as Record<string, { Type: string; Properties: { Metrics?: unknown } }>).filter(
        (resource) =>
          resource.Type === 'AWS::CloudWatch::Alarm' &&
          JSON.stringify(resource.Properties.Metrics ?? []).includes('SELECT '),
      ),
    );
    // Four edge alarms per environment: the check has something to judge.
    expect(queries).toHaveLength(4 * model.environments.length);
    expect(metricsInsightsProblems(templates)).toEqual([]);
  });

  it('the check fails on two queries and metric math in one alarm, and on a query not returned', () => {
    const templates = shippedTemplates();
    const resources = templates.byStack.get(`${model.environments[0].name}-cluster`)?.resources as Record<
      string,
      { Type: string; Properties: { AlarmName: string; Metrics: Record<string, unknown>[] } }
    >;
    const alarm = (suffix: string) =>
      Object.entries(resources).find(
        ([, resource]) => resource.Type === 'AWS::CloudWatch::Alarm' && resource.Properties.AlarmName.endsWith(suffix),
      ) ?? ['', undefined];
    const [ratioId, ratio] = alarm('-edge-target-5xx');
    const [hiddenId, hidden] = alarm('-edge-unhealthy-targets');
    if (!ratio || !hidden) throw new Error('the cluster stack has no edge alarms');
    // A ratio of two queries, as the edge 5xx alarms once were.
    const [errors] = ratio.Properties.Metrics;
    ratio.Properties.Metrics = [
      { Id: 'ratio', Expression: '100 * FILL(errors, 0) / requests', ReturnData: true },
      { ...errors, Id: 'errors', ReturnData: false },
      {
        ...errors,
        Id: 'requests',
        Expression: String(errors.Expression).replace('HTTPCode_Target_5XX_Count', 'RequestCount'),
        ReturnData: false,
      },
    ];
    hidden.Properties.Metrics = [{ ...hidden.Properties.Metrics[0], ReturnData: false }];
    const problems = metricsInsightsProblems(templates);
    expect(problems).toHaveLength(2);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`${ratioId}: a Metrics Insights alarm must hold exactly one query`),
        expect.stringContaining(`${hiddenId}: a Metrics Insights alarm must hold exactly one query`),
      ]),
    );
    expect(alarmProblems(model, templates)).toEqual(expect.arrayContaining(problems));
  });
});

describe('edge alarms and the resource tags for telemetry', () => {
  it('where a cluster stack turns the setting on, its tag-query alarms are created after it, and the check sees it', () => {
    const templates = shippedTemplates();
    const creators = model.environments.filter((environment) => createsTelemetryEnrichment(model, environment));
    expect(creators.length).toBeGreaterThan(0);
    const resources = templates.byStack.get(`${creators[0].name}-cluster`)?.resources as Record<
      string,
      { Type: string; Properties: Record<string, unknown>; DependsOn?: unknown }
    >;
    const alarms = Object.values(resources).filter(
      (resource) =>
        resource.Type === 'AWS::CloudWatch::Alarm' && JSON.stringify(resource.Properties).includes('WHERE tag.'),
    );
    expect(alarms).toHaveLength(4);
    delete alarms[0].DependsOn;
    expect(alarmProblems(model, templates).join('\n')).toMatch(/queries by tag but is not created after/);
  });
});

describe('alarm thresholds', () => {
  it("derive max_connections from the class's memory as RDS does (memory / 9531392, at most 5000)", () => {
    // Amazon RDS User Guide, "Maximum number of database connections": 1 GiB gives 112, 8 GiB 901, 16 GiB 1802.
    expect(postgresMaxConnections('db.t4g.micro')).toBe(112);
    expect(postgresMaxConnections('db.m7g.large')).toBe(901);
    expect(postgresMaxConnections('db.r7g.large')).toBe(1802);
    expect(postgresMaxConnections('db.r7g.16xlarge')).toBe(5000);
    expect(postgresMaxConnections('db.x2g.large')).toBeUndefined();
    expect(postgresMaxConnections('db.t4g.4xlarge')).toBeUndefined();
  });

  const withEnvironment = (change: (environment: Record<string, unknown>, index: number) => void) => {
    const input = structuredClone(platformModelInput) as unknown as { environments: Record<string, unknown>[] };
    input.environments.forEach(change);
    return validateModel(input).issues;
  };

  it('refuses a class of unknown memory without maxConnections, naming the place, where a service has a database', () => {
    expect(model.services.some((service) => service.dependencies.database)).toBe(true);
    const issues = withEnvironment((environment, index) => {
      if (index === 0) (environment.database as Record<string, unknown>).instanceClass = 'db.x2g.large';
    });
    expect(issues).toEqual([
      expect.objectContaining({
        path: `environments.${model.environments[0].name}.alarms.database.maxConnections`,
        message: expect.stringMatching(/^is required: the memory of db\.x2g\.large/),
      }),
    ]);
    const given = withEnvironment((environment, index) => {
      if (index === 0) {
        (environment.database as Record<string, unknown>).instanceClass = 'db.x2g.large';
        environment.alarms = { database: { maxConnections: 2000 } };
      }
    });
    expect(given).toEqual([]);
  });

  it('needs no maxConnections where no service has a database, and no stack computes the database thresholds', () => {
    const input = structuredClone(platformModelInput) as unknown as {
      environments: { database: { instanceClass: string } }[];
      services: { dependencies: { database: boolean } }[];
    };
    for (const environment of input.environments) environment.database.instanceClass = 'db.x2g.large';
    for (const service of input.services) service.dependencies.database = false;
    expect(validateModel(input).issues).toEqual([]);
    const withoutDatabases = loadModel(input, PROJECT_CONTEXT);
    // Every stack of every environment: the cluster stack's edge alarms and the service stacks' cache alarms.
    expect(() => buildCloudApp(testCdkApp({ [TODAY_CONTEXT_KEY]: TEST_TODAY }), withoutDatabases)).not.toThrow();
    // Only the database's thresholds need max_connections.
    const [environment] = withoutDatabases.environments;
    expect(() => cacheAlarmThresholds(environment)).not.toThrow();
    const error = (() => {
      try {
        databaseAlarmThresholds(environment);
      } catch (thrown) {
        return thrown as Error;
      }
      throw new Error('expected an error');
    })();
    expect(isUserError(error)).toBe(true);
    expect(error.message).toContain('alarms.database.maxConnections is required for db.x2g.large');
  });

  it('refuses a free-storage threshold at or above the allocated storage, and a percentage out of range', () => {
    const name = model.environments[0].name;
    const storage = withEnvironment((environment, index) => {
      if (index === 0) environment.alarms = { database: { freeStorageGiB: 5000 } };
    });
    expect(storage.map((issue) => issue.path)).toEqual([`environments.${name}.alarms.database.freeStorageGiB`]);
    const percent = withEnvironment((environment, index) => {
      if (index === 0) environment.alarms = { cache: { memoryPercent: 120 } };
    });
    expect(percent).toEqual([
      { path: `environments.${name}.alarms.cache.memoryPercent`, message: 'must be at most 100' },
    ]);
  });

  it('refuses a 5xx count per minute that is not a whole number of at least 1, and the retired ratio fields', () => {
    const name = model.environments[0].name;
    const counts = withEnvironment((environment, index) => {
      if (index === 0) environment.alarms = { loadBalancer: { elb5xxPerMinute: 0, target5xxPerMinute: 2.5 } };
    });
    expect(counts).toEqual([
      { path: `environments.${name}.alarms.loadBalancer.elb5xxPerMinute`, message: 'must be at least 1' },
      {
        path: `environments.${name}.alarms.loadBalancer.target5xxPerMinute`,
        message: 'must be a whole number of responses per minute',
      },
    ]);
    const retired = withEnvironment((environment, index) => {
      if (index === 0) environment.alarms = { loadBalancer: { elb5xxPercent: 1, minRequestsPerMinute: 10 } };
    });
    expect(retired.map((issue) => issue.path)).toEqual([`environments.${name}.alarms.loadBalancer`]);
    expect(retired[0].message).toMatch(/elb5xxPercent.*minRequestsPerMinute/);
  });

  it('lets one environment per account and region turn on resource tags for telemetry', () => {
    const issues = withEnvironment((environment, index) => {
      environment.account = '111111111111';
      environment.region = 'us-east-1';
      environment.alarms = { loadBalancer: { resourceTagsForTelemetry: index < 2 ? 'create' : 'existing' } };
    });
    expect(issues.filter((issue) => issue.path.endsWith('resourceTagsForTelemetry'))).toHaveLength(1);
    // By default the first environment of each account and region creates it, the others do not.
    const creators = model.environments.filter((environment) => createsTelemetryEnrichment(model, environment));
    const groups = new Set(model.environments.map((environment) => `${environment.account} ${environment.region}`));
    expect(creators).toHaveLength(groups.size);
  });

  it('fill each default from the model only where a field is left out', () => {
    const environment: PlatformModel['environments'][number] = {
      ...model.environments[0],
      alarms: { database: { cpuPercent: 65 }, cache: { evictionsPer5Minutes: 50 } },
    };
    expect(databaseAlarmThresholds(environment).cpuPercent).toBe(65);
    expect(databaseAlarmThresholds(environment).connectionsPercent).toBe(80);
    expect(cacheAlarmThresholds(environment)).toEqual({
      memoryPercent: 80,
      engineCpuPercent: 90,
      evictionsPer5Minutes: 50,
      replicationLagSeconds: 30,
    });
    // The documented defaults of the edge 5xx counts (docs/model.md): 5 of its own, 25 of its targets, per minute.
    expect(loadBalancerAlarmThresholds({ ...environment, alarms: undefined })).toEqual({
      elb5xxPerMinute: 5,
      target5xxPerMinute: 25,
    });
    expect(
      loadBalancerAlarmThresholds({ ...environment, alarms: { loadBalancer: { target5xxPerMinute: 100 } } }),
    ).toEqual({ elb5xxPerMinute: 5, target5xxPerMinute: 100 });
  });
});
