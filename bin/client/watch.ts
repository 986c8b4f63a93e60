/**
 * Following a view while it changes, by polling (works the same against a local Strata and a deployed API):
 * the building block of `-w/--watch`. The caller's `read` fetches once and returns the view's data key and
 * its text; `show` gets the text whenever the data changed, not when only ages did.
 */

/** One read of a watched view. */
export interface WatchedView {
  /** What identifies the data shown (e.g. its JSON): a new key means a change. */
  key: string;
  /** The text to show for it. */
  text: string;
}

/** Options of {@link watchView}. */
export interface WatchOptions {
  /** Time between two reads. */
  intervalMs: number;
  /** Ends the watch. */
  signal: AbortSignal;
  /** A failed read (a server restarting): reported, and the watch goes on. Default: rethrown. */
  onError?: (error: unknown) => void;
}

/** Reads now and every `intervalMs` until `signal` aborts; shows the first view and every changed one. */
export async function watchView(
  read: () => Promise<WatchedView>,
  show: (text: string) => void,
  options: WatchOptions,
): Promise<void> {
  let last: string | undefined;
  while (!options.signal.aborted) {
    try {
      const view = await read();
      if (view.key !== last) {
        last = view.key;
        show(view.text);
      }
    } catch (error) {
      if (!options.onError) throw error;
      options.onError(error);
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.intervalMs);
      options.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
}
