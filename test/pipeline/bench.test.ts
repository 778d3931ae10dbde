import { UsageError } from '@platform/model';
import { benchOptions, failureLine } from '../../tools/bench';
import { costPerUnit, formatMs, median, medianAndSpread, spread } from '../../tools/bench/statistics';

function refusal(args: string[]): string {
  try {
    benchOptions(args);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`${JSON.stringify(args)} was accepted`);
}

describe('pnpm bench command line', () => {
  it('measures the ordinary steps three times by default', () => {
    expect(benchOptions([])).toEqual({ runs: 3, services: [], halves: ['kubernetes', 'cloud'], all: false });
  });

  it('takes the service counts of the scale mode, the pairs and one half', () => {
    expect(benchOptions(['--services', '30,300', '--runs', '5', '--half', 'cloud'])).toEqual({
      runs: 5,
      services: [30, 300],
      halves: ['cloud'],
      all: false,
    });
    expect(benchOptions(['--services=7'])).toMatchObject({ services: [7], halves: ['kubernetes', 'cloud'] });
    expect(benchOptions(['--help'])).toBe('help');
  });

  it.each([
    [['--services', '0'], "--services count '0' is not a whole number from 1 to 2000"],
    [['--services', '30,abc'], "--services count 'abc' is not a whole number from 1 to 2000"],
    [['--services', '30,'], "--services count '' is not a whole number from 1 to 2000"],
    [['--services', '2.5'], "--services count '2.5' is not a whole number from 1 to 2000"],
    [['--services', '30,30'], '--services 30,30 names a count twice'],
    [['--runs', '0'], "--runs '0' is not a whole number from 1 to 100"],
    [['--services', '3', '--half', 'aws'], '--half aws: allowed: kubernetes, cloud'],
    [['--half', 'cloud'], '--half needs --services'],
    [['--all', '--services', '3'], '--all and --services measure different things; give one'],
    [['--service', '3'], "unknown option '--service'"],
  ])('refuses %j', (args, problem) => {
    expect(refusal(args)).toContain(`pnpm bench: ${problem}`);
  });
});

describe('pnpm bench statistics', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 10])).toBe(3.5);
    expect(median([2])).toBe(2);
    expect(() => median([])).toThrow('median of no values');
  });

  it('gives the smallest and the largest value as the spread', () => {
    expect(spread([3, -1, 8, 2])).toEqual({ min: -1, max: 8 });
    expect(() => spread([])).toThrow('spread of no values');
  });

  it('gives per pair the grown run less the base run, over the units added', () => {
    const pairs = [
      { baseMs: 1000, grownMs: 1900 },
      { baseMs: 1200, grownMs: 1800 },
      { baseMs: 900, grownMs: 900 },
    ];
    expect(costPerUnit(pairs, 90)).toEqual([10, 600 / 90, 0]);
    expect(() => costPerUnit(pairs, 0)).toThrow('units must be more than 0, not 0');
  });

  it('prints milliseconds under a second and seconds from a second on, with the spread', () => {
    expect(formatMs(12.345)).toBe('12.3 ms');
    expect(formatMs(1234)).toBe('1.23 s');
    expect(medianAndSpread([12, 9.5, 2500])).toBe('12.0 ms (9.5 ms–2.50 s)');
  });
});

describe('pnpm bench failures', () => {
  it("reports the error's line, not where node shows it was thrown", () => {
    const thrown = [
      'node x.ts failed:',
      'node:internal/process/promises:391',
      '    triggerUncaughtException(err, true /* fromPromise */);',
      '    ^',
      '',
      "[«TooManyResourcesInStack» Number of resources in stack 'dev-cluster': 687 is greater than allowed maximum of 500",
      '    at Stack.validate (stack.js:12:11)',
    ].join('\n');
    expect(failureLine(thrown)).toBe(
      "[«TooManyResourcesInStack» Number of resources in stack 'dev-cluster': 687 is greater than allowed maximum of 500",
    );
    const plain = [
      'node x.ts failed:',
      '/repo/lib/stack.js:12',
      '    throw new Error(msg);',
      '    ^',
      '',
      'Error: broken',
    ];
    expect(failureLine(plain.join('\n'))).toBe('Error: broken');
    expect(
      failureLine('node x.ts failed:\nThe CDK app reported 1 error; nothing was written:\n[Error at /a] rule'),
    ).toBe('The CDK app reported 1 error; nothing was written:');
    expect(failureLine('node x.ts failed:\n')).toBe('no error output');
  });
});
