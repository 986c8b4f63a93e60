/**
 * The simulated fleet in a child process (`strata sim`), for the bench: the simulator's API servers and
 * daemons then get their own event loop instead of sharing one with the control plane under test. It
 * offers the part of the in-process `Fleet` the harness and bench use (clusters, clock, timeline read back
 * from the JSONL file, invariant checker, stop).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { resolveMaxUnavailable } from '../../functions/core/rollout/index.ts';
import {
  checkInvariants,
  type Fleet,
  loadScenario,
  type PoolLimit,
  type ScenarioInput,
  type TimelineEvent,
} from '../../sim/index.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Starts `strata sim` for `scenario` and resolves once its kubeconfig is written. */
export async function startFleetProcess(scenario: ScenarioInput, timeScale: number): Promise<Fleet> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-fleet-'));
  const scenarioFile = join(dir, 'scenario.yaml');
  const kubeconfigFile = join(dir, 'kubeconfig');
  const timelineFile = join(dir, 'timeline.jsonl');
  writeFileSync(scenarioFile, stringify(scenario));
  const loaded = loadScenario(scenarioFile);
  const child: ChildProcess = spawn(
    process.execPath,
    [
      'bin/strata.ts',
      'sim',
      '--scenario',
      scenarioFile,
      '--kubeconfig-out',
      kubeconfigFile,
      '--timeline',
      timelineFile,
      '--time-scale',
      String(timeScale),
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('kubeconfig:') && existsSync(kubeconfigFile)) resolve();
    });
    child.once('exit', (code) =>
      reject(new Error(`strata sim exited (${code}) before it was ready: ${out}`)),
    );
  });
  const started = Date.now();
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigFile);
  const limits: PoolLimit[] = loaded.clusters.flatMap((c) =>
    c.pools.map((p) => ({
      cluster: c.name,
      pool: p.name,
      maxUnavailable: resolveMaxUnavailable(
        p.maxUnavailable as number | `${number}%` | undefined,
        p.nodes.count,
      ),
    })),
  );
  const events = (): TimelineEvent[] =>
    existsSync(timelineFile)
      ? readFileSync(timelineFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as TimelineEvent)
      : [];
  const clusters = loaded.clusters.map((spec) => {
    const context = kc.getContextObject(spec.name)!;
    const cluster = kc.getCluster(context.cluster)!;
    const user = kc.getUser(context.user)!;
    return {
      name: spec.name,
      labels: { ...spec.labels },
      region: spec.region,
      server: cluster.server,
      token: user.token!,
      readOnlyToken: undefined,
      caData: cluster.caData!,
      kubeConfig: () => {
        const own = new KubeConfig();
        own.loadFromFile(kubeconfigFile);
        own.setCurrentContext(spec.name);
        return own;
      },
    };
  });
  const unavailable = (what: string) => () => {
    throw new Error(`${what} is not available for a fleet in a separate process`);
  };
  const fleet = {
    scenario: loaded,
    clusters,
    timeline: {
      get events() {
        return events();
      },
    },
    clock: { now: () => (Date.now() - started) * timeScale },
    cluster: (name: string) => clusters.find((c) => c.name === name)!,
    addNode: unavailable('addNode'),
    removeNode: unavailable('removeNode'),
    injectFault: unavailable('injectFault'),
    disconnectWatches: unavailable('disconnectWatches'),
    advance: unavailable('advance'),
    poolLimits: () => limits,
    checkInvariants: () => checkInvariants(events(), limits),
    writeKubeconfig: unavailable('writeKubeconfig'),
    stop: async () => {
      child.kill('SIGINT');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return fleet as unknown as Fleet;
}
