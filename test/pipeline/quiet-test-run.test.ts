import { consoleGuard, GUARDED_CONSOLE_METHODS, type GuardHooks, guardConsole } from '../support/quiet-console';

/** A console and hooks of our own, so the guard's failure can be observed without failing this test. */
function isolatedGuard() {
  const checks: (() => void)[] = [];
  const hooks: GuardHooks = { afterEach: (check) => checks.push(check), afterAll: (check) => checks.push(check) };
  const target = { ...console };
  guardConsole(target, hooks);
  return { target, checks };
}

describe('a passing test run prints nothing', () => {
  it('records every write to console.error, console.warn and console.trace in this run', () => {
    console.error('an error', { field: 1 });
    console.warn('a warning');
    console.trace('a trace');
    expect(consoleGuard.take()).toEqual([
      'console.error: an error { field: 1 }',
      'console.warn: a warning',
      'console.trace: a trace',
    ]);
  });

  it.each(GUARDED_CONSOLE_METHODS)(
    'fails the test (after each test and after the file) that writes to console.%s',
    (method) => {
      const { target, checks } = isolatedGuard();
      expect(checks).toHaveLength(2);
      for (const check of checks) expect(check).not.toThrow();
      target[method]('unexpected');
      expect(checks[0]).toThrow(`console.${method}: unexpected`);
      target[method]('outside a test');
      expect(checks[1]).toThrow(`console.${method}: outside a test`);
    },
  );

  it('lets a test capture what it expects with a spy that replaces the method', () => {
    const error = jest.spyOn(console, 'error').mockImplementation(() => {});
    console.error('expected');
    expect(error.mock.calls).toEqual([['expected']]);
    error.mockRestore();
    expect(consoleGuard.take()).toEqual([]);
  });

  it('still records a write through a spy that calls through', () => {
    const warn = jest.spyOn(console, 'warn');
    console.warn('seen, not captured');
    warn.mockRestore();
    expect(consoleGuard.take()).toEqual(['console.warn: seen, not captured']);
  });
});
