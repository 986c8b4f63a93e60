/**
 * A simulated image-mode host behind the agent's host port: deployments (booted, staged, rollback, a
 * queued rollback), boots with their own boot IDs, staging that takes simulated time, a reboot that takes
 * the host down and brings it back on the next deployment, and faults: a failed pull, a refused registry
 * login, a staging that never ends or fails after the download, and a new deployment that does not boot
 * (the host comes back on the previous one, so the booted digest differs from the target).
 *
 * It knows nothing of Kubernetes: `onDown` / `onUp` tell the caller (sim/agents.ts) when to mark the node
 * NotReady and stop the agent, and when to bring both back.
 */
import { createHash } from 'node:crypto';
import {
  type BootInfo,
  type Deployment,
  HostCommandError,
  type HostPort,
  type HostStatus,
} from '../agent/host/port.ts';
import { digestOf } from '../agent/image.ts';
import type { SimClock, TimerHandle } from './clock.ts';

/** Faults of one staging attempt. */
export interface SimHostFaults {
  /** The pull fails (the image's manifest is unknown to the registry). */
  pullFailure?: boolean;
  /** The registry refuses the host's credentials. */
  authFailure?: boolean;
  /** The staging never ends (only a stop ends it). */
  stagingHang?: boolean;
  /** The staged deployment does not boot: the host comes back on the previous one. */
  wrongDigest?: boolean;
  /** The download works but writing the deployment fails (a full disk): the staging fails after its time. */
  stagingFailure?: boolean;
}

/** Delays in simulated ms. */
export interface SimHostTiming {
  /** To pull and stage an image. */
  stageMs: number;
  /** From going down to running the new boot. */
  rebootMs: number;
  /** Until a failing pull reports its error. */
  failMs: number;
}

export interface SimHostOptions {
  /** The node's name (boot IDs derive from it: deterministic). */
  node: string;
  clock: SimClock;
  /** Wall-clock time of simulated time 0. */
  epochMs: number;
  /** What the host boots at first (`repo@sha256:…`). */
  bootedImage: string;
  /** A rollback deployment at first, if any. */
  rollbackImage?: string;
  timing: SimHostTiming;
  /** Draws the faults of a staging attempt (attempts count per host from 1). */
  faults?: (staging: { image: string; attempt: number }) => SimHostFaults;
  /** The host goes down for a reboot. */
  onDown?: () => void;
  /** The host runs its new boot. */
  onUp?: () => void;
}

interface Staging {
  image: string;
  timer: TimerHandle | undefined;
  reject: (error: Error) => void;
}

const deploymentOf = (image: string): Deployment => ({ image, digest: digestOf(image) });

/** One simulated host. */
export class SimHost implements HostPort {
  readonly tool = 'simulated';
  readonly node: string;
  private readonly clock: SimClock;
  private readonly epochMs: number;
  private readonly timing: SimHostTiming;
  private readonly drawFaults: SimHostOptions['faults'];
  private readonly onDown: () => void;
  private readonly onUp: () => void;

  private booted: Deployment;
  private staged: Deployment | undefined;
  private rollbackDeployment: Deployment | undefined;
  private rollbackQueued = false;
  /** The staged deployment will not boot. */
  private stagedBroken = false;
  private boots = 1;
  private bootStartedAt: number;
  private up = true;
  private staging: Staging | undefined;
  private attempts = 0;
  /** Units masked so far. */
  readonly masked = new Set<string>();
  /** Every command the host ran, in order (`stage <image>`, `rollback`, `discard`, `reboot`). */
  readonly history: string[] = [];

  constructor(options: SimHostOptions) {
    this.node = options.node;
    this.clock = options.clock;
    this.epochMs = options.epochMs;
    this.timing = options.timing;
    this.drawFaults = options.faults;
    this.onDown = options.onDown ?? (() => {});
    this.onUp = options.onUp ?? (() => {});
    this.booted = deploymentOf(options.bootedImage);
    this.rollbackDeployment = options.rollbackImage ? deploymentOf(options.rollbackImage) : undefined;
    this.bootStartedAt = options.epochMs + options.clock.now();
  }

  /** True while the host runs (false while it reboots). */
  get running(): boolean {
    return this.up;
  }

  /** The image the host booted (`repo@sha256:…`). */
  get bootedImage(): string | undefined {
    return this.booted.image;
  }

  async boot(): Promise<BootInfo> {
    this.requireUp('cat /proc/sys/kernel/random/boot_id');
    return { id: this.bootId(), startedAt: this.bootStartedAt };
  }

  async status(): Promise<HostStatus> {
    this.requireUp('bootc status --json');
    return {
      booted: { ...this.booted },
      staged: this.staged && { ...this.staged },
      rollback: this.rollbackDeployment && { ...this.rollbackDeployment },
      next: { ...this.next() },
    };
  }

