/**
 * The mco driver's port (core/drivers/mco/port.ts) over `@kubernetes/client-node`: reads MachineConfigPools,
 * the rendered config a pool targets, the ControllerConfig, ClusterVersion, the machine-config-osimageurl
 * ConfigMap and, where served, MachineConfigNodes; writes only the image-layer
 * MachineConfig, the pool's `maxUnavailable`/`paused`/annotations (merge patches) and Events.
 */
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import {
  CONTROLLER_CONFIG,
  type MachineConfigNodeFacts,
  type McoCondition,
  type McoPoolObservation,
  type McoPort,
  OSIMAGEURL_CONFIGMAP,
} from '../../core/drivers/mco/index.ts';
import type { IntOrPercent, LabelSelector } from '../../core/model.ts';
import { McoKeys, mcoApiVersion } from '../../core/render/types.ts';
import { ClusterCallError, retrying } from './kubernetes.ts';

const GROUP = 'machineconfiguration.openshift.io';
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

interface Obj {
  metadata?: {
    name?: string;
    generation?: number;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    uid?: string;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

/**
 * How long a cluster that does not serve MachineConfigNode (404) is not asked again: a release upgrade to
 * one that serves it is noticed within this time.
 */
export const MCN_ABSENT_RECHECK_MS = 10 * 60_000;

/** A condition as the API returns it, in the port's shape. */
function conditionOf(c: Partial<McoCondition>): McoCondition {
  return {
    type: c.type ?? '',
    status: c.status ?? '',
    reason: c.reason ?? '',
    message: c.message ?? '',
    lastTransitionTime: c.lastTransitionTime ? new Date(c.lastTransitionTime).toISOString() : '',
  };
}

const statusOf = (error: unknown) => (error instanceof ClusterCallError ? error.status : undefined);

/** Null for a 404, the object otherwise. */
async function orNull<T>(call: () => Promise<T>): Promise<T | null> {
  try {
    return await call();
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw error;
  }
}

/** Builds the mco driver's port for one cluster (`now` for the MachineConfigNode absence recheck). */
export function createMcoCluster(kc: KubeConfig, clusterId: string, now: () => number = Date.now): McoPort {
  const custom = kc.makeApiClient(CustomObjectsApi);
  // Until when the cluster is known not to serve MachineConfigNode (0: ask).
  let mcnAbsentUntil = 0;
  const core = kc.makeApiClient(CoreV1Api);
  const get = (plural: string, name: string, group = GROUP) =>
    orNull(() =>
      retrying(`${clusterId}: get ${plural} ${name}`, () =>
        custom.getClusterCustomObject({ group, version: 'v1', plural, name }),
      ),
    ) as Promise<Obj | null>;

  return {
    async detect() {
      const served = await orNull(() =>
        retrying(`${clusterId}: list machineconfigs`, () =>
          custom.listClusterCustomObject({ group: GROUP, version: 'v1', plural: 'machineconfigs', limit: 1 }),
        ),
      );
      if (!served) return { servesMachineConfigs: false, hasControllerConfig: false };
      return {
        servesMachineConfigs: true,
        hasControllerConfig: (await get('controllerconfigs', CONTROLLER_CONFIG)) !== null,
      };
    },

    async readCluster() {
      const [cc, cv, cm] = await Promise.all([
        get('controllerconfigs', CONTROLLER_CONFIG),
        get('clusterversions', 'version', 'config.openshift.io'),
        orNull(() =>
          retrying(`${clusterId}: get ConfigMap ${OSIMAGEURL_CONFIGMAP.name}`, () =>
            core.readNamespacedConfigMap(OSIMAGEURL_CONFIGMAP),
          ),
        ),
      ]);
      const data = cm?.data ?? {};
      const spec = (cc?.spec ?? {}) as {
        baseOSContainerImage?: string;
        baseOSExtensionsContainerImage?: string;
      };
      const annotations = cc?.metadata?.annotations ?? {};
      const version =
        (cv?.status as { desired?: { version?: string } } | undefined)?.desired?.version ?? null;
      return {
        controller: cc
          ? {
              baseOSContainerImage: spec.baseOSContainerImage ?? '',
              baseOSExtensionsContainerImage: spec.baseOSExtensionsContainerImage ?? '',
              ...(annotations[McoKeys.generatedByControllerVersion]
                ? { controllerVersion: annotations[McoKeys.generatedByControllerVersion] }
                : {}),
              ...(annotations[McoKeys.releaseImageVersion]
                ? { releaseImageVersion: annotations[McoKeys.releaseImageVersion] }
                : {}),
            }
          : null,
        version,
        osImageUrl: cm
          ? {
              baseOSContainerImage: data.baseOSContainerImage ?? '',
              baseOSExtensionsContainerImage: data.baseOSExtensionsContainerImage ?? '',
              releaseVersion: data.releaseVersion ?? '',
            }
          : null,
      };
    },

    async readPool(pool) {
      const [mcp, layer, cc] = await Promise.all([
        get('machineconfigpools', pool),
        get('machineconfigs', `99-strata-${pool}-os-image`),
        get('controllerconfigs', CONTROLLER_CONFIG),
      ]);
      if (!mcp) return null;
      const spec = (mcp.spec ?? {}) as {
        paused?: boolean;
        maxUnavailable?: IntOrPercent | null;
        machineConfigSelector?: LabelSelector | null;
        configuration?: { name?: string };
      };
      const status = (mcp.status ?? {}) as Record<string, unknown> & {
        configuration?: { name?: string };
        conditions?: Partial<McoCondition>[];
        observedGeneration?: number;
      };
      const targetConfig = spec.configuration?.name || null;
      const rendered = targetConfig ? await get('machineconfigs', targetConfig) : null;
      const num = (k: string) => Number(status[k] ?? 0);
      const observation: McoPoolObservation = {
        paused: spec.paused === true,
        annotations: { ...(mcp.metadata?.annotations ?? {}) },
        machineConfigSelector: spec.machineConfigSelector ?? null,
        maxUnavailable: spec.maxUnavailable ?? null,
        generation: Number(mcp.metadata?.generation ?? 1),
        observedGeneration: Number(status.observedGeneration ?? 0),
        targetConfig,
        currentConfig: status.configuration?.name || null,
        targetImage: ((rendered?.spec as { osImageURL?: string } | undefined)?.osImageURL as string) ?? null,
        machineCount: num('machineCount'),
        updatedMachineCount: num('updatedMachineCount'),
        readyMachineCount: num('readyMachineCount'),
        unavailableMachineCount: num('unavailableMachineCount'),
        degradedMachineCount: num('degradedMachineCount'),
        conditions: (status.conditions ?? []).map(conditionOf),
        layerImage: ((layer?.spec as { osImageURL?: string } | undefined)?.osImageURL as string) ?? null,
        baseImage:
          ((cc?.spec as { baseOSContainerImage?: string } | undefined)?.baseOSContainerImage as string) ??
          null,
      };
      return observation;
    },

    async listMachineConfigNodes(nodes) {
      if (now() < mcnAbsentUntil) return null;
      // One LIST for the pool (MCNs carry no pool label to select on), kept to the pool's nodes here. Not
      // served (404), or not granted (403: an identity applied before the grant was added), reads as absent:
      // the pool is then driven on its nodes' annotations, as on releases without MachineConfigNode.
      let list: { items?: Obj[] } | null;
      try {
        list = (await retrying(`${clusterId}: list machineconfignodes`, () =>
          custom.listClusterCustomObject({ group: GROUP, version: 'v1', plural: 'machineconfignodes' }),
        )) as { items?: Obj[] };
      } catch (error) {
        const status = statusOf(error);
        if (status !== 404 && status !== 403) throw error;
        list = null;
      }
      if (!list) {
        mcnAbsentUntil = now() + MCN_ABSENT_RECHECK_MS;
        return null;
      }
      const wanted = new Set(nodes);
      return (list.items ?? [])
        .filter((m) => wanted.has(m.metadata?.name ?? ''))
        .map((m): MachineConfigNodeFacts => {
          const spec = (m.spec ?? {}) as { pool?: { name?: string }; configVersion?: { desired?: string } };
          const status = (m.status ?? {}) as {
            configVersion?: { current?: string; desired?: string };
            conditions?: Partial<McoCondition>[];
          };
          return {
            name: m.metadata?.name ?? '',
            pool: spec.pool?.name ?? '',
            desired: spec.configVersion?.desired ?? status.configVersion?.desired ?? '',
            current: status.configVersion?.current ?? '',
            conditions: (status.conditions ?? []).map(conditionOf),
          };
        });
    },

    async applyImageLayer(mc) {
      const name = mc.metadata.name;
      try {
        await retrying(
          `${clusterId}: create MachineConfig ${name}`,
          () =>
            custom.createClusterCustomObject({
              group: GROUP,
              version: 'v1',
              plural: 'machineconfigs',
              body: { ...mc, apiVersion: mcoApiVersion },
            }),
          false,
        );
      } catch (error) {
        if (statusOf(error) !== 409) throw error;
        await retrying(`${clusterId}: patch MachineConfig ${name}`, () =>
          custom.patchClusterCustomObject(
            {
              group: GROUP,
              version: 'v1',
              plural: 'machineconfigs',
              name,
              body: { metadata: { labels: mc.metadata.labels }, spec: { osImageURL: mc.spec.osImageURL } },
            },
            mergePatch,
          ),
        );
      }
    },

    async deleteImageLayer(name) {
      await orNull(() =>
        retrying(`${clusterId}: delete MachineConfig ${name}`, () =>
          custom.deleteClusterCustomObject({ group: GROUP, version: 'v1', plural: 'machineconfigs', name }),
        ),
      );
    },

    async patchPool(pool, patch) {
      const spec: Record<string, unknown> = {};
      if (patch.maxUnavailable !== undefined) spec.maxUnavailable = patch.maxUnavailable;
      if (patch.paused !== undefined) spec.paused = patch.paused;
      const body: Record<string, unknown> = {};
      if (Object.keys(spec).length > 0) body.spec = spec;
      if (patch.annotations) body.metadata = { annotations: patch.annotations };
      if (Object.keys(body).length === 0) return;
      await retrying(`${clusterId}: patch MachineConfigPool ${pool}`, () =>
        custom.patchClusterCustomObject(
          { group: GROUP, version: 'v1', plural: 'machineconfigpools', name: pool, body },
          mergePatch,
        ),
      );
    },

    async recordEvent(pool, event) {
      const at = new Date();
      const mcp = await get('machineconfigpools', pool);
      await retrying(`${clusterId}: record event on ${pool}`, () =>
        core.createNamespacedEvent({
          namespace: 'default',
          body: {
            metadata: { generateName: `${pool}.strata-` },
            involvedObject: {
              apiVersion: mcoApiVersion,
              kind: 'MachineConfigPool',
              name: pool,
              ...(mcp?.metadata?.uid ? { uid: mcp.metadata.uid } : {}),
            },
            type: event.type,
            reason: event.reason,
            message: event.message,
            source: { component: 'strata' },
            firstTimestamp: at,
            lastTimestamp: at,
            count: 1,
          },
        }),
      );
    },
  };
}
