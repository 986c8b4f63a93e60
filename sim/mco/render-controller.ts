/**
 * MCO's render controller (reference/mco.md §1, §9.1): a pool's selected MachineConfigs plus the cluster's
 * ControllerConfig → the rendered MachineConfig `rendered-<pool>-<hash>`, created with MCO's annotations
 * and owner reference, and `pool.spec.configuration` pointed at it (name and sources in merge order).
 * Failures set `RenderDegraded` with MCO's message. Paused pools are rendered too; rendered configs are
 * never deleted.
 *
 * The merge and the name come from Strata's render engine (functions/core/render), which ports MCO's
 * algorithm byte for byte; its inputs are read from this cluster's own objects. See docs/simulator.md for
 * what that means for fidelity.
 */
import {
  type ConfigLike,
  checkRenderedReconcilable,
  type MachineConfig,
  type MachineConfigPool,
  McoKeys,
  RenderError,
  type RenderResult,
  renderPool,
  selectMachineConfigs,
  UnreconcilableError,
} from '../../functions/core/render/index.ts';
import type { ObjectRecord, SimCluster } from '../cluster.ts';
import { CONTROLLER_CONFIG, controllerConfigIncomplete, GeneratedByVersion } from '../openshift.ts';
import type { KObject } from '../store.ts';
import { recordPoolEvent } from './pool-event.ts';
import { setPoolCondition } from './pool-status.ts';
import { WorkQueue } from './work-queue.ts';

export const RENDER_CONTROLLER = 'machineconfigcontroller-rendercontroller';

/** A render that MCO would refuse, with MCO's pool-level message. */
export class RenderFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RenderFailure';
  }
}

/** Whether a selector is exactly `{}` (MCO's SelectingAll gate). */
export function selectsEverything(selector: unknown): boolean {
  if (selector === null || typeof selector !== 'object') return false;
  const s = selector as Record<string, unknown>;
  return Object.keys(s).every((k) => s[k] === undefined || s[k] === null);
}

/**
 * Renders of identical inputs, shared by every cluster of a fleet (a fleet's clusters mostly run the same
 * release and MachineConfigs; rendering is the costly part of starting 200 of them). Bounded; results are
 * read-only.
 */
const renders = new Map<string, RenderResult | RenderFailure>();
const RENDER_CACHE_SIZE = 512;

/**
 * Renders a pool from the cluster's own objects (ControllerConfig, MachineConfigs), as
 * `generateRenderedMachineConfig` does, including the reconcilability check against the pool's current
 * rendered config. Throws {@link RenderFailure} with MCO's message. The result is shared: do not modify it.
 */
export function renderFromCluster(cluster: SimCluster, pool: MachineConfigPool): RenderResult {
  const key = renderKey(cluster, pool);
  let outcome = key === undefined ? undefined : renders.get(key);
  if (outcome === undefined) {
    try {
      outcome = renderUncached(cluster, pool);
    } catch (error) {
      if (!(error instanceof RenderFailure)) throw error;
      outcome = error;
    }
    if (key !== undefined) {
      if (renders.size >= RENDER_CACHE_SIZE) renders.delete(renders.keys().next().value!);
      renders.set(key, outcome);
    }
  }
  if (outcome instanceof RenderFailure) throw outcome;
  return outcome;
}

/** Everything a render reads, as one string (undefined: not cacheable, e.g. a selector it cannot read). */
function renderKey(cluster: SimCluster, pool: MachineConfigPool): string | undefined {
  const cc = cluster.controllerConfigs.get(undefined, CONTROLLER_CONFIG)?.object;
  let selected: MachineConfig[];
  try {
    selected = selectMachineConfigs(
      pool,
      cluster.machineConfigs.list().map((r) => r.object as unknown as MachineConfig),
    );
  } catch {
    return undefined;
  }
  const current = pool.spec.configuration?.name;
  return JSON.stringify([
    cluster.release?.version,
    cluster.release?.controllerVersion,
    cc ? [cc.metadata.annotations, cc.metadata.generation, cc.spec, cc.status] : null,
    pool.metadata.name,
    pool.spec.machineConfigSelector,
    pool.spec.osImageStream ?? null,
    selected.map((mc) => [mc.metadata.name, mc.metadata.labels, mc.metadata.annotations, mc.spec]),
    current ?? null,
    current ? Boolean(cluster.machineConfigs.get(undefined, current)) : false,
  ]);
}

