/**
 * Fleet benchmark (`npm run bench -- fleet`): what a rollout costs per node update as fleets grow, on both
 * drivers, with the queues delivering as SQS does (every message sent is delivered, none merged).
 *
 * Each fleet (clusters × nodes per pool) and driver runs in its own child process (this file with
 * STRATA_FLEET_ONE=driver:CxN), with the simulator in a process of its own (`strata sim`): the real handlers,
 * dynalite, in-process queues and watch relays, at a scaled simulated time (91 s per node update). Counted
 * over the rollout only (from its start to Completed; the benchmark's own status polls are not counted):
 * DynamoDB requests and units, SQS requests as SQS bills them, handler invocations and GB-s, Kubernetes
 * requests, bytes and connections, the control plane's CPU; the makespan against the ideal. The parent
 * writes bench/results/fleet.{json,md}: per fleet and driver, the figures per node update, the cost per
 * 10,000 node updates with its arithmetic, and the growth table (largest over smallest fleet).
 *
 * STRATA_FLEET_SIZES (default `4x5,20x20,50x40,10x100`) and STRATA_FLEET_DRIVERS (default `agent,mco`)
 * choose what runs.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { RolloutStrategy } from '../functions/core/model.ts';
import { resolveMaxUnavailable } from '../functions/core/rollout/index.ts';
import { digestOf, startHarness } from '../test/rollout/harness.ts';
import { fleetScenario, mcoFleetScenario } from '../test/rollout/scenarios.ts';
import { type Figure, median, recordResults } from './support/results.ts';
import {
  dynamoUsage,
  type Invocations,
  kubeUsage,
  meteredDoc,
  resetDynamo,
  timedHandlers,
} from './support/usage.ts';

/** Simulated seconds per wall second. */
const TIME_SCALE = 30;
/** The simulated node update: react 5 s + rebase 50 s + reboot 36 s. */
const TIMING = { react: '5s', rebase: '50s', reboot: '36s', evictionReturn: '10s' };
const NOMINAL_UPDATE_S = 91;
const MAX_UNAVAILABLE = '20%';
const POLL_SECONDS = 10;

/** AWS list prices, us-east-1, on-demand, no free tier. */
const PRICE = {
  rruPerMillion: 0.125,
  wruPerMillion: 0.625,
  sqsPerMillion: 0.4,
  lambdaPerMillion: 0.2,
  lambdaGbSecond: 0.0000133334,
  // The stack's functions: arm64 at 512 MB (lib/control-plane.ts).
  lambdaMemoryGb: 0.5,
};

type Driver = 'agent' | 'mco';

/** One fleet's measurements, per node update unless named otherwise. */
interface Run {
  driver: Driver;
  clusters: number;
  nodesPerPool: number;
  status: string;
  violations: number;
  nodeUpdates: number;
  updateSecondsMedian: number;
  makespanSeconds: number;
  idealSeconds: number;
  dynamo: { reads: number; writes: number; rru: number; wru: number; refused: number };
  sqs: { sent: number; delivered: number; requests: number; byQueue: Record<string, number> };
  lambda: {
    invocations: number;
    gbSeconds: number;
    byHandler: Record<string, { count: number; ms: number }>;
  };
  kube: { requests: number; bytes: number; nodeLists: number; connections: number; watchBytes: number };
  cpuMs: number;
  load: { start: number; end: number };
  wallSeconds: number;
}

