/**
 * Optimistic concurrency: every state change is a single-item write conditional on the item's `version`,
 * and the loser of a race re-reads and decides again. This is the one retry loop for it.
 */

/** A conditional write lost: the item changed (or appeared) since it was read. Re-read and decide again. */
export class VersionConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VersionConflictError';
  }
}

/**
 * Attempts (one read-decide-write each) before a lost race is given up on. Races are between a handful of
 * writers of one item (a pool's reconciles and its planner, two planner passes, an operator's control); five
 * lost in a row means the item is being rewritten continuously, and the caller's own retry (the queue's
 * redelivery, the operator's next request) is the better place to wait.
 */
export const CONFLICT_ATTEMPTS = 5;

/**
 * Runs `attempt` (which reads, decides and writes conditionally) until it does not lose a race, at most
 * {@link CONFLICT_ATTEMPTS} times. Errors other than {@link VersionConflictError} end it at once.
 * @throws VersionConflictError naming `what` when every attempt lost.
 */
export async function retryOnConflict<T>(what: string, attempt: (n: number) => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
      if (n >= CONFLICT_ATTEMPTS) {
        throw new VersionConflictError(`${what}: lost ${n} races in a row; try again (${error.message})`);
      }
    }
  }
}
