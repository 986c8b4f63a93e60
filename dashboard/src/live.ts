/**
 * Live data: each view polls what it shows every {@link POLL_MS} (a poll starts at most that often, and only
 * after the previous one answered), stops while the tab is hidden, and polls at once when it is shown again
 * or after an action. Polling rather than server-sent events: the admin API is request/response on AWS
 * (API Gateway HTTP API, Lambda), and a 2 s poll of a handful of items is cheap there and here.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.ts';

/** Interval between the starts of two polls. */
export const POLL_MS = 2000;

/** What the header shows: when data last arrived, or why it did not. */
export interface LiveStatus {
  updatedAt: Date | null;
  /** What is wrong, in a few words, or null. */
  problem: string | null;
  /** The last error's message. */
  error: string | null;
}

let status: LiveStatus = { updatedAt: null, problem: null, error: null };
const listeners = new Set<(s: LiveStatus) => void>();

function report(next: LiveStatus): void {
  status = next;
  for (const l of listeners) l(status);
}

/** The page-wide live status (the last poll of any view). */
export function useLiveStatus(): LiveStatus {
  const [value, setValue] = useState(status);
  useEffect(() => {
    listeners.add(setValue);
    return () => {
      listeners.delete(setValue);
    };
  }, []);
  return value;
}

/** A polled value. */
export interface Polled<T> {
  data: T | undefined;
  /** The last poll's error (the last good `data` is kept). */
  error: Error | undefined;
  /** Polls now (after an action). */
  refresh: () => void;
}

/**
 * Polls `load` every {@link POLL_MS} while the component is mounted; `key` names what is loaded (a new key
 * drops the old data and polls at once).
 */
export function usePoll<T>(key: string, load: (signal: AbortSignal) => Promise<T>): Polled<T> {
  const [state, setState] = useState<{ key: string; data?: T; error?: Error }>({ key });
  const loadRef = useRef(load);
  loadRef.current = load;
  const kick = useRef<() => void>(() => undefined);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inFlight: AbortController | undefined;
    // Asked for while a poll was in flight (an action just happened): poll again as soon as it answers.
    let again = false;
    setState({ key });
    const run = async () => {
      clearTimeout(timer);
      if (stopped) return;
      if (inFlight) {
        again = true;
        return;
      }
      again = false;
      if (document.hidden) return; // resumed by visibilitychange
      const started = Date.now();
      inFlight = new AbortController();
      try {
        const data = await loadRef.current(inFlight.signal);
        if (stopped) return;
        setState({ key, data });
        report({ updatedAt: new Date(), problem: null, error: null });
      } catch (error) {
        if (stopped || (error as Error).name === 'AbortError') return;
        setState((s) => ({ ...s, key, error: error as Error }));
        // A 404 or 409 is an answer (the view says what it means); no answer, a refusal or a 5xx is not.
        const code = error instanceof ApiError ? error.status : 0;
        const problem =
          code === 0
            ? 'No answer from Strata, retrying'
            : code === 401 || code === 403
              ? 'Not authorised: open the address strata dashboard printed'
              : code >= 500
                ? 'Strata is failing, retrying'
                : null;
        report(
          problem
            ? { updatedAt: status.updatedAt, problem, error: (error as Error).message }
            : { updatedAt: new Date(), problem: null, error: null },
        );
      } finally {
        inFlight = undefined;
      }
      if (!stopped) timer = setTimeout(run, again ? 0 : Math.max(0, POLL_MS - (Date.now() - started)));
    };
    const onVisibility = () => {
      if (!document.hidden) void run();
    };
    kick.current = () => void run();
    document.addEventListener('visibilitychange', onVisibility);
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer);
      inFlight?.abort();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [key]);

  const refresh = useCallback(() => kick.current(), []);
  return state.key === key
    ? { data: state.data, error: state.error, refresh }
    : { data: undefined, error: undefined, refresh };
}
