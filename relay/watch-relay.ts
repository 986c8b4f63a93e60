/**
 * The watch relay: one per cluster, in the cluster (a Deployment, see deploy/cluster/) or in-process in the
 * embedded runtime. It lists and watches Nodes and MachineConfigPools and forwards a compact
 * {@link ClusterEventMessage} for each change Strata reacts to. The messages only say *what* changed; the
 * reconcile re-reads the cluster, so a lost or duplicated message costs time, never correctness (the resync
 * tick covers clusters without a relay).
 */
import { randomUUID } from 'node:crypto';
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesObject,
  makeInformer,
} from '@kubernetes/client-node';
import { observedNode } from '../functions/core/history/observed-node.ts';
import type { ClusterEventMessage, MessageQueue } from '../functions/core/ports.ts';
import {
  decisionFingerprint,
  nodeFingerprint,
  poolFingerprint,
  type WatchedObject,
} from './node-fingerprint.ts';

/** Options of {@link startWatchRelay}. */
export interface WatchRelayOptions {
  clusterId: string;
  kubeConfig: KubeConfig;
  /** Where change notices go: the cluster-event queue (SQS, or the embedded runtime's). */
  sink: MessageQueue<ClusterEventMessage>;
  /** Watch MachineConfigPools too (clusters serving machineconfiguration.openshift.io). Default: true. */
  watchMachineConfigPools?: boolean;
  /** Delay before re-establishing a failed watch, in ms; doubles up to 30 s. Default: 500. */
  restartDelayMs?: number;
  /** Called with problems worth a log line (failed send, watch restarts). */
  onWarning?: (message: string) => void;
}

/** A running relay. */
export interface WatchRelay {
  /** Resolves once the initial lists have been forwarded. */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
}

const MCO_GROUP = 'machineconfiguration.openshift.io';

/** Starts watching one cluster and forwarding its changes. */
export function startWatchRelay(options: WatchRelayOptions): WatchRelay {
  const warn = options.onWarning ?? (() => {});
  const core = options.kubeConfig.makeApiClient(CoreV1Api);
  const custom = options.kubeConfig.makeApiClient(CustomObjectsApi);
  let stopped = false;
  // This run of the relay, sorting after earlier runs: node changes are numbered within it.
  const run = `${new Date().toISOString()}/${randomUUID().slice(0, 8)}`;

  const watchers: Array<{ ready: Promise<void>; stop(): Promise<void> }> = [
    watchKind<WatchedObject & KubernetesObject>({
      kind: 'Node',
      path: '/api/v1/nodes',
      list: () => core.listNode() as never,
      fingerprint: nodeFingerprint,
      decision: decisionFingerprint,
      withLabels: true,
    }),
  ];
  if (options.watchMachineConfigPools !== false) {
    watchers.push(
      watchKind<WatchedObject & KubernetesObject>({
        kind: 'MachineConfigPool',
        path: `/apis/${MCO_GROUP}/v1/machineconfigpools`,
        list: () =>
          custom.listClusterCustomObject({
            group: MCO_GROUP,
            version: 'v1',
            plural: 'machineconfigpools',
          }) as never,
        fingerprint: poolFingerprint,
        withLabels: false,
        optional: true,
      }),
    );
  }

  function watchKind<T extends WatchedObject & KubernetesObject>(spec: {
    kind: ClusterEventMessage['kind'];
    path: string;
    list: () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>;
    fingerprint: (o: T) => string;
    /** What of the object needs a decision (absent: every forwarded change does). */
    decision?: (o: T) => string;
    withLabels: boolean;
    /** A cluster without this API (404) is not an error: there is nothing to watch. */
    optional?: boolean;
  }) {
    const seen = new Map<string, string>();
    const decided = new Map<string, string>();
    /** Per node, how many of its changes this run forwarded (the history applies them in this order). */
    const counts = new Map<string, number>();
    const informer = makeInformer<T>(options.kubeConfig, spec.path, spec.list);
    const forward = (eventType: ClusterEventMessage['eventType'], obj: T) => {
      const name = obj.metadata?.name;
      if (!name) return;
      let decide = true;
      let n: number | undefined;
      if (eventType === 'DELETED') {
        seen.delete(name);
        decided.delete(name);
      } else {
        const fingerprint = spec.fingerprint(obj);
        if (seen.get(name) === fingerprint) return;
        seen.set(name, fingerprint);
        if (spec.decision) {
          const decision = spec.decision(obj);
          decide = eventType === 'ADDED' || decided.get(name) !== decision;
          decided.set(name, decision);
        }
        if (spec.kind === 'Node') {
          n = (counts.get(name) ?? 0) + 1;
          counts.set(name, n);
        }
      }
      const message: ClusterEventMessage = {
        clusterId: options.clusterId,
        kind: spec.kind,
        name,
        eventType,
        ...(spec.withLabels && obj.metadata?.labels ? { labels: obj.metadata.labels } : {}),
        ...(obj.metadata?.resourceVersion ? { resourceVersion: obj.metadata.resourceVersion } : {}),
        // Only the history needs a change Strata's own write caused (its echo is no new work).
        ...(decide ? {} : { decide: false }),
        // A node's facts, for its update history (functions/core/history).
        ...(spec.kind === 'Node' ? { node: observedNode(obj) } : {}),
        ...(n !== undefined ? { order: { run, n } } : {}),
        observedAt: new Date().toISOString(),
      };
      options.sink
        .send(message)
        .catch((error: unknown) => warn(`relay ${options.clusterId}: send failed: ${String(error)}`));
    };
    informer.on('add', (obj) => forward('ADDED', obj));
    informer.on('update', (obj) => forward('MODIFIED', obj));
    informer.on('delete', (obj) => forward('DELETED', obj));

    // The informer stops on any watch or list error (410 Gone included); restart it with a growing delay.
    let delay = options.restartDelayMs ?? 500;
    let timer: NodeJS.Timeout | undefined;
    let gaveUp = false;
    informer.on('connect', () => {
      delay = options.restartDelayMs ?? 500;
    });
    informer.on('error', (error: unknown) => {
      if (stopped || gaveUp) return;
      if (spec.optional && (error as { code?: number })?.code === 404) {
        gaveUp = true;
        return;
      }
      warn(
        `relay ${options.clusterId}: ${spec.kind} watch failed (${String(error)}); restarting in ${delay} ms`,
      );
      timer = setTimeout(() => {
        if (!stopped) informer.start().catch(() => {});
      }, delay);
      delay = Math.min(delay * 2, 30_000);
    });

    const ready = informer.start().catch((error: unknown) => {
      if (spec.optional && (error as { code?: number })?.code === 404) {
        gaveUp = true;
        return;
      }
      throw error;
    });
    return {
      ready,
      stop: async () => {
        clearTimeout(timer);
        await informer.stop();
      },
    };
  }

  return {
    ready: Promise.all(watchers.map((w) => w.ready)).then(() => undefined),
    stop: async () => {
      stopped = true;
      await Promise.all(watchers.map((w) => w.stop()));
    },
  };
}
