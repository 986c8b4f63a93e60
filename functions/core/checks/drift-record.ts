/**
 * What the drift check keeps per cluster: the findings of its last successful check, each with the time it
 * was first seen, and the last error. A finding found again keeps its `since`; a corrected one disappears;
 * a check that could not read the cluster keeps the previous findings and records why.
 */
import type { DriftFinding } from './drift.ts';

/** A finding as stored: with the time it was first seen. */
export interface StoredDriftFinding extends DriftFinding {
  since: string;
}

/** The drift findings of one cluster, as the last drift check left them. */
export interface ClusterDrift {
  clusterId: string;
  /** When the last drift check ran (successfully or not). */
  checkedAt: string;
  /** The findings of the last successful check. */
  findings: StoredDriftFinding[];
  /** Why the last check could not read the cluster (its findings are then the previous ones); or null. */
  error: string | null;
  version: number;
}

function findingKey(f: DriftFinding): string {
  return `${f.pool}|${f.kind}|${f.subject}|${f.actual}`;
}

/** The cluster's drift after a check that found `findings` (or failed with an error). */
export function nextDrift(
  previous: ClusterDrift | null,
  clusterId: string,
  findings: DriftFinding[] | { error: string },
  checkedAt: string,
): ClusterDrift {
  const since = new Map((previous?.findings ?? []).map((f) => [findingKey(f), f.since]));
  return {
    clusterId,
    checkedAt,
    findings: Array.isArray(findings)
      ? findings.map((f) => ({ ...f, since: since.get(findingKey(f)) ?? checkedAt }))
      : (previous?.findings ?? []),
    error: Array.isArray(findings) ? null : findings.error,
    version: previous?.version ?? 0,
  };
}

/** What one drift check found. */
export type DriftCheckOutcome =
  | { outcome: 'drift'; clusterId: string; findings: number }
  | { outcome: 'drift-failed'; clusterId: string; error: string };
