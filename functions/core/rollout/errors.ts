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

/**
 * A guarded node write found the node changed since it was read (HTTP 409 on its resourceVersion): the
 * decision it served may be obsolete, so it is not applied; the pool is read and planned again.
 */
export class NodeChangedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NodeChangedError';
  }
}
