/** Small building blocks shared by the views. */
import type { ComponentChildren } from 'preact';
import type { Tone } from '../format.ts';

/** A state word in its colour family. */
export function Badge({ tone, children }: { tone: Tone; children: ComponentChildren }) {
  return <span class={`badge tone-${tone}`}>{children}</span>;
}

/** A labelled progress bar with its figures as text. */
export function Meter({
  value,
  total,
  label,
  tone = 'active',
  decorative = false,
}: {
  value: number;
  total: number;
  label: string;
  tone?: Tone;
  /** The figures are written next to it already (inside a link, say): hidden from assistive technology. */
  decorative?: boolean;
}) {
  const pct = total > 0 ? Math.min(100, Math.round((value / total) * 100)) : 0;
  const fill = (
    <span
      class={`meter-fill tone-${value >= total && total > 0 ? 'ok' : tone}`}
      style={{ width: `${pct}%` }}
    />
  );
  return (
    <span class="meter-row">
      {decorative ? (
        <span class="meter" aria-hidden="true">
          {fill}
        </span>
      ) : (
        <span
          class="meter"
          role="progressbar"
          aria-label={label}
          aria-valuemin={0}
          aria-valuemax={total}
          aria-valuenow={value}
          aria-valuetext={`${value} of ${total}`}
        >
          {fill}
        </span>
      )}
      <span class="meter-text" aria-hidden={decorative ? true : undefined}>
        {value}/{total}
      </span>
    </span>
  );
}

/** An error of the last poll; the last good data stays shown below it. */
export function ErrorNote({ error, what }: { error: Error | undefined; what: string }) {
  if (!error) return null;
  return (
    <p class="note tone-bad" role="alert">
      Could not load {what}: {error.message}
    </p>
  );
}

/** Shown until the first answer. */
export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" aria-busy="true">
      Loading {what}…
    </p>
  );
}

/** A definition list of facts. */
export function Facts({ items }: { items: [string, ComponentChildren][] }) {
  return (
    <dl class="facts">
      {items.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
