/** Why a cluster's API could not be used, in one word, and the health kept across probes. */
import { describe, expect, it } from 'vitest';
import { probeFailure } from '../../functions/adapters/cluster/probe.ts';
import { describeFailure, healthCause, isFresh, nextHealth } from '../../functions/core/cluster-health.ts';

describe('cluster health', () => {
  it('names the cause from the HTTP status or the network error along the cause chain', () => {
    const fetchFailed = (code: string, message: string) =>
      Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(message), { code }) });
    const cases: [unknown, string][] = [
      [fetchFailed('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:6443'), 'refused'],
      [fetchFailed('ENOTFOUND', 'getaddrinfo ENOTFOUND api.lab'), 'dns'],
      [fetchFailed('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'), 'tls'],
      [fetchFailed('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'), 'tls'],
      [fetchFailed('UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error'), 'timeout'],
      [Object.assign(new Error('HTTP-Code: 401'), { code: 401 }), 'unauthorized'],
      [Object.assign(new Error('HTTP-Code: 403'), { code: 403 }), 'forbidden'],
      // The cluster port's wrapper keeps the client's error as its cause.
      [
        Object.assign(new Error('lab: list nodes: fetch failed'), {
          status: undefined,
          cause: fetchFailed('ECONNREFUSED', 'connect ECONNREFUSED x'),
        }),
        'refused',
      ],
      [new Error('something else'), 'error'],
    ];
    expect(cases.map(([e]) => healthCause(probeFailure(e)))).toEqual(cases.map(([, cause]) => cause));
    expect(describeFailure({ cause: 'refused', error: 'connect ECONNREFUSED 10.0.0.1:6443' })).toBe(
      'connection refused: connect ECONNREFUSED 10.0.0.1:6443',
    );
  });

  it('keeps the last contact of a cluster that stopped answering, and probes again after 10 s', () => {
    const ok = nextHealth(
      null,
      'lab',
      { reachable: true, nodes: 3, poolNodes: {}, servesMachineConfigs: false, machineConfigPools: [] },
      '2026-01-01T00:00:00.000Z',
    );
    const down = nextHealth(
      ok,
      'lab',
      { reachable: false, cause: 'timeout', error: 'no answer within 5s' },
      '2026-01-01T00:01:00.000Z',
    );
    expect(down).toEqual({
      clusterId: 'lab',
      reachable: false,
      lastContact: '2026-01-01T00:00:00.000Z',
      checkedAt: '2026-01-01T00:01:00.000Z',
      cause: 'timeout',
      error: 'timed out: no answer within 5s',
    });
    expect(isFresh(down, new Date('2026-01-01T00:01:09.000Z'))).toBe(true);
    expect(isFresh(down, new Date('2026-01-01T00:01:10.000Z'))).toBe(false);
    expect(isFresh(null, new Date())).toBe(false);
  });
});
