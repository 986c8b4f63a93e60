/**
 * The node agent: a level-triggered loop around the pure state machine. On every change of its Node (a
 * watch), the end of a host operation, a deadline or a periodic poll it reads the host, decides one step
 * and takes it: one merge patch of annotations, starting a staging, discarding, or asking for a reboot.
 * Nothing is remembered that a restart needs: the node's annotations and the host are the state.
 */
import { type AgentClock, systemClock } from './clock.ts';
import { stagingFailureReason } from './host/failures.ts';
import { AUTO_UPDATE_UNITS, HostCommandError, type HostPort } from './host/port.ts';
import { type Logger, silentLogger } from './log.ts';
import { NodeConflictError, type NodePort, type NodeSnapshot, type NodeWatch } from './node/port.ts';
import { AgentAnnotations as A } from './protocol.ts';
import {
  DEFAULT_TIMEOUTS,
  decide,
  type HostOperation,
  type Observation,
  type Timeouts,
} from './state-machine.ts';

export interface NodeAgentOptions {
  node: NodePort;
  host: HostPort;
  clock?: AgentClock;
  timeouts?: Timeouts;
  /** How often to look at the host while nothing happens (default 60 s): catches changes made by hand. */
  pollIntervalMs?: number;
  /** Delay before retrying a failed API call or host command (default 10 s). */
  retryDelayMs?: number;
  /** Mask the host's auto-updaters at start (default true). */
  maskAutoUpdates?: boolean;
  log?: Logger;
}

interface RunningOperation {
  view: HostOperation;
  controller: AbortController;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** One agent for one node. `start()`, then `stop()` (as at a process exit or a reboot). */
export class NodeAgent {
  private readonly node: NodePort;
  private readonly host: HostPort;
  private readonly clock: AgentClock;
  private readonly timeouts: Timeouts;
  private readonly pollIntervalMs: number;
  private readonly retryDelayMs: number;
  private readonly maskAutoUpdates: boolean;
  private readonly log: Logger;

  private latest: NodeSnapshot | undefined;
  private watch: NodeWatch | undefined;
  private operation: RunningOperation | undefined;
  private rebootIssued = false;
  private cancelWake: (() => void) | undefined;
  private dirty = false;
  private loop: Promise<void> | undefined;
  private stopped = false;

  constructor(options: NodeAgentOptions) {
    this.node = options.node;
    this.host = options.host;
    this.clock = options.clock ?? systemClock;
    this.timeouts = options.timeouts ?? DEFAULT_TIMEOUTS;
    this.pollIntervalMs = options.pollIntervalMs ?? 60_000;
    this.retryDelayMs = options.retryDelayMs ?? 10_000;
    this.maskAutoUpdates = options.maskAutoUpdates ?? true;
    this.log = options.log ?? silentLogger;
  }

  /**
   * Masks the auto-updaters (unless turned off), reads the node, starts watching it and reconciles.
   * @throws when the node cannot be read (the process should exit and be restarted).
   */
  async start(): Promise<void> {
    if (this.maskAutoUpdates) {
      try {
        const masked = await this.host.maskAutoUpdates(AUTO_UPDATE_UNITS);
        this.log.log('info', 'masked the host auto-updaters', { units: masked });
      } catch (error) {
        // Not fatal: the agent still works, but an auto-updater could reboot the node undrained.
        this.log.log('error', `could not mask the host auto-updaters: ${message(error)}`);
      }
    }
    const credentials = await this.host.hasRegistryCredentials();
    this.latest = await this.node.get();
    this.log.log('info', 'agent started', {
      tool: this.host.tool,
      registryCredentials: credentials ? '/etc/ostree/auth.json' : 'none',
      state: this.latest.annotations[A.state] ?? '',
    });
    this.watch = this.node.watch(
      (node) => {
        this.latest = node;
        this.kick();
      },
      (problem) => this.log.log('debug', problem),
    );
    this.kick();
  }

  /** Stops watching and deciding. A running host operation is left to the host, as when a process dies. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.watch?.stop();
    this.cancelWake?.();
    await this.loop;
    await this.node.close();
  }

  /** Resolves once no decision is in progress (for tests and the simulator). */
  async idle(): Promise<void> {
    while (this.loop) await this.loop;
  }

  /** Decide again (soon). */
  kick(): void {
    if (this.stopped) return;
    this.dirty = true;
    if (!this.loop)
      this.loop = this.run().finally(() => {
        this.loop = undefined;
      });
  }

