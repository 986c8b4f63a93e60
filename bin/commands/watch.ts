/** `-w/--watch` of the commands that show a live Strata (bin/actions/watch.ts runs it). */
import type { Command } from 'commander';

/** Adds `-w, --watch` and `--interval` (seconds between reads; at least 2, the default). */
export function withWatch(command: Command): Command {
  return command
    .option('-w, --watch', 'keep showing it: print it again whenever it changes (Ctrl-C to stop)')
    .option('--interval <seconds>', 'seconds between two reads while watching (at least 2)', '2');
}
