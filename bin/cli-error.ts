/** Exit code for invalid input or a failed operation. */
export const EXIT_FAILURE = 1;
/** Exit code for a command line that cannot be understood (unknown option, missing argument). */
export const EXIT_USAGE = 2;

/**
 * An error the CLI reports as one line on stderr, without a stack trace, and exits with `exitCode`.
 * Throw it for anything the user can fix: bad input, a usage mistake the parser cannot catch.
 */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT_FAILURE) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}
