/**
 * One pool: its state and MCO's counts, and its nodes in the order MCO picks update candidates (zone, then
 * creation time, then name: `sortNodeList`), each with its state, its target and the slot it holds.
 */
import { ZoneLabel } from '../../../functions/core/model.ts';
import { sortNodeList } from '../../../functions/core/rollout/candidates.ts';
import { api } from '../api.ts';
import { ConfirmButton } from '../components/confirm.tsx';
import { Badge, ErrorNote, Facts, Loading } from '../components/ui.tsx';
import { clock, formatAge, nodeState, poolState, shortConfig, shortImage } from '../format.ts';
import { usePoll } from '../live.ts';
import { href } from '../router.ts';
import type { Items, NodesAnswer, NodeView, PoolView } from '../types.ts';

/** Why no node of the pool starts, in words. */
const HOLDS: Record<string, string> = {
  paused: 'its rollout is paused',
  halted: 'its rollout halted',
  'window-closed': 'the maintenance window is closed',
  'no-target': 'no rollout targets it',
  'pool-paused': 'the pool is paused',
  'paused-by-admin': 'its MachineConfigPool was paused by someone other than Strata',
};

/** Slot details as the pool item stores them. */
export interface SlotView {
  target: { config: string; image: string | null };
  since: string;
  failed?: boolean;
  stuck?: boolean;
}

/** Nodes in MCO's candidate order (the same function the planner uses). */
export function mcoOrder(nodes: NodeView[]): NodeView[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  return sortNodeList(
    nodes.map((n) => ({
      name: n.name,
      labels: (n.zone ? { [ZoneLabel]: n.zone } : {}) as Record<string, string>,
      annotations: {},
      unschedulable: n.unschedulable,
      conditions: [],
      creationTimestamp: n.createdAt ?? '',
    })),
  ).map((f) => byName.get(f.name)!);
}

/** What a pool's slot says of a node. */
export function slotText(pool: PoolView | undefined, node: string, now: Date): string {
  const slot = pool?.slots[node] as SlotView | undefined;
  if (slot) {
    const age = formatAge(slot.since, now);
    if (slot.failed) return `failed on target (slot held ${age})`;
    if (slot.stuck) return `drain stuck (slot held ${age})`;
    return `updating (slot held ${age})`;
  }
  if (pool?.failed[node]) return 'failed earlier on this target';
  return '—';
}

interface PoolData {
  pool: PoolView | undefined;
  nodes: NodesAnswer<NodeView>;
}

