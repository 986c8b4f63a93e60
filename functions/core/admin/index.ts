/** The admin API's pure parts: routes, request schemas, list answers, listed views, rollout descriptions and dry-run plans. */
export * from './describe.ts';
export * from './dry-run.ts';
export { AdminRequestError } from './errors.ts';
export * from './listing.ts';
export * from './requests.ts';
export * from './route.ts';
export * from './views.ts';