/** Runs one fleet and driver in this process; returns its measurements. */
async function runOne(driver: Driver, clusters: number, nodes: number): Promise<Run> {
  const names = Array.from({ length: clusters }, (_, i) => `c${String(i).padStart(3, '0')}`);
  const scenario =
    driver === 'mco'
      ? mcoFleetScenario({
          clusters: names.map((name) => ({ name, nodes, maxUnavailable: MAX_UNAVAILABLE })),
          timing: TIMING,
        })
      : fleetScenario({
          clusters: names.map((name) => ({ name, nodes, maxUnavailable: MAX_UNAVAILABLE })),
          timing: TIMING,
          replicas: 6,
          pdb: false,
        });
  const dynamo = dynamoUsage();
  const kube = kubeUsage();
  const invocations: Invocations = {};
  const h = await startHarness({
    scenario,
    timeScale: TIME_SCALE,
    fleetProcess: true,
    settings: { pollSeconds: POLL_SECONDS },
    concurrency: 10,
    instrumentDoc: (doc) => meteredDoc(doc, dynamo),
    instrumentHandler: timedHandlers(invocations),
  });
  try {
    // Baselines first (every pool's config recorded), then count only the rollout.
    await h.waitUntil(
      async () => {
        for (const name of names) if ((await h.pool(name, 'worker')).lastCompleted === null) return false;
        return true;
      },
      'baselines',
      600_000,
    );
    await h.queues.reconcile.idle();
    await h.queues.events.idle();
    resetDynamo(dynamo);
    kube.reset();
    for (const k of Object.keys(invocations)) delete invocations[k];
    const q = h.queues;
    const sent0 = { plan: q.plan.stats.sent, reconcile: q.reconcile.stats.sent, events: q.events.stats.sent };
    const got0 = q.plan.stats.delivered + q.reconcile.stats.delivered + q.events.stats.delivered;
    const load0 = loadavg()[0]!;
    const cpu0 = process.cpuUsage();
    const wall0 = Date.now();
    const t0 = h.fleet.clock.now();
    const strategy: RolloutStrategy = {
      waves: [],
      maxConcurrentClusters: clusters,
      soakSeconds: 0,
      poolFailureBudget: 0,
      fleetFailureBudget: 0,
      onFailure: 'halt',
    };
    const id = await h.startRollout({ track: 'prod', digest: digestOf('fleet'), strategy });
    const end = await h.waitForStatus(id, ['Completed', 'Halted'], 3_600_000);
    const makespanMs = h.fleet.clock.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const wallSeconds = (Date.now() - wall0) / 1000;
    const load1 = loadavg()[0]!;
    const byQueue = {
      plan: q.plan.stats.sent - sent0.plan,
      reconcile: q.reconcile.stats.sent - sent0.reconcile,
      clusterEvent: q.events.stats.sent - sent0.events,
    };
    const delivered = q.plan.stats.delivered + q.reconcile.stats.delivered + q.events.stats.delivered - got0;
    const snapshot = {
      dynamo: { ...dynamo },
      kube: { ...kube.usage },
      invocations: structuredClone(invocations),
    };
    await new Promise((r) => setTimeout(r, 500));
    const report = h.fleet.checkInvariants();
    const events = h.fleet.timeline.events.filter((e) => e.t >= t0);
    const updateTimes: number[] = [];
    const since = new Map<string, number>();
    for (const e of events) {
      const key = `${e.cluster}/${e.node}`;
      if (e.kind === 'desired' && !since.has(key)) since.set(key, e.t);
      if (e.kind === 'done' && since.has(key)) {
        updateTimes.push(e.t - since.get(key)!);
        since.delete(key);
      }
    }
    const nodeUpdates = updateTimes.length;
    const updateMs = median(updateTimes);
    const k = resolveMaxUnavailable(MAX_UNAVAILABLE, nodes);
    const per = (n: number) => n / nodeUpdates;
    const sent = byQueue.plan + byQueue.reconcile + byQueue.clusterEvent;
    const handlerMs = Object.values(snapshot.invocations).reduce((a, x) => a + x.ms, 0);
    const count = Object.values(snapshot.invocations).reduce((a, x) => a + x.count, 0);
    return {
      driver,
      clusters,
      nodesPerPool: nodes,
      status: end.status,
      violations: report.violations.length,
      nodeUpdates,
      updateSecondsMedian: updateMs / 1000,
      makespanSeconds: makespanMs / 1000,
      idealSeconds: (Math.ceil(nodes / k) * updateMs) / 1000,
      dynamo: {
        reads: per(snapshot.dynamo.reads),
        writes: per(snapshot.dynamo.writes),
        rru: per(snapshot.dynamo.rru),
        wru: per(snapshot.dynamo.wru),
        refused: per(snapshot.dynamo.refused),
      },
      // As SQS bills them: a SendMessage per message sent, a ReceiveMessage and a DeleteMessage per delivery
      // (the event source receives and deletes in batches when messages queue up; one each is the upper
      // bound), 64 KB chunks (every message here is far smaller).
      sqs: {
        sent: per(sent),
        delivered: per(delivered),
        requests: per(sent + 2 * delivered),
        byQueue: Object.fromEntries(Object.entries(byQueue).map(([k2, v]) => [k2, per(v)])),
      },
      lambda: {
        invocations: per(count),
        gbSeconds: per((handlerMs / 1000) * PRICE.lambdaMemoryGb),
        byHandler: snapshot.invocations,
      },
      kube: {
        requests: per(snapshot.kube.requests),
        bytes: per(snapshot.kube.bytes),
        nodeLists: per(snapshot.kube.nodeLists),
        connections: snapshot.kube.connections,
        watchBytes: per(snapshot.kube.watchBytes),
      },
      cpuMs: per((cpu.user + cpu.system) / 1000),
      load: { start: load0, end: load1 },
      wallSeconds,
    };
  } finally {
    await h.stop();
  }
}

