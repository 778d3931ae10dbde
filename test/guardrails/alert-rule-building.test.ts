import { AlertRules, bucketBoundPattern, burnRateThreshold, ExactDecimal } from '@platform/k8s-platform';
import { browsableRepositoryUrl, loadPlatformModel, type Service, UserError } from '@platform/model';
import { Chart } from 'cdk8s';
import { testCdk8sApp } from '../support/cdk8s-app';

const [service] = loadPlatformModel().services;
const withSlo = (slo: Partial<Service['slo']>): Service => ({ ...service, slo: { ...service.slo, ...slo } });
const runbooks = { repositoryUrl: 'https://github.com/acme/platform', revision: 'main' };

describe('ExactDecimal', () => {
  test('keeps decimal thresholds exact where binary floating point does not', () => {
    expect(14.4 * (1 - 0.999)).not.toBe(0.0144);
    expect(
      ExactDecimal.of(14.4)
        .times(ExactDecimal.of(1).minus(ExactDecimal.of(0.999)))
        .toString(),
    ).toBe('0.0144');
    expect(ExactDecimal.of(100).minus(ExactDecimal.of(99.95)).shiftLeft(2).toString()).toBe('0.0005');
    expect(ExactDecimal.of(2).toString()).toBe('2');
    expect(ExactDecimal.of(0.5).minus(ExactDecimal.of(2)).toString()).toBe('-1.5');
  });

  test('rejects numbers it cannot write in plain decimal notation', () => {
    expect(() => ExactDecimal.of(Number.NaN)).toThrow(RangeError);
    expect(() => ExactDecimal.of(1e-7)).toThrow(RangeError);
  });
});

describe('SLO thresholds', () => {
  test.each([
    [99.9, 14.4, '0.0144'],
    [99.95, 6, '0.003'],
    [99, 3, '0.03'],
    [99.99, 1, '0.0001'],
  ])('availability %d%% burning %dx gives %s', (availability, factor, threshold) => {
    expect(burnRateThreshold(withSlo({ availability }), 'availability', factor)).toBe(threshold);
  });

  test('the latency budget is the share of requests above the percentile', () => {
    expect(burnRateThreshold(withSlo({ latency: { percentile: 99, thresholdSeconds: 0.3 } }), 'latency', 14.4)).toBe(
      '0.144',
    );
  });

  test('bucket bounds match every way clients write them, and nothing else', () => {
    const matches = (seconds: number, le: string) => new RegExp(`^(?:${bucketBoundPattern(seconds)})$`).test(le);
    expect(['0.5', '0.50', '0.500'].every((le) => matches(0.5, le))).toBe(true);
    expect(['0.05', '5', '0.51'].some((le) => matches(0.5, le))).toBe(false);
    expect(['2', '2.0', '2.00'].every((le) => matches(2, le))).toBe(true);
    expect(['20', '0.2', '2.5'].some((le) => matches(2, le))).toBe(false);
  });

  test.each([100, 0, 120])(
    'availability %d%% leaves no error budget and is a user error naming the service',
    (availability) => {
      const build = () =>
        new AlertRules(new Chart(testCdk8sApp(), 'test'), 'rules', { services: [withSlo({ availability })], runbooks });
      expect(build).toThrow(UserError);
      expect(build).toThrow(`service '${service.name}': slo.availability must be strictly between 0 and 100`);
    },
  );
});

describe('runbook links', () => {
  test.each([
    ['https://github.com/acme/platform.git', 'https://github.com/acme/platform'],
    ['git@github.com:acme/platform.git', 'https://github.com/acme/platform'],
    ['ssh://git@gitlab.example.com/team/platform.git', 'https://gitlab.example.com/team/platform'],
  ])('%s is browsed at %s', (remote, browsable) => {
    expect(browsableRepositoryUrl(remote)).toBe(browsable);
  });
});
