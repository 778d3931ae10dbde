import { parseArgs } from 'node:util';
import { UsageError } from '@platform/model/entry-point';

/** One option of a command: a flag, or an option with a value shown as `placeholder` in help. */
export interface OptionSpec {
  readonly type: 'boolean' | 'string';
  /** How help shows the value, e.g. FILE; string options only. */
  readonly placeholder?: string;
  readonly description: string;
}

/** A command's name as the user types it (e.g. `pnpm synth`), what it does, and its options. */
export interface CommandSpec<Options extends Record<string, OptionSpec>> {
  readonly command: string;
  readonly summary: string;
  readonly options: Options;
  /**
   * Names of the arguments the command takes before or between its options, in order (e.g. `['service']`);
   * each is required. @default none
   */
  readonly arguments?: readonly string[];
}

type Values<Options extends Record<string, OptionSpec>> = {
  readonly [Name in keyof Options]?: Options[Name]['type'] extends 'boolean' ? true : string;
};

/** The parsed command line; `help` is set when --help (or -h) was given, and nothing else should happen then. */
export interface CommandLine<Options extends Record<string, OptionSpec>> {
  readonly help: boolean;
  readonly values: Values<Options>;
  /** The arguments the spec names, in its order. */
  readonly positionals: readonly string[];
}

/** `--model FILE`, which every command that reads the model takes (tools/model-input.ts reads the file). */
export const MODEL_OPTION: OptionSpec = {
  type: 'string',
  placeholder: 'FILE',
  description: 'a proposed model as JSON instead of the model data files',
};

const HELP: OptionSpec = { type: 'boolean', description: 'print this help and exit' };

/**
 * Parses a command line with node's util.parseArgs and accepts nothing the command does not define:
 * an unknown option, a stray argument, a missing or unexpected value, or an option given twice is a
 * UsageError naming it and listing what is allowed (one line; the entry point exits with code 2).
 */
export function parseCommandLine<Options extends Record<string, OptionSpec>>(
  spec: CommandSpec<Options>,
  args: readonly string[],
): CommandLine<Options> {
  const options: Record<string, OptionSpec> = { ...spec.options, help: HELP };
  const { tokens } = parseArgs({
    args: [...args],
    options: Object.fromEntries(
      Object.entries(options).map(([name, option]) => [
        name,
        { type: option.type, ...(name === 'help' ? { short: 'h' } : {}) },
      ]),
    ),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const refuse = (problem: string): never => {
    throw new UsageError(`${spec.command}: ${problem}; allowed: ${allowed(options)}`);
  };
  const values: Record<string, string | true> = {};
  const positionals: string[] = [];
  const names = spec.arguments ?? [];
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      if (positionals.length >= names.length) refuse(`unexpected argument '${token.value}'`);
      positionals.push(token.value);
    }
    if (token.kind !== 'option') continue;
    const option = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    if (!option) return refuse(`unknown option '${token.rawName}'`);
    if (Object.hasOwn(values, token.name)) refuse(`option '${token.rawName}' is given more than once`);
    if (option.type === 'boolean') {
      if (token.value !== undefined) refuse(`option '${token.rawName}' takes no value`);
      values[token.name] = true;
    } else {
      const { value } = token;
      if (value === undefined || value === '' || (!token.inlineValue && value.startsWith('-'))) {
        refuse(`option '${token.rawName}' needs a value (${option.placeholder ?? 'VALUE'})`);
      }
      values[token.name] = value as string;
    }
  }
  const help = values.help === true;
  delete values.help;
  if (!help && positionals.length < names.length) refuse(`missing argument <${names[positionals.length]}>`);
  return { help, values: values as Values<Options>, positionals };
}

/** The help text: usage line, summary and one line per option. */
export function helpText<Options extends Record<string, OptionSpec>>(spec: CommandSpec<Options>): string {
  const options: Record<string, OptionSpec> = { ...spec.options, help: HELP };
  const shown = Object.entries(options).map(([name, option]) => [optionText(name, option), option.description]);
  const width = Math.max(...shown.map(([text]) => text.length));
  return [
    `Usage: ${[spec.command, ...(spec.arguments ?? []).map((name) => `<${name}>`), '[options]'].join(' ')}`,
    '',
    spec.summary,
    '',
    'Options:',
    ...shown.map(([text, description]) => `  ${text.padEnd(width)}  ${description}`),
    '',
  ].join('\n');
}

function allowed(options: Record<string, OptionSpec>): string {
  return Object.entries(options)
    .map(([name, option]) => optionText(name, option))
    .join(', ');
}

function optionText(name: string, option: OptionSpec): string {
  return option.type === 'string' ? `--${name} ${option.placeholder ?? 'VALUE'}` : `--${name}`;
}