/** Dollars per 10,000 node updates, and the arithmetic. */
function costOf(r: Run): { total: number; arithmetic: string } {
  const n = 10_000;
  const rru = r.dynamo.rru * n;
  const wru = r.dynamo.wru * n;
  const sqs = r.sqs.requests * n;
  const inv = r.lambda.invocations * n;
  const gbs = r.lambda.gbSeconds * n;
  const dynamo = (rru / 1e6) * PRICE.rruPerMillion + (wru / 1e6) * PRICE.wruPerMillion;
  const queue = (sqs / 1e6) * PRICE.sqsPerMillion;
  const lambda = (inv / 1e6) * PRICE.lambdaPerMillion + gbs * PRICE.lambdaGbSecond;
  const total = dynamo + queue + lambda;
  const arithmetic =
    `DynamoDB ${rru.toFixed(0)} RRU × $${PRICE.rruPerMillion}/M + ${wru.toFixed(0)} WRU × $${PRICE.wruPerMillion}/M = $${dynamo.toFixed(4)}; ` +
    `SQS ${sqs.toFixed(0)} requests × $${PRICE.sqsPerMillion}/M = $${queue.toFixed(4)}; ` +
    `Lambda ${inv.toFixed(0)} invocations × $${PRICE.lambdaPerMillion}/M + ${gbs.toFixed(1)} GB-s × $${PRICE.lambdaGbSecond}/GB-s = $${lambda.toFixed(4)}`;
  return { total, arithmetic };
}

