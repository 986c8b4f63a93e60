/**
 * Admin API (`ANY /v1/{proxy+}`, API Gateway HTTP API v2, IAM-authorised on AWS; served by the local HTTP
 * front under /v1 by `strata start`): a router over one module per resource (functions/handlers/admin/).
 * Requests are validated (zod, errors naming the field), answers are JSON; docs/cli.md lists the routes.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { bodyText, jsonResult } from '../adapters/lambda/http.ts';
import { AdminHttpError, adminRoute, adminStatusOf, parseJsonBody } from '../core/admin/index.ts';
import * as aws from '../wiring/aws.ts';
import { buildRoutes } from './admin/builds.ts';
import { checkRoutes } from './admin/checks.ts';
import { clusterRoutes } from './admin/clusters.ts';
import { planRoutes } from './admin/plan.ts';
import { poolRoutes } from './admin/pools.ts';
import { publishRoutes } from './admin/publish.ts';
import type { AdminDeps, Resource } from './admin/resource.ts';
import { rolloutRoutes } from './admin/rollouts.ts';
import { trackRoutes } from './admin/tracks.ts';

type Result = APIGatewayProxyStructuredResultV2;

const ROUTES: Record<string, Resource> = {
  'GET health': async (_deps, req) => [200, { ok: true, time: req.now.toISOString() }],
  ...clusterRoutes,
  ...poolRoutes,
  ...trackRoutes,
  ...rolloutRoutes,
  ...publishRoutes,
  ...planRoutes,
  ...checkRoutes,
  ...buildRoutes,
};

/** Builds the admin API handler. */
export function createAdminHandler(deps: AdminDeps): (event: APIGatewayProxyEventV2) => Promise<Result> {
  const now = deps.now ?? (() => new Date());
  return async (event) => {
    const method = (event.requestContext?.http?.method ?? 'GET').toUpperCase();
    const path = event.rawPath ?? '/';
    let keys: Record<string, string> = {};
    try {
      const route = adminRoute(method, path);
      keys = route.keys;
      const resource = ROUTES[route.key];
      if (!resource) throw new AdminHttpError(404, `no such resource: ${method} ${path.replace(/\/+$/, '')}`);
      const [query, body] = [event.queryStringParameters ?? {}, () => parseJsonBody(bodyText(event))];
      const [status, answer] = await resource(deps, { ...route, query, body, now: now() });
      deps.log?.({ level: 'INFO', message: 'admin request', method, path, status, ...keys });
      return jsonResult(status, answer);
    } catch (error) {
      const status = adminStatusOf(error);
      const message = error instanceof Error ? error.message : String(error);
      deps.log?.({ level: status === 500 ? 'ERROR' : 'INFO', message, method, path, status, ...keys });
      return jsonResult(status, { error: message });
    }
  };
}

/** Lambda entry point (environment: functions/wiring/aws.ts). */
export const handler = aws.lambdaHandler('admin', (log) => createAdminHandler(aws.adminDeps(log)));