function renderUncached(cluster: SimCluster, pool: MachineConfigPool): RenderResult {
  const fail = (reason: string): never => {
    throw new RenderFailure(`Failed to render configuration for pool ${pool.metadata.name}: ${reason}`);
  };
  const release = cluster.release;
  const cc = cluster.controllerConfigs.get(undefined, CONTROLLER_CONFIG)?.object;
  if (!release || !cc)
    return fail(`controllerconfig.machineconfiguration.openshift.io "${CONTROLLER_CONFIG}" not found`);
  const incomplete = controllerConfigIncomplete(cc);
  if (incomplete) return fail(incomplete);
  const annotations = (cc.metadata.annotations ?? {}) as Record<string, string>;
  const genver = annotations[GeneratedByVersion];
  if (genver === undefined)
    return fail(
      `Ignoring controller config generated without ${GeneratedByVersion} annotation (my version: ${release.version})`,
    );
  if (genver !== release.version)
    return fail(`Ignoring controller config generated from ${genver} (my version: ${release.version})`);
  const spec = (cc.spec ?? {}) as { baseOSContainerImage?: string; baseOSExtensionsContainerImage?: string };
  const machineConfigs = cluster.machineConfigs.list().map((r) => r.object as unknown as MachineConfig);
  let result: RenderResult;
  try {
    result = renderPool({
      pool,
      machineConfigs,
      baseOSImage: spec.baseOSContainerImage ?? '',
      baseOSExtensionsImage: spec.baseOSExtensionsContainerImage ?? '',
      controllerVersion: release.controllerVersion,
      ...(annotations[McoKeys.releaseImageVersion] !== undefined
        ? { releaseImageVersion: annotations[McoKeys.releaseImageVersion] }
        : {}),
    });
  } catch (error) {
    if (!(error instanceof RenderError)) throw error;
    // The "no MachineConfigs" refusal already carries MCO's whole pool-level message.
    if (error.reason.startsWith('Failed to render configuration')) throw new RenderFailure(error.reason);
    return fail(error.message);
  }
  const currentName = pool.spec.configuration?.name;
  const current = currentName ? cluster.machineConfigs.get(undefined, currentName) : undefined;
  if (current && currentName !== result.name) {
    try {
      checkRenderedReconcilable(
        current.object as unknown as ConfigLike & { metadata: { name: string } },
        result.machineConfig,
        selectMachineConfigs(pool, machineConfigs) as (ConfigLike & { metadata: { name: string } })[],
      );
    } catch (error) {
      if (error instanceof UnreconcilableError) return fail(error.message);
      throw error;
    }
  }
  return result;
}

/** The render controller of one cluster. */
export class RenderController {
  private readonly cluster: SimCluster;
  private readonly queue: WorkQueue;
  private readonly delay: number;
  private readonly unsubscribe: (() => void)[];

  constructor(cluster: SimCluster, delayMs: number, clock: ConstructorParameters<typeof WorkQueue>[0]) {
    this.cluster = cluster;
    this.delay = delayMs;
    this.queue = new WorkQueue(clock, (pool) => this.sync(pool));
    this.unsubscribe = [
      cluster.machineConfigPools.subscribe((type, record, before) => {
        // Spec changes (and new pools) only: status writes do not change what a pool renders to.
        if (type === 'DELETED') return;
        if (type === 'ADDED' || JSON.stringify(record.object.spec) !== JSON.stringify(before?.object.spec))
          this.queue.add(record.name, this.delay);
      }),
      cluster.machineConfigs.subscribe((_type, record, before) => this.machineConfigChanged(record, before)),
      cluster.controllerConfigs.subscribe(() => {
        for (const pool of cluster.machineConfigPools.list()) this.queue.add(pool.name, this.delay);
      }),
    ];
  }

  get errors(): readonly { key: string; message: string }[] {
    return this.queue.errors;
  }

  stop(): void {
    for (const u of this.unsubscribe) u();
    this.queue.stop();
  }

  /** A MachineConfig changed: the pools that select it (before or after), or whose target it is, re-render. */
  private machineConfigChanged(record: ObjectRecord, before: ObjectRecord | undefined): void {
    for (const poolRecord of this.cluster.machineConfigPools.list()) {
      const pool = poolRecord.object as unknown as MachineConfigPool;
      const selects = (r: ObjectRecord | undefined) => {
        if (!r) return false;
        try {
          return selectMachineConfigs(pool, [r.object as unknown as MachineConfig]).length > 0;
        } catch {
          return false;
        }
      };
      if (selects(record) || selects(before) || pool.spec.configuration?.name === record.name)
        this.queue.add(poolRecord.name, this.delay);
    }
  }

