/**
 * Fault injection, deterministic from the scenario seed: which nodes fail their update, refuse it or do
 * not boot the new image; API errors, timeouts and latency; watch disconnects; nodes going NotReady on
 * their own; nodes added and removed. Faults from the scenario can be extended at run time
 * (`fleet.injectFault`).
 */
import type { RequestFault } from './api-server.ts';
import { derivePrng, type Prng } from './prng.ts';
import type { NodeFaultTarget, ScenarioFaults } from './scenario.ts';
import { StatusError } from './status.ts';

/** Faults a node update can meet, decided when the update starts. */
export interface UpdateFaults {
  unreconcilable: boolean;
  updateFailure: boolean;
  imageNoBoot: boolean;
}

/** The fleet's faults: the scenario's, plus any injected since. */
export class FaultPlan {
  faults: ScenarioFaults;
  private readonly seed: number | string;
  private readonly apiPrngs = new Map<string, Prng>();

  constructor(faults: ScenarioFaults, seed: number | string) {
    this.faults = structuredClone(faults);
    this.seed = seed;
  }

  /** Adds faults: lists are appended, single settings replaced. */
  inject(extra: Partial<ScenarioFaults>): void {
    const f = this.faults;
    if (extra.updateFailure) f.updateFailure = extra.updateFailure;
    if (extra.unreconcilable) f.unreconcilable = extra.unreconcilable;
    if (extra.imageNoBoot) f.imageNoBoot = extra.imageNoBoot;
    if (extra.api) f.api = extra.api;
    if (extra.watchDisconnect) f.watchDisconnect = extra.watchDisconnect;
    if (extra.pdbBlock) f.pdbBlock = [...f.pdbBlock, ...extra.pdbBlock];
    if (extra.nodeNotReady) f.nodeNotReady = [...f.nodeNotReady, ...extra.nodeNotReady];
    if (extra.nodeChanges) f.nodeChanges = [...f.nodeChanges, ...extra.nodeChanges];
  }

  /** Draws the faults of one update attempt of one node (its own generator: order-independent). */
  updateFaults(cluster: string, node: string, attempt: number): UpdateFaults {
    const prng = derivePrng(this.seed, cluster, node, 'update', String(attempt));
    const hits = (target: NodeFaultTarget | undefined): boolean => {
      const draw = prng.next();
      if (!target) return false;
      if (target.clusters && !target.clusters.includes(cluster)) return false;
      return target.nodes.includes(node) || draw < target.probability;
    };
    return {
      unreconcilable: hits(this.faults.unreconcilable),
      updateFailure: hits(this.faults.updateFailure),
      imageNoBoot: hits(this.faults.imageNoBoot),
    };
  }

  /** Decides what happens to one API request to `cluster` (discovery is never faulted). */
  requestFault(cluster: string): RequestFault {
    const api = this.faults.api;
    if (!api || (api.clusters && !api.clusters.includes(cluster))) return { kind: 'none' };
    let prng = this.apiPrngs.get(cluster);
    if (!prng) {
      prng = derivePrng(this.seed, cluster, 'api');
      this.apiPrngs.set(cluster, prng);
    }
    const [min, max] = api.latencyMs;
    const delay = max > 0 ? min + prng.next() * (max - min) : 0;
    if (prng.chance(api.errorRate)) {
      const kind = prng.pick(api.errors);
      if (kind === 'timeout') return { kind: 'timeout', ms: api.timeoutMs };
      if (kind === '429')
        return {
          kind: 'status',
          delayMs: delay,
          error: new StatusError(
            429,
            'TooManyRequests',
            'Too many requests, please try again later.',
            { retryAfterSeconds: api.retryAfterSeconds },
            { 'Retry-After': String(api.retryAfterSeconds) },
          ),
        };
      return {
        kind: 'status',
        delayMs: delay,
        error: new StatusError(
          500,
          'InternalError',
          'Internal error occurred: injected fault (simulated etcd timeout)',
        ),
      };
    }
    return delay > 0 ? { kind: 'delay', ms: delay } : { kind: 'none' };
  }

  /** A generator for the fleet's own random choices about a cluster (e.g. which node goes NotReady). */
  prng(cluster: string, purpose: string): Prng {
    return derivePrng(this.seed, cluster, purpose);
  }
}
