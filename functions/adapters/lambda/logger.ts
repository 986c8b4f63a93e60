/**
 * Logs on Lambda: Powertools Logger, one JSON object per line with the function's context (request id,
 * cold start) and each line's fields, correlation keys included (`rolloutId`, `clusterId`, `pool`, `node`).
 * Keys are passed per line, not appended to the logger: an SQS batch is processed in parallel, and keys
 * appended for one record would show on another's lines.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { Log } from '../../core/ports.ts';

/** A Powertools logger for one function (`POWERTOOLS_SERVICE_NAME` and `POWERTOOLS_LOG_LEVEL` apply). */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}

/** The handlers' {@link Log} port on a Powertools logger. */
export function powertoolsLog(logger: Logger): Log {
  return ({ level, message, ...fields }) => {
    if (level === 'DEBUG') logger.debug(message, fields);
    else if (level === 'INFO') logger.info(message, fields);
    else if (level === 'WARN') logger.warn(message, fields);
    else logger.error(message, fields);
  };
}

/** Adds the invocation's Lambda context (request id, cold start) to the logger's lines. */
export function withLambdaContext(logger: Logger, context: Context | undefined): void {
  if (context?.awsRequestId) logger.addContext(context);
}
