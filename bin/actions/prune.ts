/**
 * `strata prune`: asks `POST /v1/prune` to delete old builds' images (or, `--dry-run`, to list them) and
 * prints one line per build. A build whose image could not be deleted makes the command exit 1.
 */
import type { PruneReport } from '../../functions/adapters/builder/prune.ts';
import { CliError, EXIT_USAGE } from '../cli-error.ts';
import { type ConnectionOptions, clientFor } from '../client/index.ts';
import type { OutputFormat } from '../commands/options.ts';
import { renderData } from '../views/output.ts';

/** `--keep`: a whole number of revisions, at least 1. */
function keepOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 100)
    throw new CliError(`--keep: "${value}" is not a number of revisions from 1 to 100`, EXIT_USAGE);
  return n;
}

/** The report as text. */
export function formatPrune(report: PruneReport): string {
  const verb = report.dryRun ? 'would prune' : 'pruned';
  const lines = report.builds.map((b) => {
    const what = b.tag ? `${b.tag} (${b.image})` : 'no image (nothing was pushed)';
    if (b.outcome === 'failed') return `FAILED ${b.id}: ${what}: ${b.error}`;
    return `${verb} ${b.id}: ${what}`;
  });
  const done = report.builds.length - report.failed;
  lines.push(
    `${report.dryRun ? 'Dry run: ' : ''}${done} build(s) ${verb}, ${report.failed} failed; kept the newest ${report.keep} revision(s) per track and every image a pool uses`,
  );
  return lines.join('\n');
}

/** `strata prune`. */
export async function prune(
  options: ConnectionOptions & { dryRun?: boolean; keep?: string; track?: string; output: OutputFormat },
): Promise<void> {
  const keep = keepOf(options.keep);
  const report = await clientFor(options).post<PruneReport>('/prune', {
    ...(options.dryRun ? { dryRun: true } : {}),
    ...(keep !== undefined ? { keep } : {}),
    ...(options.track ? { track: options.track } : {}),
  });
  const format = options.output;
  process.stdout.write(
    `${format === 'json' || format === 'yaml' ? await renderData(format, report) : formatPrune(report)}\n`,
  );
  if (report.failed > 0) process.exitCode = 1;
}
