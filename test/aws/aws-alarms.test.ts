import {
  cacheAlarmThresholds,
  createsTelemetryEnrichment,
  databaseAlarmThresholds,
  isUserError,
  loadModel,
  loadPlatformModel,
  type PlatformModel,
  platformModelInput,
  postgresMaxConnections,
  validateModel,
} from '@platform/model';
import { buildCloudApp, TODAY_CONTEXT_KEY } from '../../apps/cloud/src/cloud-app';
import { PROJECT_CONTEXT } from '../model/support/drafts';
import { alarmProblems } from '../properties/support/alarm-invariants';
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
  });
});
