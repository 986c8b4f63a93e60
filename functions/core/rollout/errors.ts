/** Errors of the rollout engine. Each names the object and field at fault. */

/** A rollout strategy, window or policy value that cannot be used as given. */
export class InvalidPolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPolicyError';
  }
}

/** A referenced cluster, pool or rollout does not exist in the store. */
export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** A state change that the current lifecycle state does not allow (e.g. resuming a completed rollout). */
export class InvalidTransitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTransitionError';
  }
}
