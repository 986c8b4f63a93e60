/** A Lambda `Context` for handlers invoked in this process, with the function's timeout as its clock. */
import { randomUUID } from 'node:crypto';
import type { Callback, Context } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID } from './local-aws.ts';

/** Which function an invocation is of. */
export interface LocalFunction {
  functionName: string;
  /** The Lambda timeout (seconds) the CDK stack gives this function; drives getRemainingTimeInMillis. */
  timeoutSeconds: number;
  region: string;
  memoryLimitInMB?: number;
}

/** A fresh context for one invocation. Callback-style completion (done/fail/succeed) is not supported. */
export function createLambdaContext(fn: LocalFunction): Context {
  const deadline = Date.now() + fn.timeoutSeconds * 1000;
  const unsupported = () => {
    throw new Error(`${fn.functionName}: context.done/fail/succeed are not supported; return a promise`);
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: fn.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${fn.region}:${LOCAL_ACCOUNT_ID}:function:${fn.functionName}`,
    memoryLimitInMB: String(fn.memoryLimitInMB ?? 512),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${fn.functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/** The callback argument: Node 24 Lambdas return promises, so calling it is a mistake worth reporting. */
export function noCallback(functionName: string): Callback {
  return () => {
    throw new Error(`${functionName}: callback-style handlers are not supported; return a promise`);
  };
}