  /** Stages `image`; a staging already running is stopped first (as the staging unit is). */
  async stage(image: string, signal: AbortSignal): Promise<void> {
    this.requireUp(`bootc switch ${image}`);
    this.stopStaging('stopped: a new staging started');
    this.history.push(`stage ${image}`);
    const faults = this.drawFaults?.({ image, attempt: ++this.attempts }) ?? {};
    return new Promise<void>((resolve, reject) => {
      const staging: Staging = { image, timer: undefined, reject };
      this.staging = staging;
      const finish = (error?: HostCommandError) => {
        if (this.staging !== staging) return;
        this.staging = undefined;
        signal.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      const onAbort = () => this.stopStaging('aborted');
      signal.addEventListener('abort', onAbort, { once: true });
      if (faults.stagingHang) return; // only a stop or a reboot ends it
      if (faults.authFailure || faults.pullFailure) {
        staging.timer = this.clock.schedule(this.timing.failMs, () => finish(this.pullError(image, faults)));
        return;
      }
      staging.timer = this.clock.schedule(this.timing.stageMs, () => {
        if (faults.stagingFailure) return finish(this.deployError(image));
        this.staged = deploymentOf(image);
        this.stagedBroken = faults.wrongDigest === true;
        this.rollbackQueued = false;
        finish();
      });
    });
  }

  async rollback(): Promise<void> {
    this.requireUp('bootc rollback');
    this.history.push('rollback');
    if (!this.rollbackDeployment)
      throw new HostCommandError(['bootc', 'rollback'], 1, 'error: No rollback available', 'command');
    // bootc rollback drops a staged deployment and toggles the queued rollback.
    this.staged = undefined;
    this.stagedBroken = false;
    this.rollbackQueued = !this.rollbackQueued;
  }

  async discard(): Promise<void> {
    this.requireUp('discard');
    this.history.push('discard');
    this.staged = undefined;
    this.stagedBroken = false;
    this.rollbackQueued = false;
  }

  async reboot(): Promise<void> {
    this.requireUp('systemctl reboot');
    this.history.push('reboot');
    this.clock.schedule(0, () => this.goDown());
  }

  async maskAutoUpdates(units: readonly string[]): Promise<string[]> {
    this.requireUp('systemctl mask');
    for (const unit of units) this.masked.add(unit);
    return [...units];
  }

  async hasRegistryCredentials(): Promise<boolean> {
    return true;
  }

  private next(): Deployment {
    if (this.staged) return this.staged;
    if (this.rollbackQueued && this.rollbackDeployment) return this.rollbackDeployment;
    return this.booted;
  }

  private goDown(): void {
    if (!this.up) return;
    this.up = false;
    this.stopStaging('host rebooted');
    this.onDown();
    this.clock.schedule(this.timing.rebootMs, () => this.comeUp());
  }

  private comeUp(): void {
    const previous = this.booted;
    const next = this.next();
    if (next !== previous && !(this.staged === next && this.stagedBroken)) {
      this.booted = next;
      this.rollbackDeployment = previous;
    } else if (next !== previous) {
      // The new deployment failed to boot: back on the previous one, the failed one kept as rollback.
      this.rollbackDeployment = next;
    }
    this.staged = undefined;
    this.stagedBroken = false;
    this.rollbackQueued = false;
    this.boots++;
    this.bootStartedAt = this.epochMs + this.clock.now();
    this.up = true;
    this.onUp();
  }

  private stopStaging(why: string): void {
    const staging = this.staging;
    if (!staging) return;
    this.staging = undefined;
    if (staging.timer) this.clock.cancel(staging.timer);
    staging.reject(new HostCommandError(['bootc', 'switch', staging.image], null, why, 'command'));
  }

  private pullError(image: string, faults: SimHostFaults): HostCommandError {
    const digest = digestOf(image) ?? '';
    const repository = image.slice(0, image.indexOf('@'));
    if (faults.authFailure)
      return new HostCommandError(
        ['bootc', 'switch', image],
        1,
        `error: Switching: Pulling: Creating importer: failed to invoke method OpenImage: reading manifest ${digest} in ${repository}: unauthorized: authentication required`,
        'auth',
      );
    return new HostCommandError(
      ['bootc', 'switch', image],
      1,
      `error: Switching: Pulling: Creating importer: failed to invoke method OpenImage: reading manifest ${digest} in ${repository}: manifest unknown`,
      'pull',
    );
  }

  private deployError(image: string): HostCommandError {
    return new HostCommandError(
      ['bootc', 'switch', image],
      1,
      'error: Switching: Staging deployment: Checking out deployment tree: No space left on device (os error 28)',
      'command',
    );
  }

  private bootId(): string {
    const hex = createHash('sha1').update(`${this.node}/boot/${this.boots}`).digest('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  }

  private requireUp(command: string): void {
    if (!this.up) throw new HostCommandError(command.split(' '), null, 'the host is rebooting', 'command');
  }
}
