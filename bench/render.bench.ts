/**
 * `npm run bench -- render`: renders one pool from 100 MachineConfigs carrying 5,000 files and 200 units
 * (about 5 MB of MachineConfig JSON; MCO's 1.5 MB limit on the rendered MC is lifted for the measurement), as
 * the rollout engine does with objects read from a cluster, and compares with the floor: JSON.parse + JSON.stringify of the same bytes, measured in the same run.
 */

import { loadavg } from 'node:os';
import { type MachineConfig, type MachineConfigPool, renderPool } from '../functions/core/render/index.ts';
import { median, quantile, recordResults } from './support/results.ts';

const MCS = 100;
const FILES = 5_000;
const UNITS = 200;
const RUNS = 15;
const WARMUP = 3;

const pool: MachineConfigPool = {
  apiVersion: 'machineconfiguration.openshift.io/v1',
  kind: 'MachineConfigPool',
  metadata: { name: 'worker' },
  spec: { machineConfigSelector: { matchLabels: { 'machineconfiguration.openshift.io/role': 'worker' } } },
};

/** Deterministic pseudo-random text, so every run measures the same input. */
function text(seed: number, length: number): string {
  const words = [
    'alpha',
    'beta',
    'gamma',
    'delta',
    'kube',
    'node',
    'pool',
    'config',
    'image',
    'layer',
    'rollout',
  ];
  let out = '';
  let x = seed;
  while (out.length < length) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    out += `${words[x % words.length]}${x % 7 === 0 ? '\n' : ' '}`;
  }
  return out.slice(0, length);
}

function machineConfigs(): MachineConfig[] {
  const out: MachineConfig[] = [];
  for (let m = 0; m < MCS; m++) {
    const files = [];
    for (let f = 0; f < FILES / MCS; f++) {
      const n = m * (FILES / MCS) + f;
      // Some paths repeat across MCs so the merge has real work to do.
      const path = n % 10 === 0 ? `/etc/shared/file-${n % 500}.conf` : `/etc/strata/mc-${m}/file-${f}.conf`;
      const body = text(n, 650);
      files.push({
        path,
        mode: 0o644,
        overwrite: n % 3 === 0 ? undefined : true,
        user: { name: 'root' },
        contents:
          n % 2 === 0
            ? { source: `data:,${encodeURIComponent(body)}` }
            : { source: `data:text/plain;base64,${Buffer.from(body).toString('base64')}` },
      });
    }
    const units = [];
    for (let u = 0; u < UNITS / MCS; u++) {
      units.push({
        name: `strata-${m}-${u}.service`,
        enabled: true,
        contents: `[Unit]\nDescription=${text(m * 10 + u, 120).replaceAll('\n', ' ')}\n\n[Service]\nType=oneshot\nExecStart=/usr/bin/true\n\n[Install]\nWantedBy=multi-user.target\n`,
        dropins: [{ name: '10-env.conf', contents: `[Service]\nEnvironment=MC=${m}\n` }],
      });
    }
    out.push({
      apiVersion: 'machineconfiguration.openshift.io/v1',
      kind: 'MachineConfig',
      metadata: {
        name: `50-worker-${String(m).padStart(3, '0')}`,
        labels: { 'machineconfiguration.openshift.io/role': 'worker' },
      },
      spec: {
        config: {
          ignition: { version: m % 4 === 0 ? '3.2.0' : '3.5.0' },
          storage: { files },
          systemd: { units },
          passwd: { users: [{ name: 'core', sshAuthorizedKeys: [`ssh-ed25519 AAAA${m} user${m}@example`] }] },
        },
        kernelArguments: [`strata.mc=${m}`],
      },
    });
  }
  return out;
}

/** Wall time and CPU time (user + system) of one call, in ms. */
function time(fn: () => void): number {
  const start = performance.now();
  const cpu = process.cpuUsage();
  fn();
  const used = process.cpuUsage(cpu);
  lastCpu = (used.user + used.system) / 1000;
  return performance.now() - start;
}
let lastCpu = 0;

