/**
 * Hash routes (`#/rollouts/demo-5d979b3f2f4a`): the server serves one page at `/`, so any route can be
 * bookmarked and reloaded, locally and through `strata dashboard`, with no server-side routing.
 */
import { useEffect, useState } from 'preact/hooks';

/** A parsed route. */
export type Route =
  | { view: 'fleet' }
  | { view: 'rollouts' }
  | { view: 'rollout'; id: string }
  | { view: 'pool'; cluster: string; pool: string }
  | { view: 'node'; cluster: string; node: string }
  | { view: 'tracks' }
  | { view: 'not-found'; path: string };

/** Parses `#/…`. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  let parts: string[];
  try {
    parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return { view: 'not-found', path };
  }
  const [first, a, b] = parts;
  if (parts.length === 0) return { view: 'fleet' };
  if (first === 'rollouts' && parts.length === 1) return { view: 'rollouts' };
  if (first === 'rollouts' && parts.length === 2) return { view: 'rollout', id: a! };
  if (first === 'pools' && parts.length === 3) return { view: 'pool', cluster: a!, pool: b! };
  if (first === 'nodes' && parts.length === 3) return { view: 'node', cluster: a!, node: b! };
  if (first === 'tracks' && parts.length === 1) return { view: 'tracks' };
  return { view: 'not-found', path };
}

/** The link to a route. */
export const href = {
  fleet: () => '#/',
  rollouts: () => '#/rollouts',
  rollout: (id: string) => `#/rollouts/${encodeURIComponent(id)}`,
  pool: (cluster: string, pool: string) =>
    `#/pools/${encodeURIComponent(cluster)}/${encodeURIComponent(pool)}`,
  node: (cluster: string, node: string) =>
    `#/nodes/${encodeURIComponent(cluster)}/${encodeURIComponent(node)}`,
  tracks: () => '#/tracks',
};

/** The current route, following hash changes. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
