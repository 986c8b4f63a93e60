/**
 * The fleet at a glance: the rollouts moving now, and a clusters × pools grid coloured by each pool's
 * state with MCO's counts (machines, updated, ready, degraded), each cell opening the pool.
 */
import { api } from '../api.ts';
import { Badge, ErrorNote, Loading, Meter } from '../components/ui.tsx';
import { isTerminal, poolState, shortConfig, shortImage } from '../format.ts';
import { usePoll } from '../live.ts';
import { href } from '../router.ts';
import type { ClusterView, Items, PoolView, RolloutView } from '../types.ts';
import { RolloutCard } from './rollout-card.tsx';

interface FleetData {
  clusters: ClusterView[];
  pools: PoolView[];
  rollouts: RolloutView[];
}

async function loadFleet(signal: AbortSignal): Promise<FleetData> {
  const [clusters, pools, rollouts] = await Promise.all([
    api<Items<ClusterView>>('GET', '/clusters', { signal }),
    api<Items<PoolView>>('GET', '/pools', { signal }),
    api<Items<RolloutView>>('GET', '/rollouts', { signal }),
  ]);
  return { clusters: clusters.items, pools: pools.items, rollouts: rollouts.items };
}

function labels(l: Record<string, string>): string {
  return Object.entries(l)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

function PoolCell({ pool, now }: { pool: PoolView; now: Date }) {
  const state = poolState(pool, now);
  const s = pool.status;
  const name = `${pool.clusterId}/${pool.pool}`;
  const updating = Object.keys(pool.slots).sort();
  // The link's name is its text: the pool, its state and MCO's counts, read in that order.
  return (
    <a class={`cell tone-${state.tone}`} href={href.pool(pool.clusterId, pool.pool)} data-pool={name}>
      <span class="visually-hidden">pool {name}: </span>
      <span class="cell-head">
        <Badge tone={state.tone}>{state.label}</Badge>
        <span class="mono muted">
          {/* Agent pools have no rendered config: their target is the image. */}
          {pool.target?.config || pool.lastCompleted?.config
            ? shortConfig(pool.target?.config || pool.lastCompleted?.config)
            : shortImage(pool.target?.image ?? pool.lastCompleted?.image)}
        </span>
      </span>
      {s ? (
        <>
          <Meter value={s.updatedMachineCount} total={s.machineCount} label="" tone={state.tone} decorative />
          <span class="counts">
            <span>machines {s.machineCount}</span> <span>updated {s.updatedMachineCount}</span>{' '}
            <span>ready {s.readyMachineCount}</span> <span>degraded {s.degradedMachineCount}</span>
          </span>
        </>
      ) : (
        <span class="muted">baseline; no rollout yet</span>
      )}
      {updating.length > 0 && <span class="muted">updating: {updating.join(', ')}</span>}
    </a>
  );
}

/** The fleet view. */
export function FleetView() {
  const { data, error } = usePoll('fleet', loadFleet);
  const now = new Date();
  if (!data) {
    return (
      <>
        <h1>Fleet</h1>
        <ErrorNote error={error} what="the fleet" />
        {!error && <Loading what="the fleet" />}
      </>
    );
  }
  const poolNames = [...new Set(data.clusters.flatMap((c) => c.pools.map((p) => p.name)))].sort();
  const byKey = new Map(data.pools.map((p) => [`${p.clusterId}/${p.pool}`, p]));
  const updating = data.pools.reduce((n, p) => n + Object.keys(p.slots).length, 0);
  const active = data.rollouts.filter((r) => !isTerminal(r.status));
  const shown = active.length > 0 ? active : data.rollouts.slice(0, 1);
  return (
    <>
      <h1>Fleet</h1>
      <ErrorNote error={error} what="the fleet" />
      <p class="summary">
        <span>
          <strong>{data.clusters.length}</strong> clusters
        </span>
        <span>
          <strong>{data.pools.length}</strong> pools
        </span>
        <span>
          <strong>{updating}</strong> nodes updating now
        </span>
        <span>
          <strong>{active.length}</strong> rollouts in progress
        </span>
      </p>

      <section aria-labelledby="fleet-rollouts">
        <h2 id="fleet-rollouts">{active.length > 0 ? 'Rollouts in progress' : 'Latest rollout'}</h2>
        {shown.length === 0 ? (
          <p class="muted">No rollout yet: publish an image that a track follows.</p>
        ) : (
          <div class="cards">
            {shown.map((r) => (
              <RolloutCard key={r.id} rollout={r} now={now} />
            ))}
          </div>
        )}
      </section>

      <section aria-labelledby="fleet-grid">
        <h2 id="fleet-grid">Clusters × pools</h2>
        {data.clusters.length === 0 ? (
          <p class="muted">No cluster is registered: strata cluster add, or strata start --config.</p>
        ) : (
          <div class="grid-wrap">
            <table class="grid">
              <caption class="visually-hidden">
                Each cell is a pool: its state, its config, and MCO's machine counts. Open a cell for the
                pool's nodes.
              </caption>
              <thead>
                <tr>
                  <th scope="col">Cluster</th>
                  {poolNames.map((p) => (
                    <th scope="col" key={p}>
                      {p}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {data.clusters.map((c) => (
                  <tr key={c.id} data-cluster={c.id}>
                    <th scope="row">
                      <span class="cluster-name">{c.id}</span>
                      <span class="muted small">{labels(c.labels)}</span>
                    </th>
                    {poolNames.map((name) => {
                      const pool = byKey.get(`${c.id}/${name}`);
                      return (
                        <td key={name}>
                          {pool ? (
                            <PoolCell pool={pool} now={now} />
                          ) : (
                            <span class="cell empty">
                              <span class="visually-hidden">
                                {c.id} has no pool {name}
                              </span>
                              <span aria-hidden="true">—</span>
                            </span>
                          )}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p class="legend">
          Legend: <Badge tone="ok">Updated</Badge> every machine on the pool's config ·{' '}
          <Badge tone="active">Updating</Badge> nodes moving · <Badge tone="held">Paused</Badge> held by a
          pause or a closed window · <Badge tone="bad">Degraded</Badge> a node failed, or the rollout halted
        </p>
      </section>
    </>
  );
}