  private async run(): Promise<void> {
    while (this.dirty && !this.stopped) {
      this.dirty = false;
      try {
        await this.reconcile();
      } catch (error) {
        this.log.log('error', `reconcile failed: ${message(error)}`);
        this.wakeIn(this.retryDelayMs);
      }
    }
  }

  private wakeAt(at: number | undefined): void {
    const now = this.clock.now();
    const poll = now + this.pollIntervalMs;
    this.wakeIn(Math.min(at ?? poll, poll) - now);
  }

  private wakeIn(delayMs: number): void {
    if (this.stopped) return;
    this.cancelWake?.();
    this.cancelWake = this.clock.schedule(Math.max(0, delayMs), () => {
      this.cancelWake = undefined;
      this.kick();
    });
  }

  private async observe(node: NodeSnapshot): Promise<Observation> {
    const boot = await this.host.boot();
    let host: Observation['host'];
    try {
      host = { ok: true, status: await this.host.status() };
    } catch (error) {
      host = {
        ok: false,
        error: error instanceof HostCommandError ? error.stderrTail || error.message : message(error),
      };
    }
    return {
      now: this.clock.now(),
      annotations: node.annotations,
      nodeReady: node.ready,
      boot,
      host,
      operation: this.operation?.view,
      rebootIssued: this.rebootIssued,
    };
  }

  private async reconcile(): Promise<void> {
    const node = this.latest;
    if (!node) return;
    const observation = await this.observe(node);
    if (this.stopped) return;
    const { step, cancelOperation } = decide(observation, this.timeouts);
    if (cancelOperation && this.operation) {
      this.log.log('info', `stopping the ${this.operation.view.kind} of ${this.operation.view.image}`);
      this.operation.controller.abort();
      this.operation = undefined;
    }
    switch (step.kind) {
      case 'patch':
        await this.patch(node, step.patch, step.why);
        return;
      case 'stage':
        this.startOperation(step.via === 'rollback' ? 'rollback' : 'stage', step.image);
        this.log.log('info', step.why, { image: step.image, via: step.via });
        this.wakeAt(step.until);
        return;
      case 'discard':
        if (!observation.host.ok) return;
        try {
          await this.host.discard(observation.host.status);
          this.log.log('info', `discarded: ${step.why}`);
          this.dirty = true;
        } catch (error) {
          this.log.log('warn', `could not discard: ${message(error)}`);
          this.wakeIn(this.retryDelayMs);
        }
        return;
      case 'reboot':
        this.rebootIssued = true;
        try {
          this.log.log('info', step.why);
          await this.host.reboot();
          this.wakeAt(step.until);
        } catch (error) {
          this.rebootIssued = false;
          this.log.log('warn', `reboot refused: ${message(error)}`);
          this.wakeIn(this.retryDelayMs);
        }
        return;
      case 'wait':
        this.log.log('debug', step.why);
        this.wakeAt(step.until);
        return;
    }
  }

  private async patch(node: NodeSnapshot, patch: Record<string, string | null>, why: string): Promise<void> {
    try {
      this.latest = await this.node.patchAnnotations(patch, node.resourceVersion);
      if (patch[A.state] !== undefined) {
        this.log.log(patch[A.state] === 'Degraded' ? 'warn' : 'info', why, {
          state: patch[A.state],
          image: patch[A.stateImage],
          ...(patch[A.reason] ? { reason: patch[A.reason] } : {}),
        });
        // A finished operation's outcome is now written down.
        if (this.operation && this.operation.view.status !== 'running') this.operation = undefined;
      }
      this.dirty = true;
    } catch (error) {
      if (error instanceof NodeConflictError) {
        this.latest = await this.node.get();
        this.dirty = true;
        return;
      }
      this.log.log('warn', `could not update the node: ${message(error)}`);
      this.wakeIn(this.retryDelayMs);
    }
  }

  private startOperation(kind: 'stage' | 'rollback', image: string): void {
    const controller = new AbortController();
    const running: RunningOperation = { view: { kind, image, status: 'running' }, controller };
    this.operation = running;
    // Through a promise: a host port that throws at once fails the operation, it does not strand it.
    const work = Promise.resolve().then(() =>
      kind === 'rollback' ? this.host.rollback(controller.signal) : this.host.stage(image, controller.signal),
    );
    work
      .then(
        () => {
          if (this.operation === running) running.view = { kind, image, status: 'succeeded' };
        },
        (error: unknown) => {
          if (this.operation !== running) return;
          const reason =
            error instanceof HostCommandError
              ? stagingFailureReason(error)
              : `staging failed: ${message(error)}`;
          running.view = { kind, image, status: 'failed', reason };
        },
      )
      .finally(() => {
        if (this.operation === running) this.kick();
      });
  }
}
