/** The admin API's pure parts: routes, request schemas, list answers, table rows, rollout descriptions and dry-run plans. */
export { formatAge } from './age.ts';
export * from './describe.ts';
export * from './dry-run.ts';
export { AdminRequestError } from './errors.ts';
export * from './listing.ts';
export * from './requests.ts';
export * from './route.ts';
export * from './views.ts';
