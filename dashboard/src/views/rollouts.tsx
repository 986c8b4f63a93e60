/** Every rollout, newest first, as `strata get rollouts -o wide` lists them. */
import { api } from '../api.ts';
import { Badge, ErrorNote, Loading, Meter } from '../components/ui.tsx';
import { formatAge, rolloutTone, shortImage } from '../format.ts';
import { usePoll } from '../live.ts';
import { href } from '../router.ts';
import type { Items, RolloutView } from '../types.ts';
import { rolloutProgress } from './rollout-card.tsx';

/** The rollouts list. */
export function RolloutsView() {
  const { data, error } = usePoll('rollouts', (signal) =>
    api<Items<RolloutView>>('GET', '/rollouts', { signal }),
  );
  const now = new Date();
  return (
    <>
      <h1>Rollouts</h1>
      <ErrorNote error={error} what="rollouts" />
      {!data && !error && <Loading what="rollouts" />}
      {data && data.items.length === 0 && (
        <p class="muted">No rollout yet: publish an image that a track follows.</p>
      )}
      {data && data.items.length > 0 && (
        <div class="table-wrap">
          <table class="list">
            <caption class="visually-hidden">Rollouts, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Rollout</th>
                <th scope="col">Track</th>
                <th scope="col">Status</th>
                <th scope="col">Wave</th>
                <th scope="col">Clusters done</th>
                <th scope="col">Image</th>
                <th scope="col">Cause</th>
                <th scope="col">Age</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((r) => {
                const p = rolloutProgress(r);
                return (
                  <tr key={r.id} data-rollout={r.id}>
                    <th scope="row">
                      <a class="mono id" href={href.rollout(r.id)}>
                        {r.id}
                      </a>
                    </th>
                    <td>{r.track}</td>
                    <td>
                      <Badge tone={rolloutTone(r.status)}>{r.status}</Badge>
                    </td>
                    <td>{p.waves > 0 ? `${p.wave}/${p.waves} ${p.waveName ?? ''}` : '—'}</td>
                    <td>
                      <Meter value={p.done} total={p.total} label={`clusters done in ${r.id}`} />
                    </td>
                    <td class="mono">
                      {shortImage(`${r.image.host}/${r.image.repository}@${r.image.digest}`)}
                    </td>
                    <td>{r.cause}</td>
                    <td>{formatAge(r.createdAt, now)}</td>
                    <td class="reason">{r.progress?.failureReason ?? ''}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
