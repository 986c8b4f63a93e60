/**
 * Recording benchmark results: every benchmark writes `bench/results/<name>.json` (the figures, machine
 * readable) and `bench/results/<name>.md` (the same as a table, with the environment it ran in).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

/** One measured figure. */
export interface Figure {
  /** What was measured, e.g. "render, 100 MCs / 5,000 files (median)". */
  name: string;
  value: number;
  unit: string;
  /** Target from the issue, if any, e.g. "< 50 ms". */
  target?: string;
  /** Free text: the baseline it is compared with, the ratio, how it was measured. */
  note?: string;
}

/** Where results are written; exported for tests. */
export const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));

/** Median of a non-empty list of samples. */
export function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The q-quantile (0..1) of a non-empty list of samples, nearest rank. */
export function quantile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** The 1-minute load average when the benchmark's module was loaded (the machine may be shared). */
const loadAtStart = loadavg()[0]!;

/** Writes the figures of one benchmark and prints them. */
export function recordResults(name: string, description: string, figures: Figure[]): void {
  const environment = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    // Absolute times move with the machine's load: compare the ratios against the same run's baselines.
    loadAverage: { start: round2(loadAtStart), end: round2(loadavg()[0]!) },
  };
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(
    `${resultsDir}${name}.json`,
    `${JSON.stringify({ name, description, environment, figures }, null, 2)}\n`,
  );
  const rows = figures.map(
    (f) => `| ${f.name} | ${formatNumber(f.value)} ${f.unit} | ${f.target ?? ''} | ${f.note ?? ''} |`,
  );
  const md = [
    `# Benchmark: ${name}`,
    '',
    description,
    '',
    `Run ${environment.date} on Node ${environment.node}, ${environment.cores} × ${environment.cpu}, ${environment.memoryGiB} GiB; 1-minute load average ${environment.loadAverage.start} at the start, ${environment.loadAverage.end} at the end.`,
    '',
    '| figure | value | target | note |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  writeFileSync(`${resultsDir}${name}.md`, md);
  process.stdout.write(`${md}\n`);
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toPrecision(4);
}
