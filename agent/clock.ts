/** Time for the agent: the wall clock in production, the simulator's clock when simulated. */
export interface AgentClock {
  /** ms since the epoch. */
  now(): number;
  /** Runs `fn` after `delayMs`; returns a cancel function. */
  schedule(delayMs: number, fn: () => void): () => void;
}

export const systemClock: AgentClock = {
  now: () => Date.now(),
  schedule(delayMs, fn) {
    // setTimeout holds at most 2^31-1 ms; a longer wait just wakes early and decides again.
    const timer = setTimeout(fn, Math.min(Math.max(0, delayMs), 2_147_483_647));
    return () => clearTimeout(timer);
  },
};
