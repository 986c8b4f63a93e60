/**
 * Shows a view once, or with `-w` keeps showing it: the admin API is read every `--interval` seconds (2 at
 * least, locally and on AWS alike; bin/client/watch.ts) and the view is printed again, under a line with
 * the time, whenever its data changed (not when only ages did). A failed read is reported on stderr and
 * the watch goes on; Ctrl-C (or SIGTERM) ends it with exit 0.
 */
import { CliError, EXIT_USAGE } from '../cli-error.ts';
import { type WatchedView, watchView } from '../client/watch.ts';

/** `-w/--watch` and `--interval` (bin/commands/watch.ts). */
export interface WatchFlags {
  watch?: boolean;
  interval?: string;
}

/** The least time between two reads of a watch, in seconds: the admin API is polled, never hammered. */
export const MIN_INTERVAL_SECONDS = 2;

/** The watch interval in ms. @throws CliError (usage) for a value that is not a number ≥ 2. */
export function watchInterval(value: string | undefined): number {
  const seconds = Number(value ?? MIN_INTERVAL_SECONDS);
  if (!Number.isFinite(seconds) || seconds < MIN_INTERVAL_SECONDS) {
    throw new CliError(
      `--interval: expected a number of seconds ≥ ${MIN_INTERVAL_SECONDS}, got "${value}"`,
      EXIT_USAGE,
    );
  }
  return seconds * 1000;
}

/** Prints `read`'s view once, or follows it with `--watch`. */
export async function showOrWatch(read: () => Promise<WatchedView>, flags: WatchFlags): Promise<void> {
  const intervalMs = watchInterval(flags.interval);
  if (!flags.watch) {
    process.stdout.write(`${(await read()).text}\n`);
    return;
  }
  const stop = new AbortController();
  const end = () => stop.abort();
  process.once('SIGINT', end);
  process.once('SIGTERM', end);
  let first = true;
  try {
    await watchView(
      read,
      (text) => {
        process.stdout.write(`${first ? '' : `\n# ${new Date().toISOString()}\n`}${text}\n`);
        first = false;
      },
      {
        intervalMs,
        signal: stop.signal,
        onError: (error) =>
          process.stderr.write(`strata: ${(error as Error).message ?? String(error)} (still watching)\n`),
      },
    );
  } finally {
    process.off('SIGINT', end);
    process.off('SIGTERM', end);
  }
}
