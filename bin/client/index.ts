/** The admin API client the `strata` commands use against a running Strata (local or deployed). */
export {
  AdminApiError,
  type AdminClient,
  type AdminClientOptions,
  createAdminClient,
  DEFAULT_PORT,
  DEFAULT_URL,
  resolveUrl,
} from './admin-client.ts';
export { type ConnectionOptions, clientFor } from './connection.ts';
