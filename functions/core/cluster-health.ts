/**
 * Cluster health, pure: what a probe of a cluster's API found (nodes, how many each pool selects, whether
 * it serves machineconfiguration.openshift.io and which MachineConfigPools it has), why a probe failed in
 * one word (refused, TLS, 401/403, timeout, …), and the health record kept per cluster (reachable, last
 * contact, the cause of the last error). The probe itself is a port (adapters/cluster/probe.ts).
 */
import type { ClusterRecord, ClusterRegistration } from './clusters.ts';

/** Why a cluster's API could not be used. */
export type HealthCause =
  | 'refused'
  | 'dns'
  | 'tls'
  | 'unauthorized'
  | 'forbidden'
  | 'timeout'
  | 'credentials'
  | 'error';

/** What a successful probe found. */
export interface ClusterFound {
  nodes: number;
  /** Nodes each requested pool's node selector selects. */
  poolNodes: Record<string, number>;
  servesMachineConfigs: boolean;
  /** The cluster's MachineConfigPools (empty without MCO). */
  machineConfigPools: string[];
}

/** A probe's outcome. */
export type ProbeResult =
  | ({ reachable: true } & ClusterFound)
  | { reachable: false; cause: HealthCause; error: string };

/** Probes a cluster's API: reachability, authentication, API groups, nodes. */
export interface ClusterProbe {
  /** `token`: a bearer token not stored yet (a registration being verified). Never throws. */
  probe(cluster: ClusterRegistration | ClusterRecord, token?: string): Promise<ProbeResult>;
}

/** A failure as the probe saw it: the error's message, its HTTP status, its (or its cause's) code. */
export interface ProbeFailure {
  message: string;
  status?: number | undefined;
  code?: string | undefined;
}

const TLS_CODES =
  /^(CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_TLS|ERR_SSL|EPROTO$|HOSTNAME_MISMATCH|ERR_TLS_CERT_ALTNAME)/;

/** The cause of a failed probe, from the HTTP status or the network error's code. */
export function healthCause(f: ProbeFailure): HealthCause {
  if (f.status === 401) return 'unauthorized';
  if (f.status === 403) return 'forbidden';
  const code = f.code ?? '';
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EHOSTUNREACH') return 'refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns';
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'TIMEOUT') return 'timeout';
  if (TLS_CODES.test(code) || /certificate|self[- ]signed|TLS|SSL/i.test(f.message)) return 'tls';
  if (code === 'CREDENTIALS') return 'credentials';
  return 'error';
}

/** What an operator reads for each cause. */
const CAUSE_TEXT: Record<HealthCause, string> = {
  refused: 'connection refused',
  dns: 'host name not found',
  tls: 'TLS failed (CA or certificate)',
  unauthorized: '401 Unauthorized (token rejected)',
  forbidden: '403 Forbidden (the identity may not list nodes)',
  timeout: 'timed out',
  credentials: 'credentials unavailable',
  error: 'error',
};

/** `connection refused: connect ECONNREFUSED 127.0.0.1:6443`. */
export function describeFailure(r: { cause: HealthCause; error: string }): string {
  return `${CAUSE_TEXT[r.cause]}: ${r.error}`;
}

/** What `cluster add` says it found. */
export function describeFound(f: ClusterFound): string {
  const pools = Object.entries(f.poolNodes).map(([p, n]) => `${p} (${n} node${n === 1 ? '' : 's'})`);
  const mco = f.servesMachineConfigs
    ? `serves machineconfiguration.openshift.io (MachineConfigPools: ${f.machineConfigPools.join(', ') || 'none'})`
    : 'does not serve machineconfiguration.openshift.io';
  return `${f.nodes} nodes; pools ${pools.join(', ')}; ${mco}`;
}

/** A cluster's health as kept and listed. */
export interface ClusterHealth {
  clusterId: string;
  reachable: boolean;
  /** Last time a probe succeeded (null: never). */
  lastContact: string | null;
  checkedAt: string;
  cause: HealthCause | null;
  /** The last error, as {@link describeFailure} words it (null when reachable). */
  error: string | null;
}

/** The health after a probe at `at`, keeping the last contact of a failing cluster. */
export function nextHealth(
  previous: ClusterHealth | null,
  clusterId: string,
  result: ProbeResult,
  at: string,
): ClusterHealth {
  if (result.reachable)
    return { clusterId, reachable: true, lastContact: at, checkedAt: at, cause: null, error: null };
  return {
    clusterId,
    reachable: false,
    lastContact: previous?.lastContact ?? null,
    checkedAt: at,
    cause: result.cause,
    error: describeFailure(result),
  };
}

/** Health older than this is probed again when clusters are listed. */
export const HEALTH_FRESH_SECONDS = 10;

/** Whether a recorded health is recent enough to be shown without a new probe. */
export function isFresh(health: ClusterHealth | null, now: Date): boolean {
  return health !== null && now.getTime() - Date.parse(health.checkedAt) < HEALTH_FRESH_SECONDS * 1000;
}
