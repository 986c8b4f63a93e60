/**
 * The cluster port over `@kubernetes/client-node`: nodes, cordon, evictions, MCO annotations and
 * MachineConfigs. Each call is idempotent; conflicts and transient errors are retried briefly here, and
 * anything still failing surfaces to the reconcile, which requeues (level-triggered).
 */
import {
  type ApiException,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Node,
} from '@kubernetes/client-node';
import type { MachineConfig, MachineConfigPool } from '../../core/render/types.ts';
import type {
  ClusterPort,
  EvictionResult,
  MachineConfigObject,
  PodRef,
} from '../../core/rollout/cluster-port.ts';
import { NodeChangedError } from '../../core/rollout/errors.ts';
import type { NodeFacts } from '../../core/rollout/node-facts.ts';

const MCO_GROUP = 'machineconfiguration.openshift.io';
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function statusOf(error: unknown): number | undefined {
  return (error as ApiException<unknown> | null)?.code;
}

/** Retries transient failures (5xx, 409, network) a few times with short backoff; others rethrow at once. */
export async function retrying<T>(
  what: string,
  call: () => Promise<T>,
  retryConflicts = true,
  attempts = 4,
): Promise<T> {
  let delay = 50;
  for (let i = 1; ; i++) {
    try {
      return await call();
    } catch (error) {
      const code = statusOf(error);
      const transient = code === undefined || (code === 409 && retryConflicts) || code === 429 || code >= 500;
      if (!transient || i >= attempts) {
        throw new ClusterCallError(`${what}: ${code ?? ''} ${(error as Error).message}`.trim(), code, error);
      }
      await new Promise((r) => setTimeout(r, delay));
      delay *= 2;
    }
  }
}

/** A cluster API call that failed (after retries), with the HTTP status when there was one. */
export class ClusterCallError extends Error {
  readonly status: number | undefined;
  /** `cause`: the client's error (a network error's code is on it, or on its own cause). */
  constructor(message: string, status: number | undefined, cause?: unknown) {
    super(message, { cause });
    this.name = 'ClusterCallError';
    this.status = status;
  }
}

/** Converts a client-node Node into planner facts. */
export function toNodeFacts(node: V1Node): NodeFacts {
  return {
    name: node.metadata?.name ?? '',
    labels: { ...(node.metadata?.labels ?? {}) },
    annotations: { ...(node.metadata?.annotations ?? {}) },
    unschedulable: node.spec?.unschedulable === true,
    conditions: (node.status?.conditions ?? []).map((c) => ({ type: c.type, status: c.status })),
    creationTimestamp: node.metadata?.creationTimestamp
      ? new Date(node.metadata.creationTimestamp).toISOString()
      : new Date(0).toISOString(),
    ...(node.metadata?.resourceVersion ? { resourceVersion: node.metadata.resourceVersion } : {}),
  };
}

/**
 * One merge patch of a node. Guarded by `resourceVersion`, a 409 is never retried: the node changed since
 * the read the decision was taken on (or an earlier attempt whose answer was lost did apply), so the
 * decision is dropped and the caller reads again. Timeouts, resets, 5xx and 429 are retried with the same
 * guard, so a retry never lands on a node that moved on.
 */
async function patchNodeGuarded(
  core: CoreV1Api,
  what: string,
  name: string,
  body: { metadata?: Record<string, unknown>; spec?: Record<string, unknown> },
  resourceVersion: string | undefined,
): Promise<NodeFacts> {
  const guarded = resourceVersion ? { ...body, metadata: { ...body.metadata, resourceVersion } } : body;
  try {
    return toNodeFacts(
      await retrying(what, () => core.patchNode({ name, body: guarded }, mergePatch), !resourceVersion),
    );
  } catch (error) {
    if (resourceVersion && (error as ClusterCallError).status === 409)
      throw new NodeChangedError(`${what}: node changed since resourceVersion ${resourceVersion}`);
    throw error;
  }
}

