/**
 * One rollout: its controls, why it is not moving, the failure budgets used, and a timeline of its waves
 * (soak between them) with per-cluster and per-pool progress, then its audit events.
 */
import { Fragment } from 'preact';
import { resolveFleetBudget } from '../../../functions/core/rollout/rollout-plan.ts';
import { api } from '../api.ts';
import { ConfirmButton } from '../components/confirm.tsx';
import { Badge, ErrorNote, Facts, Loading, Meter } from '../components/ui.tsx';
import { allowedActions, clock, formatAge, type RolloutAction, rolloutTone, shortConfig } from '../format.ts';
import { usePoll } from '../live.ts';
import { href } from '../router.ts';
import type { ClusterProgress, PoolProgress, RolloutDescription, WaveProgress } from '../types.ts';

const ACTIONS: {
  action: RolloutAction;
  label: string;
  confirm: string;
  danger?: boolean;
  explain: (id: string) => string;
  allowedFrom: string;
}[] = [
  {
    action: 'pause',
    label: 'Pause',
    confirm: 'Pause rollout',
    explain: (id) => `No new node starts for ${id} until it is resumed. Nodes already updating finish.`,
    allowedFrom: 'Pending, Progressing or Soaking',
  },
  {
    action: 'resume',
    label: 'Resume',
    confirm: 'Resume rollout',
    explain: (id) => `${id} goes on from where it stopped, within its budgets and windows.`,
    allowedFrom: 'Paused or Halted',
  },
  {
    action: 'abort',
    label: 'Abort',
    confirm: 'Abort rollout',
    danger: true,
    explain: (id) =>
      `${id} stops for good: no node starts again, nodes already updating finish, nothing is rolled back.`,
    allowedFrom: 'any status that has not ended',
  },
  {
    action: 'rollback',
    label: 'Roll back',
    confirm: 'Roll back rollout',
    danger: true,
    explain: (id) =>
      `Every pool ${id} touched goes back to its previous rendered config, with the same bounded concurrency.`,
    allowedFrom: 'Progressing, Soaking, Paused, Halted or Completed',
  },
];

function Budgets({ d }: { d: RolloutDescription }) {
  const s = d.rollout.strategy;
  let machines = 0;
  let failed = 0;
  let worst: { name: string; failed: number } | null = null;
  for (const w of d.waves) {
    for (const c of w.clusters) {
      for (const p of c.pools) {
        machines += p.machineCount ?? 0;
        if (!p.targeted) continue;
        failed += p.failed.length;
        if (!worst || p.failed.length > worst.failed)
          worst = { name: `${c.id}/${p.pool}`, failed: p.failed.length };
      }
    }
  }
  const fleetBudget = resolveFleetBudget(s.fleetFailureBudget, machines);
  const poolOver = worst !== null && worst.failed > s.poolFailureBudget;
  return (
    <section aria-labelledby="budgets" class="panel">
      <h2 id="budgets">Failure budgets</h2>
      <Facts
        items={[
          [
            'Per pool',
            <span key="p" class={poolOver ? 'over' : ''}>
              {worst ? `${worst.failed} failed in ${worst.name} (worst pool)` : 'no pool targeted yet'},
              budget {s.poolFailureBudget}
            </span>,
          ],
          [
            'Fleet-wide',
            <span key="f" class={failed > fleetBudget ? 'over' : ''}>
              {failed} failed of {machines} machines, budget {fleetBudget}
              {typeof s.fleetFailureBudget === 'string' ? ` (${s.fleetFailureBudget})` : ''}
            </span>,
          ],
          ['On failure', s.onFailure === 'rollback' ? 'roll back the touched pools' : 'halt'],
          ['Clusters at once', String(s.maxConcurrentClusters)],
        ]}
      />
    </section>
  );
}

