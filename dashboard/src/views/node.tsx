/**
 * One node: what its cluster says of it now (read live), the slot its pool holds for it, and its update
 * history from `GET /v1/nodes/{cluster}/{node}/history` (what the control plane observed of each update
 * attempt; a 404 reads "no history recorded").
 */
import { ApiError, api } from '../api.ts';
import { Badge, ErrorNote, Facts, Loading } from '../components/ui.tsx';
import { clock, formatAge, nodeState, shortConfig, shortImage } from '../format.ts';
import { usePoll } from '../live.ts';
import { href } from '../router.ts';
import type { Items, NodeHistory, NodesAnswer, NodeView, PoolView } from '../types.ts';
import { slotText } from './pool.tsx';

interface NodeData {
  node: NodeView | undefined;
  pool: PoolView | undefined;
  readError: string | undefined;
  /** null: the route answered 404 (no history recorded). */
  history: NodeHistory | null;
}

async function loadNode(cluster: string, name: string, signal: AbortSignal): Promise<NodeData> {
  const [nodes, history] = await Promise.all([
    api<NodesAnswer<NodeView>>('GET', '/nodes', { query: { cluster }, signal }),
    api<NodeHistory>('GET', `/nodes/${encodeURIComponent(cluster)}/${encodeURIComponent(name)}/history`, {
      signal,
    }).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }),
  ]);
  const node = nodes.items.find((n) => n.name === name);
  const pool = node?.pool
    ? (await api<Items<PoolView>>('GET', '/pools', { query: { cluster, pool: node.pool }, signal })).items[0]
    : undefined;
  return { node, pool, readError: nodes.errors[0]?.error, history };
}

/** The time between two instants, e.g. `0.4s`, `12s`, `3m 5s`. */
function seconds(from: string, to: string): string {
  const s = Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);
  if (s < 10) return `${s.toFixed(1)}s`;
  return s < 60 ? `${Math.round(s)}s` : `${Math.floor(s / 60)}m ${Math.round(s % 60)}s`;
}

function History({ history, now }: { history: NodeHistory | null; now: Date }) {
  if (history === null || history.attempts.length === 0) {
    return (
      <p class="muted" data-testid="no-history">
        No history recorded for this node.
      </p>
    );
  }
  return (
    <ol class="history">
      {[...history.attempts].reverse().map((a) => (
        <li key={a.startedAt} class="attempt">
          <div class="attempt-head">
            <span class="mono">
              {a.target === null
                ? 'target not told yet'
                : a.target.config
                  ? shortConfig(a.target.config)
                  : shortImage(a.target.image)}
            </span>
            <Badge tone={a.result === null ? 'active' : a.result === 'updated' ? 'ok' : 'bad'}>
              {a.result ?? 'in progress'}
            </Badge>
            <span class="muted">
              {clock(a.startedAt, now)} → {a.endedAt ? clock(a.endedAt, now) : 'now'} (
              {seconds(a.startedAt, a.endedAt ?? now.toISOString())})
            </span>
          </div>
          {a.reason && <p class="reason">{a.reason}</p>}
          <ol class="steps">
            {a.steps.map((s, i) => (
              <li key={`${s.step}-${s.at}`}>
                <span class="nowrap muted">{clock(s.at, now)}</span> {s.step}
                {i > 0 && <span class="muted"> +{seconds(a.steps[i - 1]!.at, s.at)}</span>}
              </li>
            ))}
          </ol>
        </li>
      ))}
    </ol>
  );
}

/** The node view. */
export function NodePage({ cluster, node: name }: { cluster: string; node: string }) {
  const { data, error } = usePoll(`node/${cluster}/${name}`, (signal) => loadNode(cluster, name, signal));
  const now = new Date();
  const title = (
    <h1>
      Node <span class="mono">{`${cluster}/${name}`}</span>
    </h1>
  );
  if (!data) {
    return (
      <>
        {title}
        <ErrorNote error={error} what={`node ${name}`} />
        {!error && <Loading what="the node" />}
      </>
    );
  }
  const n = data.node;
  const st = n ? nodeState(n) : null;
  return (
    <>
      <div class="title-row">
        {title}
        {st && <Badge tone={st.tone}>{st.label}</Badge>}
      </div>
      <ErrorNote error={error} what={`node ${name}`} />
      {!n ? (
        <p class="note tone-held">
          {data.readError
            ? `Cannot read cluster ${cluster}: ${data.readError}`
            : `Cluster ${cluster} has no node ${name}.`}
        </p>
      ) : (
        <section aria-labelledby="node-now" class="panel">
          <h2 id="node-now">Now</h2>
          <Facts
            items={[
              [
                'Pool',
                n.pool ? (
                  <a key="p" href={href.pool(cluster, n.pool)}>
                    {n.pool}
                  </a>
                ) : (
                  '—'
                ),
              ],
              ['Ready', n.ready ? 'yes' : 'no'],
              ['Schedulable', n.unschedulable ? 'no (cordoned)' : 'yes'],
              ['Daemon state', n.state ?? '—'],
              ['Reason', n.reason || '—'],
              [
                'Current config',
                <span key="c" class="mono break">
                  {n.currentConfig ?? '—'}
                </span>,
              ],
              [
                'Desired config',
                <span key="d" class="mono break">
                  {n.desiredConfig ?? '—'}
                </span>,
              ],
              [
                'Current image',
                <span key="ci" class="mono break">
                  {n.currentImage ?? '—'}
                </span>,
              ],
              [
                'Desired image',
                <span key="di" class="mono break">
                  {n.desiredImage ?? '—'}
                </span>,
              ],
              ['Slot', slotText(data.pool, n.name, now)],
              ['Zone', n.zone ?? '—'],
              [
                'Created',
                n.createdAt ? `${clock(n.createdAt, now)} (${formatAge(n.createdAt, now)} ago)` : '—',
              ],
            ]}
          />
        </section>
      )}
      <section aria-labelledby="node-history">
        <h2 id="node-history">Update history</h2>
        <History history={data.history} now={now} />
      </section>
    </>
  );
}
