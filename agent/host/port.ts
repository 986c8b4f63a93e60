/**
 * The host port: what the agent asks of the image-mode host it runs on. Implemented over `bootc` and
 * `rpm-ostree` (run in the host's namespaces) and, in the simulator, in memory (sim/host.ts).
 */

/** One deployment of the host. */
export interface Deployment {
  /** The image reference it was deployed from (may carry a tag), undefined when not from a container image. */
  image: string | undefined;
  /** Its manifest digest, `sha256:…`, undefined when not from a container image. */
  digest: string | undefined;
}

/** The host's deployments, as `bootc status` / `rpm-ostree status` report them. */
export interface HostStatus {
  booted: Deployment;
  /** A staged deployment: takes effect on the next boot. */
  staged: Deployment | undefined;
  /** The rollback deployment (the previous one), if any. */
  rollback: Deployment | undefined;
  /** What the next boot runs: the staged deployment, the rollback when a rollback is queued, else the booted one. */
  next: Deployment;
}

/** The running boot: its kernel boot ID and when it started (ms since the epoch). */
export interface BootInfo {
  id: string;
  startedAt: number;
}

/** How a host command failed. */
export type HostFailureKind = 'missing' | 'auth' | 'pull' | 'command';

/** A host command that failed: its command line, exit code and the tail of its stderr. */
export class HostCommandError extends Error {
  readonly command: readonly string[];
  readonly exitCode: number | null;
  readonly stderrTail: string;
  readonly kind: HostFailureKind;

  constructor(
    command: readonly string[],
    exitCode: number | null,
    stderrTail: string,
    kind: HostFailureKind,
  ) {
    super(
      `${command.join(' ')} failed${exitCode === null ? '' : ` (exit ${exitCode})`}${stderrTail ? `: ${stderrTail}` : ''}`,
    );
    this.name = 'HostCommandError';
    this.command = command;
    this.exitCode = exitCode;
    this.stderrTail = stderrTail;
    this.kind = kind;
  }
}

/** Units that would update or reboot the host on their own; masked at start by default. */
export const AUTO_UPDATE_UNITS = [
  'bootc-fetch-apply-updates.timer',
  'rpm-ostreed-automatic.timer',
  'zincati.service',
] as const;

/** What the agent does on the host. Every method is safe to call twice. */
export interface HostPort {
  /** `bootc`, `rpm-ostree` or `simulated`. */
  readonly tool: string;
  boot(): Promise<BootInfo>;
  /** @throws HostCommandError when the status cannot be read. */
  status(): Promise<HostStatus>;
  /**
   * Stages `image` (`repo@sha256:…`) for the next boot without rebooting; resolves when it is staged.
   * `signal` aborts it (the host command is stopped). @throws HostCommandError (kind auth, pull, …).
   */
  stage(image: string, signal: AbortSignal): Promise<void>;
  /** Queues the rollback deployment for the next boot (no download). */
  rollback(signal: AbortSignal): Promise<void>;
  /** Leaves nothing for another image to boot next: the next boot runs the booted image. */
  discard(status: HostStatus): Promise<void>;
  /** Asks the host to reboot (returns once the request is accepted). */
  reboot(): Promise<void>;
  /** Masks the host's automatic updaters; returns the units masked. */
  maskAutoUpdates(units: readonly string[]): Promise<string[]>;
  /** Whether the host has registry credentials for its image tool (`/etc/ostree/auth.json`). */
  hasRegistryCredentials(): Promise<boolean>;
}