function PoolLine({ cluster, p }: { cluster: string; p: PoolProgress }) {
  const name = `${cluster}/${p.pool}`;
  // A failed node keeps its slot (it counts against maxUnavailable) but is shown as failed, not updating.
  const updatingNodes = p.inFlight.filter((n) => !p.failed.includes(n));
  return (
    <li class="pool-line" data-pool={name}>
      <a href={href.pool(cluster, p.pool)}>{p.pool}</a>
      {p.machineCount === null ? (
        <span class="muted">not started</span>
      ) : (
        <Meter
          value={p.updatedMachineCount ?? 0}
          total={p.machineCount}
          label={`${name} machines updated`}
          tone={p.failed.length > 0 ? 'bad' : 'active'}
        />
      )}
      <span class="muted mono">{shortConfig(p.config)}</span>
      {p.done && <Badge tone="ok">done</Badge>}
      {updatingNodes.length > 0 && (
        <span>
          updating{' '}
          {updatingNodes.map((n) => (
            <a key={n} class="chip" href={href.node(cluster, n)}>
              {n}
            </a>
          ))}
        </span>
      )}
      {p.failed.length > 0 && (
        <span>
          <Badge tone="bad">failed</Badge>{' '}
          {p.failed.map((n) => (
            <a key={n} class="chip tone-bad" href={href.node(cluster, n)}>
              {n}
            </a>
          ))}
        </span>
      )}
      {p.stuck.length > 0 && (
        <span>
          <Badge tone="held">drain stuck</Badge> {p.stuck.join(', ')}
        </span>
      )}
    </li>
  );
}

const PHASE_TONE = {
  done: 'ok',
  updating: 'active',
  'rolling-back': 'active',
  'rolled-back': 'held',
  waiting: 'neutral',
  'not-in-fleet': 'held',
} as const;

function ClusterBlock({ c }: { c: ClusterProgress }) {
  const total = c.pools.reduce((n, p) => n + (p.machineCount ?? 0), 0);
  const updated = c.pools.reduce((n, p) => n + (p.updatedMachineCount ?? 0), 0);
  return (
    <li class="cluster-block" data-cluster={c.id}>
      <div class="cluster-head">
        <strong>{c.id}</strong>
        <Badge tone={PHASE_TONE[c.phase]}>{c.phase}</Badge>
        <Meter value={updated} total={total} label={`cluster ${c.id} machines updated`} />
      </div>
      <ul class="pool-lines">
        {c.pools.map((p) => (
          <PoolLine key={p.pool} cluster={c.id} p={p} />
        ))}
      </ul>
    </li>
  );
}

function Soak({ d, after }: { d: RolloutDescription; after: WaveProgress }) {
  const p = d.rollout.progress;
  const seconds = d.rollout.strategy.soakSeconds;
  const soaking = d.rollout.status === 'Soaking' && p?.wave === after.index;
  let text = `soak ${seconds}s`;
  if (soaking && p?.waveCompletedAt) {
    const left = Math.max(0, Math.ceil((Date.parse(p.waveCompletedAt) + seconds * 1000 - Date.now()) / 1000));
    text = `soaking: ${left}s of ${seconds}s left`;
  }
  const state = soaking
    ? 'current'
    : after.phase === 'done' && (p?.wave ?? 0) > after.index
      ? 'done'
      : 'pending';
  return (
    <li class={`soak soak-${state}`} aria-label={`soak between waves: ${text}`}>
      {text}
    </li>
  );
}

function Timeline({ d }: { d: RolloutDescription }) {
  if (d.waves.length === 0) return <p class="muted">Waves are planned at the first planning pass.</p>;
  return (
    <ol class="timeline">
      {d.waves.map((w, i) => {
        const done = w.clusters.filter((c) => c.phase === 'done').length;
        return (
          <Fragment key={w.index}>
            <li
              class={`wave wave-${w.phase}`}
              data-wave={w.name}
              aria-current={w.phase === 'current' ? 'step' : undefined}
            >
              <div class="wave-head">
                <h3>
                  Wave {w.index + 1}: {w.name}
                </h3>
                <Badge tone={w.phase === 'done' ? 'ok' : w.phase === 'current' ? 'active' : 'neutral'}>
                  {w.phase}
                </Badge>
                <Meter value={done} total={w.clusters.length} label={`wave ${w.name} clusters done`} />
              </div>
              <ul class="clusters">
                {w.clusters.map((c) => (
                  <ClusterBlock key={c.id} c={c} />
                ))}
              </ul>
            </li>
            {i < d.waves.length - 1 && <Soak d={d} after={w} />}
          </Fragment>
        );
      })}
    </ol>
  );
}