const one = process.env.STRATA_FLEET_ONE;
if (one) {
  const [driver, size] = one.split(':') as [Driver, string];
  const [c, n] = size.split('x').map(Number) as [number, number];
  const result = await runOne(driver, c, n);
  process.stdout.write(`FLEET-RESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
}

const sizes = (process.env.STRATA_FLEET_SIZES ?? '4x5,20x20,50x40,10x100').split(',');
const drivers = (process.env.STRATA_FLEET_DRIVERS ?? 'agent,mco').split(',') as Driver[];
const runs: Run[] = [];
const failures: string[] = [];
const self = fileURLToPath(import.meta.url);
for (const driver of drivers) {
  for (const size of sizes) {
    process.stderr.write(`fleet: ${driver} ${size}…\n`);
    const child = spawnSync(process.execPath, [self], {
      env: { ...process.env, STRATA_FLEET_ONE: `${driver}:${size}` },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 * 2 ** 20,
      timeout: 3_600_000,
    });
    const line = child.stdout?.split('\n').find((l) => l.startsWith('FLEET-RESULT '));
    if (!line) {
      failures.push(`${driver} ${size}: exited ${child.status ?? child.signal} without a result`);
      continue;
    }
    const run = JSON.parse(line.slice('FLEET-RESULT '.length)) as Run;
    runs.push(run);
    process.stderr.write(
      `fleet: ${driver} ${size}: ${run.status}, ${run.nodeUpdates} updates, makespan ${run.makespanSeconds.toFixed(0)} s / ideal ${run.idealSeconds.toFixed(0)} s, $${costOf(run).total.toFixed(4)} per 10k\n`,
    );
  }
}

const label = (r: Run) => `${r.driver} ${r.clusters}×${r.nodesPerPool}`;
const figures: Figure[] = [];
for (const r of runs) {
  const cost = costOf(r);
  const handlers = Object.entries(r.lambda.byHandler)
    .map(([k, v]) => `${k} ${v.count} (${(v.ms / v.count).toFixed(1)} ms avg)`)
    .join(', ');
  figures.push(
    {
      name: `${label(r)}: rollout`,
      value: r.nodeUpdates,
      unit: 'node updates',
      note: `${r.status}; ${r.violations} invariant violations; median update ${r.updateSecondsMedian.toFixed(1)} s simulated (nominal ${NOMINAL_UPDATE_S} s); ${r.wallSeconds.toFixed(0)} s wall; 1-min load ${r.load.start.toFixed(1)} → ${r.load.end.toFixed(1)}`,
    },
    {
      name: `${label(r)}: makespan / ideal`,
      value: r.makespanSeconds / r.idealSeconds,
      unit: '×',
      target: '≤ 1.05 at 2,000 nodes',
      note: `${r.makespanSeconds.toFixed(0)} s against ceil(n/k) × median update = ${r.idealSeconds.toFixed(0)} s (simulated)`,
    },
    {
      name: `${label(r)}: cost per 10,000 node updates`,
      value: cost.total,
      unit: 'USD',
      target: '≤ 0.10',
      note: cost.arithmetic,
    },
    {
      name: `${label(r)}: DynamoDB per node update`,
      value: r.dynamo.rru + r.dynamo.wru,
      unit: 'units',
      note: `${r.dynamo.reads.toFixed(1)} reads (${r.dynamo.rru.toFixed(1)} RRU), ${r.dynamo.writes.toFixed(1)} writes (${r.dynamo.wru.toFixed(1)} WRU), ${r.dynamo.refused.toFixed(2)} refused by the version check`,
    },
    {
      name: `${label(r)}: SQS requests per node update`,
      value: r.sqs.requests,
      unit: 'requests',
      note: `${r.sqs.sent.toFixed(1)} sent (plan ${r.sqs.byQueue.plan?.toFixed(2)}, reconcile ${r.sqs.byQueue.reconcile?.toFixed(1)}, cluster events ${r.sqs.byQueue.clusterEvent?.toFixed(1)}) + receive and delete per delivery (${r.sqs.delivered.toFixed(1)})`,
    },
    {
      name: `${label(r)}: Lambda per node update`,
      value: r.lambda.invocations,
      unit: 'invocations',
      note: `${r.lambda.gbSeconds.toFixed(3)} GB-s (512 MB × measured handler time); ${handlers}`,
    },
    {
      name: `${label(r)}: Kubernetes per node update`,
      value: r.kube.bytes / 1024,
      unit: 'KB',
      note: `${r.kube.requests.toFixed(1)} requests, ${r.kube.nodeLists.toFixed(2)} node LISTs; ${r.kube.connections} connections (TLS handshakes) over the rollout; relay watch traffic (in the cluster, not counted) ${(r.kube.watchBytes / 1024).toFixed(1)} KB`,
    },
    {
      name: `${label(r)}: control-plane CPU per node update`,
      value: r.cpuMs,
      unit: 'ms',
      target: '≤ 20 ms',
      note: 'CPU of the process running the handlers, which also runs dynalite, the queues and the relays',
    },
  );
}
// Growth: largest over smallest fleet, per driver.
for (const driver of drivers) {
  const mine = runs.filter((r) => r.driver === driver);
  if (mine.length < 2) continue;
  const small = mine[0]!;
  const large = mine[mine.length - 1]!;
  const ratio = (f: (r: Run) => number) => f(large) / f(small);
  const rows: [string, (r: Run) => number][] = [
    ['DynamoDB units', (r) => r.dynamo.rru + r.dynamo.wru],
    ['SQS requests', (r) => r.sqs.requests],
    ['Kubernetes bytes', (r) => r.kube.bytes],
    ['Lambda invocations', (r) => r.lambda.invocations],
    ['cost', (r) => costOf(r).total],
  ];
  for (const [what, f] of rows) {
    figures.push({
      name: `growth ${driver}: ${what} per node update, ${label(large)} / ${label(small)}`,
      value: ratio(f),
      unit: '×',
      target: what === 'cost' || what === 'Lambda invocations' ? '' : '≤ 1.3',
      note: mine.map((r) => `${r.clusters}×${r.nodesPerPool}: ${f(r).toPrecision(4)}`).join('; '),
    });
  }
}
for (const f of failures) figures.push({ name: `not measured: ${f}`, value: 0, unit: '' });

recordResults(
  'fleet',
  `Rollouts on fleets of clusters × nodes per pool (${sizes.join(', ')}), drivers ${drivers.join(' and ')} (agent: clusters whose daemons follow MCO's node annotations; mco: OpenShift clusters running MCO's controllers), maxUnavailable ${MAX_UNAVAILABLE}, one wave with every cluster at once, no soak. The simulator runs in its own process (\`strata sim\`) at time scale ${TIME_SCALE} (a node update is ${NOMINAL_UPDATE_S} s simulated, about ${(NOMINAL_UPDATE_S / TIME_SCALE).toFixed(1)} s wall); the control plane is the real handlers over dynalite, in-process queues with SQS semantics (every message sent is delivered, none merged) and in-process watch relays; poll ${POLL_SECONDS} s. Everything is counted from the rollout's start to Completed; the benchmark's own status polls are not. Per fleet the ideal makespan is ceil(n/k) × the median node update; cost at AWS list prices (us-east-1: DynamoDB on-demand, SQS standard, Lambda arm64 512 MB; no free tier), one message per invocation (an upper bound: Lambda's batches of 5–10 would need fewer invocations).`,
  figures,
);
if (failures.length > 0 || runs.some((r) => r.violations > 0 || r.status !== 'Completed'))
  process.exitCode = 1;
