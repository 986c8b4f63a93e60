/**
 * The Strata dashboard: a single page at the root of the admin address, hash-routed, polling the admin API
 * (`/v1`) of its own origin. Views: fleet, rollouts, one rollout, a pool, a node, tracks.
 */
import { render } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { adoptTokenFromFragment } from './api.ts';
import { clock } from './format.ts';
import { useLiveStatus } from './live.ts';
import { href, type Route, useRoute } from './router.ts';
import { FleetView } from './views/fleet.tsx';
import { NodePage } from './views/node.tsx';
import { PoolPage } from './views/pool.tsx';
import { RolloutView } from './views/rollout.tsx';
import { RolloutsView } from './views/rollouts.tsx';
import { TracksView } from './views/tracks.tsx';
import './styles.css';

function LiveIndicator() {
  const live = useLiveStatus();
  const ok = live.problem === null && live.updatedAt !== null;
  return (
    <div class={`live ${ok ? 'live-ok' : live.problem ? 'live-bad' : ''}`} title={live.error ?? undefined}>
      <span class="dot" aria-hidden="true" />
      <span>{live.problem ?? (ok ? 'Live' : 'Connecting')}</span>
      {live.updatedAt && <span class="muted small">updated {clock(live.updatedAt.toISOString())}</span>}
      {/* Only changes of connection are announced, not every poll. */}
      <span class="visually-hidden" role="status">
        {live.problem ? `${live.problem}: ${live.error}` : ''}
      </span>
    </div>
  );
}

const NAV: { label: string; link: string; views: Route['view'][] }[] = [
  { label: 'Fleet', link: href.fleet(), views: ['fleet', 'pool', 'node'] },
  { label: 'Rollouts', link: href.rollouts(), views: ['rollouts', 'rollout'] },
  { label: 'Tracks', link: href.tracks(), views: ['tracks'] },
];

function Page({ route }: { route: Route }) {
  switch (route.view) {
    case 'fleet':
      return <FleetView />;
    case 'rollouts':
      return <RolloutsView />;
    case 'rollout':
      return <RolloutView id={route.id} />;
    case 'pool':
      return <PoolPage cluster={route.cluster} pool={route.pool} />;
    case 'node':
      return <NodePage cluster={route.cluster} node={route.node} />;
    case 'tracks':
      return <TracksView />;
    default:
      return (
        <>
          <h1>Not found</h1>
          <p>
            Nothing is at <span class="mono">{route.path}</span>. <a href={href.fleet()}>Go to the fleet.</a>
          </p>
        </>
      );
  }
}

function App() {
  const route = useRoute();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  // After a navigation, focus moves to the new page (screen readers read its heading), not on first load.
  const key = JSON.stringify(route);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [key]);
  return (
    <>
      {/* A button, not a link to #main: the fragment is the route. */}
      <button type="button" class="skip" onClick={() => main.current?.focus()}>
        Skip to content
      </button>
      <header class="top">
        <a class="brand" href={href.fleet()} aria-label="Strata: fleet">
          Strata
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.map((n) => (
              <li key={n.label}>
                <a href={n.link} aria-current={n.views.includes(route.view) ? 'page' : undefined}>
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <LiveIndicator />
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Page key={key} route={route} />
      </main>
    </>
  );
}

adoptTokenFromFragment();
const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
}
