/** What the admin API's resource modules share: their dependencies, the request they get, their answer. */
import type { Dependencies } from '../../core/dependencies.ts';

/** Where tokens given to `POST /v1/clusters` are kept (an in-memory map locally). */
export interface TokenStore {
  put(secretName: string, token: string): Promise<void>;
}

/** What the admin API needs (without `checks`, update checks run only on their schedule). */
export type AdminDeps = Pick<
  Dependencies,
  'stores' | 'imageQueue' | 'planQueue' | 'reconcileQueue' | 'clusters' | 'checks' | 'now' | 'log'
> & {
  /** Where tokens of newly added clusters go; without it, clusters are added by `secretName` only. */
  tokens?: TokenStore;
  /** The embedded runtime resolves a published tag to its declared digest (AWS: the registry decides). */
  declareDigest?: (image: { host: string; repository: string; tag: string }, digest: string) => void;
};

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
