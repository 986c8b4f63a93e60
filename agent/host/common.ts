/**
 * What the bootc and rpm-ostree hosts share: the boot, the reboot, masking the auto-updaters, the
 * registry credentials file, and staging in a named transient systemd unit (`systemd-run --wait`), so
 * that a staging the agent abandons (timeout, new target, agent restart) is stopped on the host too.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { type BootFiles, KERNEL_BOOT_FILES, readBoot } from './boot.ts';
import type { HostCommandRunner } from './exec.ts';
import type { BootInfo } from './port.ts';

/** The transient unit a staging runs in. */
export const STAGING_UNIT = 'strata-agent-stage.service';

export interface CommandHost {
  /** Where the host's root filesystem is mounted in the agent's pod (default `/host`). */
  hostRoot?: string;
  bootFiles?: BootFiles;
}

export interface CommonHost {
  boot(): Promise<BootInfo>;
  reboot(): Promise<void>;
  maskAutoUpdates(units: readonly string[]): Promise<string[]>;
  hasRegistryCredentials(): Promise<boolean>;
  /** Runs a staging command in {@link STAGING_UNIT}, after stopping any earlier one. */
  inStagingUnit(argv: readonly string[], signal: AbortSignal): Promise<void>;
}

export function commonHost(run: HostCommandRunner, options: CommandHost): CommonHost {
  const hostRoot = options.hostRoot ?? '/host';
  const stopUnit = async () => {
    // Not loaded (nothing running) is the usual answer: success either way.
    await run.run(['systemctl', 'stop', STAGING_UNIT]).catch(() => undefined);
  };
  return {
    boot: () => readBoot(options.bootFiles ?? KERNEL_BOOT_FILES),
    async reboot() {
      await run.run(['systemctl', 'reboot']);
    },
    async maskAutoUpdates(units) {
      const masked: string[] = [];
      for (const unit of units) {
        // `mask` works for units the host does not have (it links them to /dev/null); stopping them may not.
        await run.run(['systemctl', 'mask', unit]);
        await run.run(['systemctl', 'stop', unit]).catch(() => undefined);
        masked.push(unit);
      }
      return masked;
    },
    async hasRegistryCredentials() {
      try {
        await access(join(hostRoot, 'etc/ostree/auth.json'));
        return true;
      } catch {
        return false;
      }
    },
    async inStagingUnit(argv, signal) {
      await stopUnit();
      // Aborted: stop the unit on the host, and settle only once it is stopped.
      let stopping: Promise<void> | undefined;
      const onAbort = () => {
        stopping = stopUnit();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        await run.run(
          [
            'systemd-run',
            '--wait',
            '--collect',
            '--pipe',
            '--quiet',
            `--unit=${STAGING_UNIT}`,
            '--',
            ...argv,
          ],
          { signal },
        );
      } finally {
        signal.removeEventListener('abort', onAbort);
        await stopping;
      }
    },
  };
}
