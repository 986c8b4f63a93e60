/**
 * What a failed host command means for the node's Degraded reason: registry authentication, a pull, a
 * missing tool, or something else, with the tail of the command's stderr (what an operator needs first).
 */
import type { HostCommandError, HostFailureKind } from './port.ts';

/** containers/image and registry wording for a refused login or a missing/invalid credential. */
const AUTH = [
  /unauthori[sz]ed/i,
  /authentication required/i,
  /requested access to the resource is denied/i,
  /\bdenied:/i,
  /invalid username\/password/i,
  /no basic auth credentials/i,
  /\b401\b/,
  /\b403 forbidden\b/i,
];

/** Wording of a failed download: unknown manifest, unreachable registry, TLS, a failed layer fetch. */
const PULL = [
  /manifest unknown/i,
  /not found/i,
  /pinging container registry/i,
  /reading manifest/i,
  /reading blob/i,
  /fetching/i,
  /pulling/i,
  /no such host/i,
  /connection refused/i,
  /i\/o timeout/i,
  /tls|x509/i,
  /registry/i,
];

/** Classifies a failed command: exit 127 is a missing executable (nsenter's and the shells' convention). */
export function classifyFailure(stderr: string, exitCode: number | null): HostFailureKind {
  if (exitCode === 127) return 'missing';
  if (AUTH.some((re) => re.test(stderr))) return 'auth';
  if (PULL.some((re) => re.test(stderr))) return 'pull';
  return 'command';
}

/** The last non-empty lines of a command's stderr, joined with " | ", at most `max` characters. */
export function stderrTail(stderr: string, lines = 3, max = 400): string {
  const tail = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .slice(-lines)
    .join(' | ');
  return tail.length > max ? `…${tail.slice(-max)}` : tail;
}

/** The Degraded reason for a failed staging command. */
export function stagingFailureReason(error: HostCommandError): string {
  const detail = error.stderrTail || error.message;
  switch (error.kind) {
    case 'auth':
      return `registry auth failed: ${detail}`;
    case 'pull':
      return `pull failed: ${detail}`;
    case 'missing':
      return `host tool missing: ${detail}`;
    default:
      return `staging failed: ${detail}`;
  }
}
