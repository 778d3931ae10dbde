import { UsageError } from '@platform/model';
import { helpText, parseCommandLine } from '../../tools/command-line';

const SPEC = {
  command: 'pnpm example',
  summary: 'An example command.',
  options: {
    check: { type: 'boolean', description: 'a flag' },
    env: { type: 'string', placeholder: 'NAME', description: 'an option with a value' },
  },
} as const;
const ALLOWED = 'allowed: --check, --env NAME, --help';

function refusal(args: string[]): string {
  try {
    parseCommandLine(SPEC, args);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`${JSON.stringify(args)} was accepted`);
}

describe('parsing a command line', () => {
  it.each([
    [[], { help: false, values: {}, positionals: [] }],
    [['--check'], { help: false, values: { check: true }, positionals: [] }],
    [['--env', 'dev'], { help: false, values: { env: 'dev' }, positionals: [] }],
    [['--env=dev', '--check'], { help: false, values: { env: 'dev', check: true }, positionals: [] }],
    [['--env=-odd'], { help: false, values: { env: '-odd' }, positionals: [] }],
    [['-h'], { help: true, values: {}, positionals: [] }],
    [['--check', '--help'], { help: true, values: { check: true }, positionals: [] }],
  ])('accepts %j', (args, parsed) => {
    expect(parseCommandLine(SPEC, args)).toEqual(parsed);
  });

  const WITH_ARGUMENT = { ...SPEC, arguments: ['service'] } as const;

  it('takes the arguments the spec names, between options too', () => {
    expect(parseCommandLine(WITH_ARGUMENT, ['--check', 'orders'])).toEqual({
      help: false,
      values: { check: true },
      positionals: ['orders'],
    });
  });

  it('refuses a missing argument and one too many, naming them', () => {
    expect(() => parseCommandLine(WITH_ARGUMENT, ['--check'])).toThrow(
      `pnpm example: missing argument <service>; ${ALLOWED}`,
    );
    expect(() => parseCommandLine(WITH_ARGUMENT, ['a', 'b'])).toThrow(
      `pnpm example: unexpected argument 'b'; ${ALLOWED}`,
    );
  });

  it('shows the arguments in the usage line', () => {
    expect(helpText(WITH_ARGUMENT).split('\n')[0]).toBe('Usage: pnpm example <service> [options]');
  });

  it.each([
    [['--frobnicate'], "unknown option '--frobnicate'"],
    [['-x'], "unknown option '-x'"],
    [['--Check'], "unknown option '--Check'"],
    [['stray'], "unexpected argument 'stray'"],
    [['--', '--check'], "unexpected argument '--check'"],
    [['--env'], "option '--env' needs a value (NAME)"],
    [['--env', '--check'], "option '--env' needs a value (NAME)"],
    [['--env='], "option '--env' needs a value (NAME)"],
    [['--check=yes'], "option '--check' takes no value"],
    [['--env', 'dev', '--env', 'prod'], "option '--env' is given more than once"],
  ])('refuses %j in one line naming the problem and what is allowed', (args, problem) => {
    expect(refusal(args)).toBe(`pnpm example: ${problem}; ${ALLOWED}`);
  });
});

describe('the help text', () => {
  it('shows the usage, the summary and every option with its description', () => {
    const text = helpText(SPEC);

    expect(text.startsWith('Usage: pnpm example [options]\n')).toBe(true);
    expect(text).toContain('An example command.');
    for (const [option, description] of [
      ['--check', 'a flag'],
      ['--env NAME', 'an option with a value'],
      ['--help', 'print this help and exit'],
    ]) {
      expect(text).toMatch(new RegExp(`^  ${option} +${description}$`, 'm'));
    }
  });
});
