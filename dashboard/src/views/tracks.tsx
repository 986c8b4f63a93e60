/**
 * Tracks and what the update check found: each track's followed tag and strategy, its last check (digest,
 * errors), whether its image is built on a stale base, and the drift findings of every cluster.
 */
import { TRACKS } from '../../../bin/views/resources.ts';
import { api } from '../api.ts';
import { ConfirmButton } from '../components/confirm.tsx';
import { Badge, ErrorNote, Loading } from '../components/ui.tsx';
import { cells, clock, formatAge, rolloutTone } from '../format.ts';
import { usePoll } from '../live.ts';
import { href } from '../router.ts';
import type { DriftAnswer, Items, RolloutView, TrackView } from '../types.ts';

interface TracksData {
  tracks: TrackView[];
  drift: DriftAnswer;
  rollouts: RolloutView[];
}

async function loadTracks(signal: AbortSignal): Promise<TracksData> {
  const [tracks, drift, rollouts] = await Promise.all([
    api<Items<TrackView>>('GET', '/tracks', { signal }),
    api<DriftAnswer>('GET', '/drift', { signal }),
    api<Items<RolloutView>>('GET', '/rollouts', { signal }),
  ]);
  return { tracks: tracks.items, drift, rollouts: rollouts.items };
}

function CheckCell({ t, now }: { t: TrackView; now: Date }) {
  const c = t.check;
  if (!c?.lastCheckedAt) return <span class="muted">not checked yet</span>;
  return (
    <>
      <span>
        checked {formatAge(c.lastCheckedAt, now)} ago
        {c.lastDigest ? (
          <>
            {' '}
            · tag at <span class="mono">{c.lastDigest.slice(0, 19)}</span>
          </>
        ) : null}
      </span>
      {c.lastError && (
        <span class="reason">
          {' '}
          failing ({c.consecutiveFailures}×): {c.lastError}
        </span>
      )}
    </>
  );
}

function BaseCell({ t, now }: { t: TrackView; now: Date }) {
  const c = t.check;
  if (c?.baseError) return <span class="reason break">{c.baseError}</span>;
  const b = c?.base;
  if (!b) return <span class="muted">{c?.baseImage === null ? 'the image names no base' : 'unknown'}</span>;
  return b.stale ? (
    <span>
      <Badge tone="held">stale</Badge> {b.base}: {b.behind} digest(s) behind
      {b.staleSince ? `, since ${formatAge(b.staleSince, now)} ago` : ''}
    </span>
  ) : (
    <span>
      <Badge tone="ok">current</Badge> {b.base}
    </span>
  );
}

/** The tracks view. */
export function TracksView() {
  const { data, error, refresh } = usePoll('tracks', loadTracks);
  const now = new Date();
  return (
    <>
      <div class="title-row">
        <h1>Tracks</h1>
        <div class="actions">
          <ConfirmButton
            label="Run update check now"
            title="Run the update check now?"
            confirmLabel="Run check"
            onConfirm={async () => {
              await api('POST', '/checks');
              refresh();
            }}
          >
            <p>
              Every track's tag is resolved again (a moved tag starts a rollout, as a push would), bases are
              compared and every cluster is checked for drift.
            </p>
          </ConfirmButton>
        </div>
      </div>
      <ErrorNote error={error} what="tracks" />
      {!data && !error && <Loading what="tracks" />}
      {data && (
        <>
          <section aria-labelledby="tracks-list">
            <h2 id="tracks-list">Tracks and checks</h2>
            {data.tracks.length === 0 ? (
              <p class="muted">No track: strata track apply -f FILE.</p>
            ) : (
              <div class="table-wrap">
                <table class="list">
                  <caption class="visually-hidden">
                    Tracks with their last update check and base image status
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">Track</th>
                      <th scope="col">Follows</th>
                      <th scope="col">Targets</th>
                      <th scope="col">Waves</th>
                      <th scope="col">Budgets</th>
                      <th scope="col">Last rollout</th>
                      <th scope="col">Last check</th>
                      <th scope="col">Base image</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.tracks.map((t) => {
                      const row = cells(TRACKS, t, now);
                      const last = data.rollouts.find((r) => r.track === t.name);
                      return (
                        <tr key={t.name} data-track={t.name}>
                          <th scope="row">{t.name}</th>
                          <td class="mono break">{row.IMAGE}</td>
                          <td>
                            {row.CLUSTERS} · pools {row.POOLS}
                          </td>
                          <td>
                            {row.WAVES} · {row.MAXCONCURRENT} at once · soak {row.SOAK}
                          </td>
                          <td>
                            {row.BUDGETS} · {row.ONFAILURE}
                          </td>
                          <td>
                            {last ? (
                              <>
                                <a class="mono id" href={href.rollout(last.id)}>
                                  {last.id}
                                </a>{' '}
                                <Badge tone={rolloutTone(last.status)}>{last.status}</Badge>
                              </>
                            ) : (
                              '—'
                            )}
                          </td>
                          <td>
                            <CheckCell t={t} now={now} />
                          </td>
                          <td>
                            <BaseCell t={t} now={now} />
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )}
          </section>
          <section aria-labelledby="drift">
            <h2 id="drift">Drift</h2>
            {data.drift.errors.map((e) => (
              <p key={e.cluster} class="note tone-bad">
                {e.cluster}: {e.error}
              </p>
            ))}
            {data.drift.items.length === 0 ? (
              <p class="muted">
                No drift found{' '}
                {data.tracks.some((t) => t.check?.lastCheckedAt)
                  ? 'by the last checks.'
                  : 'yet (drift checks run with the update check).'}
              </p>
            ) : (
              <div class="table-wrap">
                <table class="list">
                  <caption class="visually-hidden">Drift findings of the last drift checks</caption>
                  <thead>
                    <tr>
                      <th scope="col">Pool</th>
                      <th scope="col">Kind</th>
                      <th scope="col">Subject</th>
                      <th scope="col">Expected</th>
                      <th scope="col">Actual</th>
                      <th scope="col">Cause</th>
                      <th scope="col">Since</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.drift.items.map((f) => (
                      <tr key={`${f.clusterId}/${f.pool}/${f.kind}/${f.subject}`}>
                        <th scope="row">
                          <a href={href.pool(f.clusterId, f.pool)}>{`${f.clusterId}/${f.pool}`}</a>
                        </th>
                        <td>{f.kind}</td>
                        <td class="mono break">{f.subject}</td>
                        <td class="mono break">{f.expected ?? '—'}</td>
                        <td class="mono break">{f.actual ?? '—'}</td>
                        <td>{f.cause}</td>
                        <td class="nowrap">{clock(f.since, now)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      )}
    </>
  );
}
