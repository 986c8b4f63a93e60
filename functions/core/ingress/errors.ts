/** Why a delivery was refused; `status` is the HTTP status the receiver answers with. */
export class DeliveryRejectedError extends Error {
  readonly status: 400 | 401 | 404 | 409 | 413 | 415;
  constructor(status: DeliveryRejectedError['status'], message: string) {
    super(message);
    this.name = 'DeliveryRejectedError';
    this.status = status;
  }
}

/** The payload is not what the source sends: names the field and why. Answered with 400. */
export class MalformedPayloadError extends DeliveryRejectedError {
  constructor(source: string, message: string) {
    super(400, `${source}: ${message}`);
    this.name = 'MalformedPayloadError';
  }
}

/**
 * Authentication failed. The message is deliberately generic (the same for a missing, wrong or
 * unconfigured secret) so that the endpoint does not reveal which sources are configured.
 */
export class UnauthorizedDeliveryError extends DeliveryRejectedError {
  constructor() {
    super(401, 'unauthorized');
    this.name = 'UnauthorizedDeliveryError';
  }
}