/** The pool view. */
export function PoolPage({ cluster, pool: name }: { cluster: string; pool: string }) {
  const { data, error, refresh } = usePoll(`pool/${cluster}/${name}`, async (signal): Promise<PoolData> => {
    const [pools, nodes] = await Promise.all([
      api<Items<PoolView>>('GET', '/pools', { query: { cluster, pool: name }, signal }),
      api<NodesAnswer<NodeView>>('GET', '/nodes', { query: { cluster, pool: name }, signal }),
    ]);
    return { pool: pools.items[0], nodes };
  });
  const now = new Date();
  const title = (
    <h1>
      Pool <span class="mono">{`${cluster}/${name}`}</span>
    </h1>
  );
  if (!data) {
    return (
      <>
        {title}
        <ErrorNote error={error} what={`pool ${cluster}/${name}`} />
        {!error && <Loading what="the pool" />}
      </>
    );
  }
  const { pool } = data;
  if (!pool) {
    return (
      <>
        {title}
        <p class="note tone-held">
          Cluster {cluster} has no pool {name}.
        </p>
      </>
    );
  }
  const state = poolState(pool, now);
  const s = pool.status;
  const nodes = mcoOrder(data.nodes.items);
  return (
    <>
      <div class="title-row">
        {title}
        <Badge tone={state.tone}>{state.label}</Badge>
      </div>
      <ErrorNote error={error} what={`pool ${cluster}/${name}`} />
      <div class="actions">
        {pool.paused ? (
          <ConfirmButton
            label="Resume pool"
            title={`Resume pool ${cluster}/${name}?`}
            confirmLabel="Resume pool"
            onConfirm={async () => {
              await api('POST', `/clusters/${encodeURIComponent(cluster)}/resume`, { body: { pool: name } });
              refresh();
            }}
          >
            <p>
              Nodes of {`${cluster}/${name}`} may start again as its rollout, maxUnavailable and the
              maintenance window allow. On an OpenShift cluster Strata unpauses the MachineConfigPool only if
              Strata paused it.
            </p>
          </ConfirmButton>
        ) : (
          <ConfirmButton
            label="Pause pool"
            title={`Pause pool ${cluster}/${name}?`}
            confirmLabel="Pause pool"
            onConfirm={async () => {
              await api('POST', `/clusters/${encodeURIComponent(cluster)}/pause`, { body: { pool: name } });
              refresh();
            }}
          >
            <p>
              No node of {`${cluster}/${name}`} starts an update until the pool is resumed; nodes already
              updating finish. On an OpenShift cluster Strata pauses the MachineConfigPool (annotated as
              Strata's). Other pools of the rollout go on.
            </p>
          </ConfirmButton>
        )}
        {pool.target && (
          <a class="button" href={href.rollout(pool.target.rolloutId)}>
            Open rollout {pool.target.rolloutId}
          </a>
        )}
      </div>
      <section aria-labelledby="pool-facts" class="panel">
        <h2 id="pool-facts">Status</h2>
        <Facts
          items={[
            ['Machines', s ? String(s.machineCount) : '—'],
            ['Updated', s ? String(s.updatedMachineCount) : '—'],
            ['Ready', s ? String(s.readyMachineCount) : '—'],
            ['Unavailable', s ? String(s.unavailableMachineCount) : '—'],
            ['Degraded', s ? String(s.degradedMachineCount) : '—'],
            ['maxUnavailable', String(pool.maxUnavailable ?? 1)],
            [
              'Target',
              <span key="t" class="mono break">
                {pool.target
                  ? [pool.target.config, shortImage(pool.target.image)].filter(Boolean).join(' · ')
                  : '—'}
              </span>,
            ],
            [
              'Last completed',
              <span key="l" class="mono break">
                {pool.lastCompleted
                  ? [pool.lastCompleted.config, shortImage(pool.lastCompleted.image)]
                      .filter(Boolean)
                      .join(' · ')
                  : '—'}
              </span>,
            ],
            ['Holds', pool.holds.length > 0 ? pool.holds.map((h) => HOLDS[h] ?? h).join('; ') : 'none'],
            [
              'Paused',
              <span key="p" data-testid="pool-paused">
                {pool.paused ? `by ${pool.paused.by}, ${clock(pool.paused.at, now)}` : 'no'}
              </span>,
            ],
          ]}
        />
        {s && s.conditions.length > 0 && (
          <ul class="conditions" aria-label="conditions">
            {s.conditions.map((c) => (
              <li key={c.type}>
                <strong>{c.type}</strong> {c.status}
                {c.message ? ` — ${c.message}` : ''}{' '}
                <span class="muted">(since {clock(c.lastTransitionTime, now)})</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="pool-nodes">
        <h2 id="pool-nodes">Nodes, in MCO's update order</h2>
        {data.nodes.errors.map((e) => (
          <p key={e.cluster} class="note tone-bad" role="alert">
            Cannot read the nodes of {e.cluster}: {e.error}
          </p>
        ))}
        <div class="table-wrap">
          <table class="list">
            <caption class="visually-hidden">
              Nodes of {`${cluster}/${name}`} ordered by zone, then creation time
            </caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Node</th>
                <th scope="col">Zone</th>
                <th scope="col">State</th>
                <th scope="col">Current config</th>
                <th scope="col">Pool target</th>
                <th scope="col">Current image</th>
                <th scope="col">Slot</th>
                <th scope="col">Age</th>
              </tr>
            </thead>
            <tbody>
              {nodes.map((n, i) => {
                const st = nodeState(n);
                const target = pool.target?.config;
                const towards = !target
                  ? '—'
                  : n.currentConfig === target
                    ? 'on target'
                    : n.desiredConfig === target
                      ? 'told, updating'
                      : pool.slots[n.name]
                        ? 'picked: cordon, drain'
                        : 'waiting its turn';
                return (
                  <tr key={n.name} data-node={n.name}>
                    <td>{i + 1}</td>
                    <th scope="row">
                      <a href={href.node(cluster, n.name)}>{n.name}</a>
                    </th>
                    <td>{n.zone ?? '—'}</td>
                    <td>
                      <Badge tone={st.tone}>{st.label}</Badge>
                      {n.reason ? <span class="reason small"> {n.reason}</span> : null}
                    </td>
                    <td class="mono">{shortConfig(n.currentConfig)}</td>
                    <td>{towards}</td>
                    <td class="mono">{shortImage(n.currentImage)}</td>
                    <td>{slotText(pool, n.name, now)}</td>
                    <td>{formatAge(n.createdAt, now)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
