/** What the admin API's resource modules share: their dependencies, the request they get, their answer. */
import type { Dependencies } from '../../core/dependencies.ts';

/**
 * What the admin API needs (without `checks`, update checks run only on their schedule; without
 * `resolver`, a published tag is resolved by image-push only).
 */
export type AdminDeps = Omit<
  Dependencies,
  'registrations' | 'checkQueue' | 'resolver' | 'metadata' | 'publisher'
> &
  Partial<Pick<Dependencies, 'resolver'>>;

/** One routed request: path id and action, query, JSON body (AdminRequestError when not JSON), time. */
export interface AdminRequest {
  id?: string;
  action?: string;
  query: Record<string, string | undefined>;
  body(): unknown;
  now: Date;
}

/** The handler of one route: a status code and a JSON body. */
export type Resource = (deps: AdminDeps, req: AdminRequest) => Promise<[status: number, body: unknown]>;
