/** A rollout in one line: status, wave, clusters done; used by the fleet view and the rollouts list. */
import { Badge, Meter } from '../components/ui.tsx';
import { formatAge, rolloutTone } from '../format.ts';
import { href } from '../router.ts';
import type { RolloutView } from '../types.ts';

/** Wave `n/N name` and clusters done of total, as `strata get rollouts` counts them. */
export function rolloutProgress(r: RolloutView) {
  const p = r.progress;
  const total = p ? p.waves.reduce((n, w) => n + w.clusters.length, 0) : 0;
  const wave = p && p.waves.length > 0 ? Math.min(p.wave + 1, p.waves.length) : 0;
  return {
    wave,
    waves: p?.waves.length ?? 0,
    waveName: p?.waves[p.wave]?.name ?? null,
    done: p?.completed.length ?? 0,
    total,
  };
}

/** A summary card linking to the rollout. */
export function RolloutCard({ rollout, now }: { rollout: RolloutView; now: Date }) {
  const p = rolloutProgress(rollout);
  return (
    <article class="card rollout-card" aria-label={`rollout ${rollout.id}`}>
      <header>
        <a href={href.rollout(rollout.id)} class="mono">
          {rollout.id}
        </a>
        <Badge tone={rolloutTone(rollout.status)}>{rollout.status}</Badge>
      </header>
      <p class="muted">
        track {rollout.track} · {rollout.cause} · {formatAge(rollout.createdAt, now)} ago
      </p>
      <p>
        {p.waves > 0 ? (
          <>
            wave {p.wave}/{p.waves} <strong>{p.waveName}</strong>
          </>
        ) : (
          'planning'
        )}
      </p>
      <Meter value={p.done} total={p.total} label={`clusters done in rollout ${rollout.id}`} />
      {rollout.progress?.failureReason && <p class="reason">{rollout.progress.failureReason}</p>}
    </article>
  );
}
