/**
 * The simulator's shared node port: one client-node informer per cluster (list, then watch every Node)
 * dispatches each node's changes to that node's agent, instead of one watch per agent. Reads and
 * conditional patches still go to the API server through client-node ({@link KubeNodePort} over one
 * connection pool shared by the cluster's agents), so an agent's writes are exactly the DaemonSet's; only
 * the watch is shared. For simulated fleets of thousands of nodes, where a watch connection per agent (two
 * TLS handshakes each, and a selector test per watcher for every node event on the server) dominates;
 * the DaemonSet, and small simulated fleets, keep the agent's own watch (docs/agent.md).
 */
import {
  CoreV1Api,
  type Informer,
  type KubeConfig,
  makeInformer,
  type ObjectCache,
  type V1Node,
} from '@kubernetes/client-node';
import { KubeNodePort, PooledKubeConfig, snapshotOf } from '../agent/node/kube.ts';
import type { NodePort, NodeSnapshot, NodeWatch } from '../agent/node/port.ts';
import type { AnnotationPatch } from '../agent/protocol.ts';

export interface SharedNodeInformerOptions {
  /** First delay before restarting the informer after an error (real ms, doubling up to 30 s; default 200). */
  restartDelayMs?: number;
  /** Hears about informer errors and restarts (informational). */
  onProblem?: (message: string) => void;
}

interface Subscriber {
  onChange: (node: NodeSnapshot) => void;
  onProblem: (message: string) => void;
}

/** One informer over a cluster's Nodes, and a {@link NodePort} per node on top of it. */
export class SharedNodeInformer {
  private readonly pool: PooledKubeConfig;
  private readonly informer: Informer<V1Node> & ObjectCache<V1Node>;
  private readonly subscribers = new Map<string, Set<Subscriber>>();
  private readonly firstDelayMs: number;
  private readonly onProblem: (message: string) => void;
  private delayMs: number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(kubeConfig: KubeConfig, options: SharedNodeInformerOptions = {}) {
    this.pool = PooledKubeConfig.from(kubeConfig);
    const core = this.pool.makeApiClient(CoreV1Api);
    this.informer = makeInformer<V1Node>(this.pool, '/api/v1/nodes', () => core.listNode());
    this.firstDelayMs = options.restartDelayMs ?? 200;
    this.delayMs = this.firstDelayMs;
    this.onProblem = options.onProblem ?? (() => {});
    const dispatch = (node: V1Node) => {
      const subscribers = this.subscribers.get(node.metadata?.name ?? '');
      if (!subscribers) return;
      const snapshot = snapshotOf(node);
      for (const s of subscribers) s.onChange(snapshot);
    };
    this.informer.on('add', dispatch);
    this.informer.on('update', dispatch);
    this.informer.on('delete', (node) => {
      const name = node.metadata?.name ?? '';
      for (const s of this.subscribers.get(name) ?? []) s.onProblem(`node "${name}" was deleted`);
    });
    this.informer.on('connect', () => {
      this.delayMs = this.firstDelayMs;
    });
    // client-node's informer stops on any list or watch error other than 410 Gone: start it again, as
    // the watch relay does, with a growing delay.
    this.informer.on('error', (error: unknown) => {
      if (this.stopped) return;
      this.onProblem(`node informer failed (${String(error)}); restarting in ${this.delayMs} ms`);
      this.timer = setTimeout(() => {
        if (!this.stopped) this.informer.start().catch(() => {});
      }, this.delayMs);
      this.delayMs = Math.min(this.delayMs * 2, 30_000);
    });
  }

  /** Lists the nodes and starts watching; resolves once the first list is in. */
  async start(): Promise<void> {
    await this.informer.start();
  }

  /** The node port of one node: its own reads and patches, changes from the shared watch. */
  port(name: string): NodePort {
    const direct = new KubeNodePort(this.pool, name);
    return {
      name,
      get: () => direct.get(),
      patchAnnotations: (patch: AnnotationPatch, resourceVersion: string) =>
        direct.patchAnnotations(patch, resourceVersion),
      watch: (onChange, onProblem = () => {}) => this.subscribe(name, { onChange, onProblem }),
      close: () => direct.close(),
    };
  }

  /** Stops the informer and closes the shared connection pool. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.informer.stop();
    await this.pool.close();
  }

  private subscribe(name: string, subscriber: Subscriber): NodeWatch {
    const set = this.subscribers.get(name) ?? new Set<Subscriber>();
    this.subscribers.set(name, set);
    set.add(subscriber);
    // As a watch does: the node now, then its changes (asynchronously, never inside the caller).
    const cached = this.informer.get(name);
    if (cached)
      queueMicrotask(() => {
        if (set.has(subscriber)) subscriber.onChange(snapshotOf(cached));
      });
    return {
      stop: () => {
        set.delete(subscriber);
        if (set.size === 0 && this.subscribers.get(name) === set) this.subscribers.delete(name);
      },
    };
  }
}
