/**
 * What a benchmark reads of its own process: resident memory after a full collection (run with
 * `--expose-gc` for that; without it the figure includes garbage) and CPU time used since a mark.
 */

/** Bytes in a mebibyte. */
export const MiB = 2 ** 20;

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

/** Resident memory in bytes, read after two collections (the second frees what the first finalised). */
export function rss(): number {
  gc();
  gc();
  return process.memoryUsage().rss;
}

/** CPU (user + system) used since `since` (a `process.cpuUsage()` mark), in milliseconds. */
export function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

/** Waits `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
