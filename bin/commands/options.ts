/**
 * What command declarations share: the connection and output options, and actions loaded on demand.
 * Declarations import nothing heavy: `strata --help` and every command load only what they use.
 */
import { type Command, Option } from 'commander';
import { DEFAULT_URL } from '../client/admin-client.ts';

/** `-o` values of the commands that show resources. */
export const OUTPUT_FORMATS = ['table', 'wide', 'json', 'yaml'] as const;

/** An `-o` value. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Adds `--url` and `--aws-region` to a command. */
export function withConnection(command: Command): Command {
  return command
    .option('--url <url>', `Strata's admin API (default: $STRATA_URL or ${DEFAULT_URL})`)
    .option(
      '--aws-region <region>',
      'sign requests with SigV4 for a deployed, IAM-authorised API in this region',
    );
}

/** Adds `-o, --output` (commander refuses any other value as a usage error). */
export function withOutput(command: Command, formats: readonly OutputFormat[] = OUTPUT_FORMATS): Command {
  return command.addOption(
    new Option('-o, --output <format>', 'output format').choices(formats).default('table'),
  );
}

/**
 * A command action whose implementation is imported when the command runs, not when the program is
 * declared: `load` is `() => import('../actions/x.ts')` and `name` the function it exports.
 */
export function lazy<M, K extends keyof M>(load: () => Promise<M>, name: K) {
  return async (...args: unknown[]): Promise<void> => {
    const action = (await load())[name] as (...a: unknown[]) => unknown;
    await action(...args);
  };
}

/** Adds one command (name, arguments, options, help and its lazy action) to the `strata` program. */
export type RegisterCommand = (program: Command) => void;

const argumentWords = new WeakMap<Command, readonly string[]>();

/**
 * Words shell completion offers for a command's first argument (`strata completion` reads them). For
 * arguments the action checks itself, e.g. `get`'s kinds, which it accepts in more spellings than it lists.
 */
export function completeArgument(command: Command, words: readonly string[]): Command {
  argumentWords.set(command, words);
  return command;
}

/** The completion words of a command's first argument, from {@link completeArgument} or its choices. */
export function argumentCompletions(command: Command): readonly string[] {
  return argumentWords.get(command) ?? command.registeredArguments[0]?.argChoices ?? [];
}
