import {
  alarmThresholds,
  createsTelemetryEnrichment,
  loadPlatformModel,
  type PlatformModel,
  platformModelInput,
  postgresMaxConnections,
  validateModel,
} from '@platform/model';
import { alarmProblems } from '../properties/support/alarm-invariants';
import type { Templates } from '../properties/support/aws-invariants';
import { committedTemplates } from './cloud-assembly';

const model = loadPlatformModel();

/** The committed templates (`pnpm synth:check` proves them fresh) in the shape the property's checks read. */
function shippedTemplates(): Templates {
  return {
    byStack: new Map(
      committedTemplates().map(([id, template]) => [
        id,
        { stackName: id, resources: (template as { Resources: Record<string, never> }).Resources },
      ]),
    ),
  } as Templates;
}

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

  it('refuses a class of unknown memory without maxConnections, naming the place', () => {
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
    const thresholds = alarmThresholds(environment);
    expect(thresholds.database.cpuPercent).toBe(65);
    expect(thresholds.database.connectionsPercent).toBe(80);
    expect(thresholds.cache).toEqual({
      memoryPercent: 80,
      engineCpuPercent: 90,
      evictionsPer5Minutes: 50,
      replicationLagSeconds: 30,
    });
  });
});
