#!/usr/bin/env node
/**
 * The `strata` command line: the program is declared in `bin/commands/`, each command's implementation
 * lives in `bin/actions/` and is imported only when that command runs.
 *
 * Exit codes: 0 success, 1 invalid input or a failed operation, 2 usage error.
 */
import { enableCompileCache } from 'node:module';

// Node's on-disk compile cache (a tmpdir directory, keyed by file content) keeps every module's compiled
// code, type stripping included, across runs: later starts skip both. Node's own advice for command-line
// tools; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
enableCompileCache();

// Imported after the cache is on, so that they are cached too.
const { CommanderError } = await import('commander');
const { CliError, EXIT_USAGE } = await import('./cli-error.ts');
const { strataProgram } = await import('./commands/index.ts');

try {
  await strataProgram().parseAsync(process.argv);
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
