/**
 * `strata check [TRACK] [--wait]`: runs the update check now through the admin API of a running Strata
 * (one track, or every track and cluster), as the schedule would. With `--wait`, waits until each track
 * was checked and prints what the check found; a track whose check failed (its tag or its base could not
 * be resolved) is reported on stderr and the command exits 1.
 */
import { CliError, EXIT_USAGE } from '../cli-error.ts';
import { type AdminClient, type ConnectionOptions, clientFor } from '../client/index.ts';
import type { TrackItem } from '../views/resources.ts';

interface CheckStarted {
  cycle: string;
  tracks: string[];
  clusters: string[];
}

interface CheckOptions extends ConnectionOptions {
  wait?: boolean;
  timeout?: string;
}

/** Polls the tracks until each named one has a check at or after `since`. */
async function waitForChecks(
  client: AdminClient,
  names: string[],
  since: string,
  timeoutMs: number,
): Promise<TrackItem[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { items } = await client.get<{ items: TrackItem[] }>('/tracks');
    const done = items.filter((t) => names.includes(t.name) && (t.check?.lastCheckedAt ?? '') >= since);
    if (done.length === names.length) return done;
    if (Date.now() > deadline) {
      const missing = names.filter((n) => !done.some((t) => t.name === n));
      throw new CliError(`check: not finished within ${timeoutMs / 1000}s: ${missing.join(', ')}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** What the check of one track found; `failed` when it could not resolve the tag or the base. */
function summary(t: TrackItem): { line: string; failed: boolean } {
  const c = t.check;
  if (!c) return { line: `${t.name}: not checked`, failed: true };
  if (c.lastError) return { line: `${t.name}: ${c.lastError}`, failed: true };
  if (c.baseError) return { line: `${t.name}: ${c.lastDigest}; base: ${c.baseError}`, failed: true };
  const base = c.base
    ? c.base.stale
      ? `, base ${c.base.base} moved (${c.base.behind} behind, now ${c.base.latestDigest})`
      : `, base ${c.base.base} current`
    : '';
  return { line: `${t.name}: ${c.lastDigest}${base}`, failed: false };
}

/** `strata check [TRACK] [--wait]`. */
export async function check(track: string | undefined, options: CheckOptions): Promise<void> {
  const timeout = Number(options.timeout);
  if (!(Number.isFinite(timeout) && timeout > 0)) {
    throw new CliError(`--timeout ${options.timeout}: expected a positive number of seconds`, EXIT_USAGE);
  }
  const client = clientFor(options);
  const since = new Date().toISOString();
  const out = await client.post<CheckStarted>('/checks', track !== undefined ? { track } : {});
  process.stdout.write(
    `check ${out.cycle}: ${out.tracks.length} track(s)${out.clusters.length ? `, drift of ${out.clusters.length} cluster(s)` : ''} queued\n`,
  );
  if (!options.wait) return;
  let failed = 0;
  for (const t of await waitForChecks(client, out.tracks, since, timeout * 1000)) {
    const s = summary(t);
    if (s.failed) failed++;
    if (s.failed) process.stderr.write(`strata: check failed: ${s.line}\n`);
    else process.stdout.write(`${s.line}\n`);
  }
  if (failed > 0) process.exitCode = 1;
}
