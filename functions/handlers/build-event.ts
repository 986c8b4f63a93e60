/** CodeBuild "Build State Change" events (EventBridge) → the build's state (adapters/builder/codebuild-event.ts). */
import { buildEventHandler } from '../adapters/builder/codebuild-event.ts';
import * as aws from '../wiring/aws.ts';

export const handler = aws.lambdaHandler('build-event', (log) => buildEventHandler(aws.buildEventDeps(log)));
