/** API errors as the Kubernetes API server reports them: a `Status` object with code, reason and message. */

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: { reason?: string; message?: string; field?: string }[];
  retryAfterSeconds?: number;
}

/** An error answered as a `Status` body with the HTTP code `code`. */
export class StatusError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details: StatusDetails | undefined;
  readonly headers: Record<string, string>;

  constructor(
    code: number,
    reason: string,
    message: string,
    details?: StatusDetails,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'StatusError';
    this.code = code;
    this.reason = reason;
    this.details = details;
    this.headers = headers;
  }

  /** The `Status` object sent as the response body. */
  toStatus(): Record<string, unknown> {
    return statusObject(this.code, this.reason, this.message, this.details);
  }
}

/** A `meta/v1` Status object. */
export function statusObject(
  code: number,
  reason: string,
  message: string,
  details?: StatusDetails,
): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: code < 400 ? 'Success' : 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

/** `<resource> "<name>" not found`, the way the API server phrases it. */
export function notFound(group: string, plural: string, name: string): StatusError {
  const resource = group ? `${plural}.${group}` : plural;
  return new StatusError(404, 'NotFound', `${resource} "${name}" not found`, { name, group, kind: plural });
}

/** `Operation cannot be fulfilled on …: the object has been modified; …` (optimistic concurrency). */
export function conflict(group: string, plural: string, name: string): StatusError {
  const resource = group ? `${plural}.${group}` : plural;
  return new StatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, group, kind: plural },
  );
}

export function badRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}

export function invalid(kind: string, name: string, field: string, message: string): StatusError {
  return new StatusError(422, 'Invalid', `${kind} "${name}" is invalid: ${field}: ${message}`, {
    name,
    kind,
    causes: [{ reason: 'FieldValueInvalid', message, field }],
  });
}
