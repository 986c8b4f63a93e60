/** Errors of the admin API's pure parts. Each names the request field at fault. */

/** A request the admin API cannot accept as given (HTTP 400). */
export class AdminRequestError extends Error {
  /** The request field at fault, e.g. `body.pools[0].name` or `query.output`. */
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'AdminRequestError';
    this.field = field;
  }
}
