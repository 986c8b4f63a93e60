/**
 * The running boot, from the kernel: its boot ID (a new random UUID every boot) and its start time (`btime`
 * in /proc/stat). Both are kernel-wide, so the agent's container reads the host's values.
 */
import { readFile } from 'node:fs/promises';
import type { BootInfo } from './port.ts';

export interface BootFiles {
  bootId: string;
  stat: string;
}

export const KERNEL_BOOT_FILES: BootFiles = {
  bootId: '/proc/sys/kernel/random/boot_id',
  stat: '/proc/stat',
};

/** Reads the boot ID and start time. @throws Error naming the file when either is unreadable. */
export async function readBoot(files: BootFiles = KERNEL_BOOT_FILES): Promise<BootInfo> {
  const id = (await readFile(files.bootId, 'utf8')).trim();
  if (!id) throw new Error(`${files.bootId}: empty boot ID`);
  const stat = await readFile(files.stat, 'utf8');
  const btime = /^btime\s+(\d+)$/m.exec(stat);
  if (!btime) throw new Error(`${files.stat}: no btime line`);
  return { id, startedAt: Number(btime[1]) * 1000 };
}
