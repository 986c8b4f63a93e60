/** Ages as kubectl prints them (`45s`, `12m`, `3h`, `5d`). */

/** The age of `since` at `now`, kubectl style; `-` when `since` is missing or unparsable. */
export function formatAge(since: string | null | undefined, now: Date): string {
  if (!since) return '-';
  const start = Date.parse(since);
  if (Number.isNaN(start)) return '-';
  const seconds = Math.max(0, Math.floor((now.getTime() - start) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}
