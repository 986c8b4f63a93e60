/**
 * The node port over `@kubernetes/client-node`: get, watch (fieldSelector on the node's name, with
 * bookmarks, resuming from the last resourceVersion, relisting after 410 Gone) and merge-patch of the
 * agent's own Node, all through one connection pool.
 */
import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Node,
  Watch,
} from '@kubernetes/client-node';
import type { AnnotationPatch } from '../protocol.ts';
import { NodeConflictError, type NodePort, type NodeSnapshot, type NodeWatch } from './port.ts';

type RequestContext = Parameters<KubeConfig['applySecurityAuthentication']>[0];
type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

/**
 * A KubeConfig whose requests share one connection pool. client-node 2.0 builds a new undici Agent (so a
 * new TLS connection) for every request; an agent that patches and re-watches for weeks should reuse
 * connections instead, so the first pool is kept and later ones are closed unused.
 */
export class PooledKubeConfig extends KubeConfig {
  private pool: Dispatcher | undefined;

  /** A pooled copy of `source` (same clusters, users, contexts and current context). */
  static from(source: KubeConfig): PooledKubeConfig {
    const pooled = new PooledKubeConfig();
    pooled.loadFromString(source.exportConfig());
    return pooled;
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const made = context.getDispatcher();
    if (!made) return;
    if (!this.pool) this.pool = made;
    else if (made !== this.pool) void made.close();
    context.setDispatcher(this.pool);
  }

  /** Closes the pool's connections. */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.close();
  }
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The agent's view of a Node object. */
export function snapshotOf(node: V1Node): NodeSnapshot {
  return {
    name: node.metadata?.name ?? '',
    resourceVersion: node.metadata?.resourceVersion ?? '',
    annotations: { ...(node.metadata?.annotations ?? {}) },
    ready: node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
  };
}

export interface KubeNodePortOptions {
  /** Delay before re-watching after a disconnect (real ms; default 1000). */
  rewatchDelayMs?: number;
  /** Server-side watch timeout in seconds (default 300). */
  watchTimeoutSeconds?: number;
}

/** One node through the Kubernetes API. */
export class KubeNodePort implements NodePort {
  readonly name: string;
  private readonly kubeConfig: PooledKubeConfig;
  /** The pool is this port's own (made from a plain KubeConfig): closing the port closes it. */
  private readonly ownsPool: boolean;
  private readonly core: CoreV1Api;
  private readonly options: Required<KubeNodePortOptions>;

  /**
   * @param kubeConfig a plain KubeConfig (the port makes its own pool and closes it with the port) or a
   *   {@link PooledKubeConfig} its caller owns (and may share).
   */
  constructor(kubeConfig: KubeConfig, name: string, options: KubeNodePortOptions = {}) {
    this.name = name;
    this.ownsPool = !(kubeConfig instanceof PooledKubeConfig);
    this.kubeConfig = kubeConfig instanceof PooledKubeConfig ? kubeConfig : PooledKubeConfig.from(kubeConfig);
    this.core = this.kubeConfig.makeApiClient(CoreV1Api);
    this.options = {
      rewatchDelayMs: options.rewatchDelayMs ?? 1000,
      watchTimeoutSeconds: options.watchTimeoutSeconds ?? 300,
    };
  }

  async get(): Promise<NodeSnapshot> {
    return snapshotOf(await this.core.readNode({ name: this.name }));
  }

  async patchAnnotations(patch: AnnotationPatch, resourceVersion: string): Promise<NodeSnapshot> {
    try {
      const node = await this.core.patchNode(
        { name: this.name, body: { metadata: { resourceVersion, annotations: patch } } },
        mergePatch,
      );
      return snapshotOf(node);
    } catch (error) {
      if (error instanceof ApiException && error.code === 409) throw new NodeConflictError(this.name);
      throw error;
    }
  }

  watch(onChange: (node: NodeSnapshot) => void, onProblem: (message: string) => void = () => {}): NodeWatch {
    let stopped = false;
    let controller: AbortController | undefined;
    let timer: NodeJS.Timeout | undefined;
    let resourceVersion: string | undefined;
    const watcher = new Watch(this.kubeConfig);

    const again = (message: string) => {
      if (stopped) return;
      onProblem(message);
      timer = setTimeout(() => void start(), this.options.rewatchDelayMs);
      timer.unref();
    };
    const start = async () => {
      if (stopped) return;
      try {
        if (resourceVersion === undefined) {
          const node = await this.get();
          resourceVersion = node.resourceVersion;
          if (stopped) return;
          onChange(node);
        }
        controller = await watcher.watch(
          '/api/v1/nodes',
          {
            fieldSelector: `metadata.name=${this.name}`,
            resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds: this.options.watchTimeoutSeconds,
          },
          (type: string, object: V1Node & { code?: number; message?: string }) => {
            if (stopped) return;
            if (type === 'ERROR') {
              // 410 Gone: the resourceVersion is too old; read the node again.
              if (object.code === 410) resourceVersion = undefined;
              onProblem(`watch error: ${object.message ?? object.code ?? 'unknown'}`);
              controller?.abort();
              return;
            }
            if (object.metadata?.resourceVersion) resourceVersion = object.metadata.resourceVersion;
            if (type === 'ADDED' || type === 'MODIFIED') onChange(snapshotOf(object));
            else if (type === 'DELETED') onProblem(`node "${this.name}" was deleted`);
          },
          (error: unknown) =>
            again(error ? `watch ended: ${(error as Error).message ?? error}` : 'watch ended'),
        );
        if (stopped) controller.abort();
      } catch (error) {
        again(`watch failed: ${(error as Error).message ?? error}`);
      }
    };
    void start();
    return {
      stop() {
        stopped = true;
        if (timer) clearTimeout(timer);
        controller?.abort();
      },
    };
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.kubeConfig.close();
  }
}