/** matchLabels as a label selector (`k=v,k2=`). */
function selectorString(selector: Record<string, string>): string {
  return Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** Builds the cluster port for one cluster from its KubeConfig. */
export function createKubernetesCluster(kc: KubeConfig, clusterId: string): ClusterPort {
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  let servesMc: boolean | undefined;
  return {
    async listNodes(selector) {
      const nodes: NodeFacts[] = [];
      const labelSelector =
        selector && Object.keys(selector).length > 0 ? selectorString(selector) : undefined;
      let cont: string | undefined;
      do {
        const page = await retrying(`${clusterId}: list nodes`, () =>
          core.listNode({
            limit: 500,
            ...(labelSelector ? { labelSelector } : {}),
            ...(cont ? { _continue: cont } : {}),
          }),
        );
        for (const n of page.items) nodes.push(toNodeFacts(n));
        cont = page.metadata?._continue || undefined;
      } while (cont);
      return nodes;
    },

    setUnschedulable(node, unschedulable, resourceVersion) {
      const what = `${clusterId}: ${unschedulable ? 'cordon' : 'uncordon'} ${node}`;
      return patchNodeGuarded(core, what, node, { spec: { unschedulable } }, resourceVersion);
    },

    async listEvictablePods(node) {
      const list = await retrying(`${clusterId}: list pods on ${node}`, () =>
        core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` }),
      );
      return list.items
        .filter((p) => !(p.metadata?.ownerReferences ?? []).some((o) => o.kind === 'DaemonSet'))
        .filter((p) => p.metadata?.annotations?.['kubernetes.io/config.mirror'] === undefined)
        .filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')
        .map((p) => ({ namespace: p.metadata?.namespace ?? 'default', name: p.metadata?.name ?? '' }));
    },

    async evictPod(pod: PodRef): Promise<EvictionResult> {
      try {
        await core.createNamespacedPodEviction({
          name: pod.name,
          namespace: pod.namespace,
          body: {
            apiVersion: 'policy/v1',
            kind: 'Eviction',
            metadata: { name: pod.name, namespace: pod.namespace },
          },
        });
        return 'evicted';
      } catch (error) {
        const code = statusOf(error);
        if (code === 404) return 'gone';
        // 429: a PodDisruptionBudget refuses for now; 403 while the namespace terminates; 5xx transient.
        if (code === 429 || code === 403 || code === undefined || code >= 500) return 'blocked';
        throw new ClusterCallError(
          `${clusterId}: evict ${pod.namespace}/${pod.name}: ${code} ${(error as Error).message}`,
          code,
        );
      }
    },

    setNodeAnnotations(node, annotations, resourceVersion) {
      const what = `${clusterId}: annotate ${node}`;
      return patchNodeGuarded(core, what, node, { metadata: { annotations } }, resourceVersion);
    },

    async servesMachineConfigs() {
      if (servesMc !== undefined) return servesMc;
      try {
        await retrying(`${clusterId}: list MachineConfigs`, () =>
          custom.listClusterCustomObject({
            group: MCO_GROUP,
            version: 'v1',
            plural: 'machineconfigs',
            limit: 1,
          }),
        );
        servesMc = true;
      } catch (error) {
        if ((error as ClusterCallError).status !== 404) throw error;
        servesMc = false;
      }
      return servesMc;
    },

    async readPoolSources(pool) {
      let mcp: MachineConfigPool;
      try {
        mcp = (await retrying(`${clusterId}: get MachineConfigPool ${pool}`, () =>
          custom.getClusterCustomObject({
            group: MCO_GROUP,
            version: 'v1',
            plural: 'machineconfigpools',
            name: pool,
          }),
        )) as MachineConfigPool;
      } catch (error) {
        if ((error as ClusterCallError).status === 404) return null;
        throw error;
      }
      const list = (await retrying(`${clusterId}: list MachineConfigs`, () =>
        custom.listClusterCustomObject({ group: MCO_GROUP, version: 'v1', plural: 'machineconfigs' }),
      )) as { items: MachineConfig[] };
      return { pool: mcp, machineConfigs: list.items };
    },

    async ensureMachineConfig(mc: MachineConfigObject) {
      try {
        await retrying(
          `${clusterId}: create MachineConfig ${mc.metadata.name}`,
          () =>
            custom.createClusterCustomObject({
              group: MCO_GROUP,
              version: 'v1',
              plural: 'machineconfigs',
              body: mc,
            }),
          false,
        );
        return 'created';
      } catch (error) {
        if ((error as ClusterCallError).status === 409) return 'exists';
        throw error;
      }
    },
  };
}
