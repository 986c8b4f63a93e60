/** A send option was unusable (the message was not sent). */
export class InvalidSendOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSendOptionsError';
  }
}

/** SQS refused some entries of a batch send; the other entries were sent. */
export class QueueBatchSendError extends Error {
  /** Indexes (into the bodies passed to `sendBatch`) that were not sent, with SQS's reason. */
  readonly failed: { index: number; code: string; message: string }[];
  constructor(queueUrl: string, failed: { index: number; code: string; message: string }[]) {
    const first = failed[0];
    super(
      `${failed.length} message(s) not sent to ${queueUrl}` +
        (first ? `: entry ${first.index}: ${first.code}: ${first.message}` : ''),
    );
    this.name = 'QueueBatchSendError';
    this.failed = failed;
  }
}