/** The rollout view. */
export function RolloutView({ id }: { id: string }) {
  const { data, error, refresh } = usePoll(`rollout/${id}`, (signal) =>
    api<RolloutDescription>('GET', `/rollouts/${encodeURIComponent(id)}`, { signal }),
  );
  const now = new Date();
  if (!data) {
    return (
      <>
        <h1>
          Rollout <span class="mono">{id}</span>
        </h1>
        <ErrorNote error={error} what={`rollout ${id}`} />
        {!error && <Loading what={`rollout ${id}`} />}
      </>
    );
  }
  const r = data.rollout;
  const allowed = allowedActions(r.status);
  const stopped = r.status === 'Halted' || r.status === 'Paused';
  const image = `${r.image.host}/${r.image.repository}@${r.image.digest}`;
  return (
    <>
      <div class="title-row">
        <h1>
          Rollout <span class="mono">{r.id}</span>
        </h1>
        <span class="status" data-testid="rollout-status">
          <Badge tone={rolloutTone(r.status)}>{r.status}</Badge>
        </span>
      </div>
      <ErrorNote error={error} what={`rollout ${id}`} />
      <div class="actions">
        {ACTIONS.map((a) => (
          <ConfirmButton
            key={a.action}
            label={a.label}
            title={`${a.confirm} ${r.id}?`}
            confirmLabel={a.confirm}
            danger={a.danger}
            disabled={!allowed[a.action]}
            disabledReason={`${a.label}: a ${r.status} rollout cannot be changed this way (allowed when ${a.allowedFrom})`}
            onConfirm={async () => {
              await api('POST', `/rollouts/${encodeURIComponent(r.id)}/${a.action}`);
              refresh();
            }}
          >
            <p>{a.explain(r.id)}</p>
          </ConfirmButton>
        ))}
      </div>

      <section
        aria-labelledby="blocked"
        class={`panel ${data.blocked.length === 0 ? '' : stopped ? 'stopped' : 'waiting'}`}
      >
        <h2 id="blocked">
          {data.blocked.length === 0
            ? 'Not blocked'
            : stopped
              ? 'Why it is stopped'
              : 'What it is waiting for'}
        </h2>
        {data.blocked.length > 0 ? (
          <ul class="blocked-list" data-testid="blocked">
            {data.blocked.map((b) => (
              <li key={b}>{b}</li>
            ))}
          </ul>
        ) : (
          <p class="muted">
            {r.status === 'Completed'
              ? 'Completed: every targeted pool runs the image.'
              : 'Nothing holds it: nodes move as fast as maxUnavailable and the waves allow.'}
          </p>
        )}
      </section>

      <div class="two-col">
        <section aria-labelledby="about" class="panel">
          <h2 id="about">About</h2>
          <Facts
            items={[
              [
                'Track',
                <a key="t" href={href.tracks()}>
                  {r.track}
                </a>,
              ],
              [
                'Image',
                <span key="i" class="mono break">
                  {image}
                </span>,
              ],
              ['Cause', r.cause],
              ['Started', `${clock(r.createdAt, now)} (${formatAge(r.createdAt, now)} ago)`],
              ['Pools', r.targets.pools.join(', ')],
              ['Soak between waves', `${r.strategy.soakSeconds}s`],
            ]}
          />
        </section>
        <Budgets d={data} />
      </div>

      <section aria-labelledby="waves">
        <h2 id="waves">Waves</h2>
        <Timeline d={data} />
      </section>

      <section aria-labelledby="events">
        <h2 id="events">Events</h2>
        {data.events.length === 0 ? (
          <p class="muted">No event yet.</p>
        ) : (
          <div class="table-wrap">
            <table class="list">
              <caption class="visually-hidden">Audit events, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Event</th>
                  <th scope="col">By</th>
                  <th scope="col">Message</th>
                </tr>
              </thead>
              <tbody>
                {[...data.events].reverse().map((e, i) => (
                  <tr key={`${e.time}-${i}`}>
                    <td class="nowrap">{clock(e.time, now)}</td>
                    <td>{e.kind}</td>
                    <td>{e.actor}</td>
                    <td>{e.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