const mcs = machineConfigs();
const json = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: mcs });
const megabytes = Buffer.byteLength(json) / 1e6;

let name = '';
const renderSamples: number[] = [];
const renderCpuSamples: number[] = [];
const floorCpuSamples: number[] = [];
const endToEndSamples: number[] = [];
const floorSamples: number[] = [];
for (let i = 0; i < WARMUP + RUNS; i++) {
  globalThis.gc?.();
  const floor = time(() => {
    JSON.stringify(JSON.parse(json));
  });
  const floorCpu = lastCpu;
  globalThis.gc?.();
  const render = time(() => {
    name = renderPool({
      pool,
      machineConfigs: mcs,
      baseOSImage: 'quay.io/openshift/base@sha256:00',
      sizeLimit: Number.POSITIVE_INFINITY,
    }).name;
  });
  const renderCpu = lastCpu;
  globalThis.gc?.();
  const endToEnd = time(() => {
    const items = (JSON.parse(json) as { items: MachineConfig[] }).items;
    renderPool({
      pool,
      machineConfigs: items,
      baseOSImage: 'quay.io/openshift/base@sha256:00',
      sizeLimit: Number.POSITIVE_INFINITY,
    });
  });
  if (i >= WARMUP) {
    floorSamples.push(floor);
    renderSamples.push(render);
    renderCpuSamples.push(renderCpu);
    floorCpuSamples.push(floorCpu);
    endToEndSamples.push(endToEnd);
  }
}

const render = median(renderSamples);
const endToEnd = median(endToEndSamples);
const floor = median(floorSamples);
const renderCpu = median(renderCpuSamples);
const floorCpu = median(floorCpuSamples);
const load = loadavg()[0]!.toFixed(1);
recordResults(
  'render',
  `Render one pool from ${MCS} MachineConfigs with ${FILES.toLocaleString('en-US')} files and ${UNITS} units in total ` +
    `(${megabytes.toFixed(1)} MB of MachineConfig JSON; rendered name ${name}). Median of ${RUNS} runs after ${WARMUP} warm-up runs, ` +
    `in one process; load average ${load} on ${'the machine'} when it finished (wall times grow with load, CPU times much less). ` +
    'Floor: JSON.parse + JSON.stringify of the same bytes, measured in the same runs.',
  [
    {
      name: 'renderPool, parsed MachineConfigs (median)',
      value: Number(render.toFixed(1)),
      unit: 'ms',
      target: '< 50 ms',
      note: `p90 ${quantile(renderSamples, 0.9).toFixed(1)} ms; ${(megabytes / (render / 1000)).toFixed(0)} MB/s; ${(render / floor).toFixed(2)}× the floor`,
    },
    {
      name: 'renderPool, parsed MachineConfigs, CPU time (median)',
      value: Number(renderCpu.toFixed(1)),
      unit: 'ms',
      target: '< 50 ms',
      note: `floor CPU time ${floorCpu.toFixed(1)} ms; ${(renderCpu / floorCpu).toFixed(2)}× the floor`,
    },
    {
      name: 'JSON.parse + renderPool, from JSON text (median)',
      value: Number(endToEnd.toFixed(1)),
      unit: 'ms',
      note: `${(megabytes / (endToEnd / 1000)).toFixed(0)} MB/s; ${(endToEnd / floor).toFixed(2)}× the floor`,
    },
    {
      name: 'floor: JSON.parse + JSON.stringify (median)',
      value: Number(floor.toFixed(1)),
      unit: 'ms',
      note: `${(megabytes / (floor / 1000)).toFixed(0)} MB/s`,
    },
    {
      name: 'input size',
      value: Number(megabytes.toFixed(2)),
      unit: 'MB',
      note: 'MachineConfig List as JSON',
    },
  ],
);
