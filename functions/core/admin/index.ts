/** The admin API's pure parts: request schemas, listed views, rollout descriptions and dry-run plans. */
export * from './describe.ts';
export * from './dry-run.ts';
export { AdminRequestError } from './errors.ts';
export * from './requests.ts';
export * from './views.ts';
