#!/usr/bin/env node
/**
 * The `strata` command line: one entry point, one module per command under `bin/commands/`.
 *
 * Exit codes: 0 success, 1 invalid input or a failed operation, 2 usage error.
 */
import { Command, CommanderError } from 'commander';
import { CliError, EXIT_USAGE } from './commands/cli-error.ts';
import { commands } from './commands/index.ts';

const program = new Command('strata')
  .description('Roll custom layered OS images out across fleets of Kubernetes and OpenShift clusters.')
  .version(process.env.npm_package_version ?? '0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

for (const register of commands) register(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version end up here too, with exit code 0.
    process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE;
  } else if (error instanceof CliError) {
    process.stderr.write(`strata: ${error.message}\n`);
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(
      `strata: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  }
}