  private sync(poolName: string): void {
    const record = this.cluster.machineConfigPools.get(undefined, poolName);
    if (!record) return;
    const pool = record.object as unknown as MachineConfigPool;
    if (selectsEverything(pool.spec?.machineConfigSelector)) {
      this.event(record, 'Warning', 'SelectingAll', 'This machineconfigpool is selecting all machineconfigs');
      return;
    }
    let result: RenderResult;
    try {
      result = renderFromCluster(this.cluster, pool);
    } catch (error) {
      if (!(error instanceof RenderFailure)) throw error;
      this.setRenderDegraded(poolName, error.message);
      throw error; // retried with backoff, as MCO's queue does
    }
    this.cluster.asActor('machine-config-controller', () => this.persist(poolName, result));
    this.setRenderDegraded(poolName, undefined);
  }

  /** Creates (or repairs) the rendered MachineConfig and points the pool at it. */
  private persist(poolName: string, result: RenderResult): void {
    const pool = this.cluster.machineConfigPools.require(undefined, poolName);
    const existing = this.cluster.machineConfigs.get(undefined, result.name);
    const generated = structuredClone(result.machineConfig) as unknown as KObject;
    generated.metadata.ownerReferences = [
      { ...(generated.metadata.ownerReferences as object[])[0], uid: pool.uid },
    ];
    if (!existing) {
      this.cluster.machineConfigs.create(this.cluster.newObjectRecord(generated, undefined));
      const release = this.cluster.release!;
      this.event(
        pool,
        'Normal',
        'RenderedConfigGenerated',
        `${result.name} successfully generated (release version: ${release.version}, controller version: ${release.controllerVersion})`,
      );
      if (result.osImageURLOverridden)
        this.event(
          pool,
          'Normal',
          'OSImageURLOverridden',
          `OSImageURL was overridden via machineconfig in ${result.name} (was: ${release.baseOSContainerImage} is: ${result.machineConfig.spec.osImageURL})`,
        );
    } else if (
      JSON.stringify(existing.object.spec) !== JSON.stringify(generated.spec) ||
      JSON.stringify(existing.object.metadata.annotations) !== JSON.stringify(generated.metadata.annotations)
    ) {
      // ApplyMachineConfig: hand edits of a rendered config are repaired.
      const metadata = {
        ...existing.object.metadata,
        annotations: generated.metadata.annotations,
        ownerReferences: generated.metadata.ownerReferences,
        generation: Number(existing.object.metadata.generation ?? 1) + 1,
      };
      this.cluster.machineConfigs.update({
        ...existing,
        labels: {},
        object: { ...existing.object, metadata, spec: generated.spec },
      });
    }
    const spec = pool.object.spec as { configuration?: { name?: string; source?: unknown } };
    const configuration = { name: result.name, source: result.source };
    if (JSON.stringify(spec.configuration ?? {}) === JSON.stringify(configuration)) return;
    const generation = Number(pool.object.metadata.generation ?? 1) + 1;
    this.cluster.machineConfigPools.update({
      ...pool,
      object: {
        ...pool.object,
        metadata: { ...pool.object.metadata, generation },
        spec: { ...(pool.object.spec as object), configuration },
      },
    });
  }

  /** Sets RenderDegraded (message) or clears it (undefined); a no-op when already so. */
  private setRenderDegraded(poolName: string, message: string | undefined): void {
    const pool = this.cluster.machineConfigPools.get(undefined, poolName);
    if (!pool) return;
    const status = (pool.object.status ?? {}) as { conditions?: Record<string, unknown>[] };
    const now = this.cluster.isoNow();
    const conditions = setPoolCondition(
      status.conditions ?? [],
      { type: 'RenderDegraded', status: message ? 'True' : 'False', reason: '', message: message ?? '' },
      now,
    );
    if (conditions === status.conditions) return;
    this.cluster.machineConfigPools.update({
      ...pool,
      object: { ...pool.object, status: { ...status, conditions } },
    });
  }

  private event(pool: ObjectRecord, type: 'Normal' | 'Warning', reason: string, message: string): void {
    recordPoolEvent(this.cluster, RENDER_CONTROLLER, pool, type, reason, message);
  }
}
