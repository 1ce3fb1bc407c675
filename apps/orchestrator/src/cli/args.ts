import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { CliError } from './kit.ts';

/** A command's arguments: its options by name, and the words after the command. */
export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** node:util's parser, strict; an unknown or malformed option is a one-line mistake. */
export function parse(argv: string[], options: ParseArgsOptionsConfig): Parsed {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...options, json: { type: 'boolean', default: false } },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Parsed['values'], positionals };
  } catch (err) {
    const names = Object.keys({ ...options, json: true })
      .map((o) => `--${o}`)
      .join(', ');
    throw new CliError(`${(err as Error).message.split(/\. |\n/)[0]} (options: ${names})`);
  }
}
