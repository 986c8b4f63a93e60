/**
 * Fault injection, deterministic from the scenario seed: which nodes fail their update, refuse it or do
 * not boot the new image (on Strata agent nodes: what their simulated host does wrong when staging);
 * API errors, timeouts and latency; watch disconnects; nodes going NotReady on their own; nodes added and
 * removed. Faults from the scenario can be extended at run time (`fleet.injectFault`).
 */
import type { RequestFault } from './api-server.ts';
import type { SimHostFaults } from './host.ts';
import { derivePrng, type Prng } from './prng.ts';
import type { NodeFaultTarget, ScenarioFaults } from './scenario.ts';
import { StatusError } from './status.ts';

/** Faults a node update can meet, decided when the update starts. */
export interface UpdateFaults {
  unreconcilable: boolean;
  updateFailure: boolean;
  imageNoBoot: boolean;
}

/** Which nodes a fault hits: `clusters` (default all), named `nodes` always, any other with `probability`. */
export interface FaultRule {
  clusters?: readonly string[];
  nodes?: readonly string[];
  probability?: number;
}

/** Whether a rule hits a node, given this attempt's draw (drawn whether or not the rule exists: stable). */
export function ruleHits(rule: FaultRule | undefined, cluster: string, node: string, draw: number): boolean {
  if (!rule) return false;
  if (rule.clusters && !rule.clusters.includes(cluster)) return false;
  return (rule.nodes?.includes(node) ?? false) || draw < (rule.probability ?? 0);
}

/** Host faults of a staging attempt, drawn from rules named as {@link SimHostFaults}' fields. */
export function drawHostFaults(
  rules: Partial<Record<keyof SimHostFaults, FaultRule>>,
  prng: Prng,
  cluster: string,
  node: string,
): SimHostFaults {
  // One draw per kind, in a fixed order, so that adding a rule does not shift the other kinds' draws.
  const hit = (kind: keyof SimHostFaults) => ruleHits(rules[kind], cluster, node, prng.next());
  return {
    pullFailure: hit('pullFailure'),
    authFailure: hit('authFailure'),
    stagingHang: hit('stagingHang'),
    wrongDigest: hit('wrongDigest'),
    stagingFailure: hit('stagingFailure'),
  };
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
    if (extra.pullFailure) f.pullFailure = extra.pullFailure;
    if (extra.authFailure) f.authFailure = extra.authFailure;
    if (extra.stagingHang) f.stagingHang = extra.stagingHang;
    if (extra.api) f.api = extra.api;
    if (extra.watchDisconnect) f.watchDisconnect = extra.watchDisconnect;
    if (extra.pdbBlock) f.pdbBlock = [...f.pdbBlock, ...extra.pdbBlock];
    if (extra.nodeNotReady) f.nodeNotReady = [...f.nodeNotReady, ...extra.nodeNotReady];
    if (extra.nodeChanges) f.nodeChanges = [...f.nodeChanges, ...extra.nodeChanges];
  }

  /** Draws the faults of one update attempt of one node (its own generator: order-independent). */
  updateFaults(cluster: string, node: string, attempt: number): UpdateFaults {
    const prng = derivePrng(this.seed, cluster, node, 'update', String(attempt));
    const hits = (target: NodeFaultTarget | undefined) => ruleHits(target, cluster, node, prng.next());
    return {
      unreconcilable: hits(this.faults.unreconcilable),
      updateFailure: hits(this.faults.updateFailure),
      imageNoBoot: hits(this.faults.imageNoBoot),
    };
  }

  /**
   * Draws what a Strata agent node's simulated host does wrong in one staging attempt (attempts count per
   * host from 1): the scenario's agent faults, `imageNoBoot` as a deployment that does not boot and
   * `updateFailure` as a staging that fails after the download. `unreconcilable` has no agent meaning.
   */
  hostFaults(cluster: string, node: string, image: string, attempt: number): SimHostFaults {
    const f = this.faults;
    const prng = derivePrng(this.seed, cluster, node, 'host', image, String(attempt));
    return drawHostFaults(
      {
        pullFailure: f.pullFailure,
        authFailure: f.authFailure,
        stagingHang: f.stagingHang,
        wrongDigest: f.imageNoBoot,
        stagingFailure: f.updateFailure,
      },
      prng,
      cluster,
      node,
    );
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
      if (kind === 'lost-answer') return { kind: 'lost-answer' };
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
