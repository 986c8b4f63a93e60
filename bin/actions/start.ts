/**
 * `strata start` (`npm start`): runs Strata on this machine (local/start.ts): the control plane on embedded
 * parts, the admin API, and a simulated fleet, or real clusters from `--config`. With a simulated fleet it
 * runs the demo: a track, a published image (declared digest), the rollout shown wave by wave, cluster by
 * cluster, pool by pool, and the final pools table. Serves until Ctrl-C; `--exit-when-done` exits after
 * the demo with the simulator's invariant check as the verdict.
 */
import { isIP } from 'node:net';
import cliProgress from 'cli-progress';
import type { PoolView, RolloutDescription } from '../../functions/core/admin/index.ts';
import { rolloutId, type Track } from '../../functions/core/model.ts';
import { isTerminal } from '../../functions/core/rollout/lifecycle.ts';
import type { RunningStrata, StartConfig } from '../../local/start.ts';
import type { Scenario } from '../../sim/index.ts';
import { CliError, EXIT_USAGE } from '../cli-error.ts';
import { AdminApiError, type AdminClient, createAdminClient } from '../client/index.ts';
import { formatItems } from './get.ts';

interface StartOptions {
  scenario?: string;
  config?: string;
  port: string;
  host: string;
  requireToken?: boolean;
  allowHost?: string[];
  dataDir?: string;
  exitWhenDone?: boolean;
  timeline?: string;
  timeScale?: string;
  buildInterval?: string;
  demo: boolean;
  kubeconfigOut?: string;
}

function positiveNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new CliError(`${flag}: expected a positive number, got "${value}"`, EXIT_USAGE);
  return n;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new CliError(`--port: expected an integer 0..65535, got "${value}"`, EXIT_USAGE);
  }
  return n;
}

/** An IP address (brackets allowed around IPv6) or a host name; returned without brackets. */
function bindAddress(value: string): string {
  const bare = value.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare) || /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(bare)) return bare;
  throw new CliError(`--host: expected an IP address or a host name, got "${value}"`, EXIT_USAGE);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Shows a rollout's progress: a multibar on a terminal, periodic plain lines otherwise. */
interface ProgressView {
  update(d: RolloutDescription): void;
  stop(): void;
}

function barsView(): ProgressView {
  const multibar = new cliProgress.MultiBar(
    {
      format: ' {label} {bar} {value}/{total} {status}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      autopadding: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, cliProgress.SingleBar>();
  const set = (key: string, label: string, value: number, total: number, status: string) => {
    let bar = bars.get(key);
    if (!bar) {
      bar = multibar.create(Math.max(total, 1), 0, { label, status });
      bars.set(key, bar);
    }
    bar.setTotal(Math.max(total, 1));
    bar.update(value, { label, status });
  };
  const width = 34;
  return {
    update(d) {
      set(
        'rollout',
        `rollout ${d.rollout.id}`.padEnd(width),
        d.waves.filter((w) => w.phase === 'done').length,
        d.waves.length,
        d.rollout.status,
      );
      for (const w of d.waves) {
        const done = w.clusters.filter((c) => c.phase === 'done').length;
        set(
          `wave/${w.name}`,
          `  wave ${w.index + 1} ${w.name}`.padEnd(width),
          done,
          w.clusters.length,
          w.phase,
        );
        for (const c of w.clusters) {
          for (const p of c.pools) {
            const total = p.machineCount ?? 0;
            const status = p.done
              ? 'done'
              : p.inFlight.length > 0
                ? `updating ${p.inFlight.join(',')}`
                : c.phase;
            set(
              `pool/${c.id}/${p.pool}`,
              `    ${c.id}/${p.pool}`.padEnd(width),
              p.updatedMachineCount ?? 0,
              total,
              status,
            );
          }
        }
      }
    },
    stop: () => multibar.stop(),
  };
}

function linesView(write: (line: string) => void, started: number): ProgressView {
  let last = 0;
  let lastText = '';
  return {
    update(d) {
      const now = Date.now();
      const terminal = isTerminal(d.rollout.status);
      if (!terminal && now - last < 2000) return;
      last = now;
      const waves = d.waves.map((w) => {
        const pools = w.clusters.flatMap((c) =>
          c.pools.map((p) => `${c.id}/${p.pool} ${p.updatedMachineCount ?? 0}/${p.machineCount ?? '?'}`),
        );
        return `wave ${w.index + 1} ${w.name} (${w.phase}): ${pools.join(', ')}`;
      });
      const text = `rollout ${d.rollout.id} ${d.rollout.status}; ${waves.join('; ')}`;
      if (text === lastText) return;
      lastText = text;
      write(`[${((now - started) / 1000).toFixed(1).padStart(5)}s] ${text}`);
    },
    stop: () => {},
  };
}

/** Applies the demo track, publishes the demo image and returns the rollout id. */
async function startDemo(
  client: AdminClient,
  write: (line: string) => void,
  { DEMO_TRACK, DEMO_IMAGE }: { DEMO_TRACK: Track; DEMO_IMAGE: { reference: string; digest: string } },
): Promise<string> {
  await client.put(`/tracks/${DEMO_TRACK.name}`, {
    ...DEMO_TRACK,
    image: `${DEMO_TRACK.image.host}/${DEMO_TRACK.image.repository}:${DEMO_TRACK.image.tag}`,
  });
  write(
    `track ${DEMO_TRACK.name}: follows ${DEMO_IMAGE.reference}; waves canary (env=dev), then the rest (3 clusters at a time)`,
  );
  const expected = rolloutId(DEMO_TRACK.name, DEMO_IMAGE.digest);
  const earlier = await client.get<{ items: { id: string; status: string }[] }>('/rollouts');
  const recorded = earlier.items.find((r) => r.id === expected);
  if (recorded) {
    write(
      `rollout ${expected} is already recorded (${recorded.status}, from an earlier run with this --data-dir): ` +
        "this run's new simulated nodes are reconciled to it",
    );
  }
  const out = await client.post<{ rollouts: string[] }>('/publish', {
    image: DEMO_IMAGE.reference,
    digest: DEMO_IMAGE.digest,
  });
  write(
    `published ${DEMO_IMAGE.reference}@${DEMO_IMAGE.digest}\n` +
      '  (demo digest: declared with the push, not resolved from any registry; the image queue and image-push run as for a real push)',
  );
  const id = out.rollouts[0];
  if (!id) throw new CliError('demo: publishing started no rollout (is the demo track applied?)');
  return id;
}

async function waitForRollout(
  client: AdminClient,
  id: string,
  view: ProgressView,
  stopped: () => boolean,
  converged: () => boolean,
): Promise<RolloutDescription | null> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (stopped()) return null;
    try {
      const d = await client.get<RolloutDescription>(`/rollouts/${id}`);
      view.update(d);
      // A completed rollout is done once the fleet itself shows it (with --data-dir the record may be
      // from an earlier run while this run's simulated nodes still converge to it).
      if (
        d.rollout.status === 'Completed'
          ? converged()
          : isTerminal(d.rollout.status) || d.rollout.status === 'Halted'
      )
        return d;
    } catch (error) {
      if (!(error instanceof AdminApiError && error.status === 404) || Date.now() > deadline) throw error;
    }
    await sleep(250);
  }
}

/** `strata start`: serves until Ctrl-C (or the end of the demo with `--exit-when-done`). */
export async function start(options: StartOptions): Promise<void> {
  const write = (line: string) => process.stdout.write(`${line}\n`);
  const timeScale = positiveNumber('--time-scale', options.timeScale);
  const buildInterval = positiveNumber('--build-interval', options.buildInterval);
  const listenPort = port(options.port);
  const host = bindAddress(options.host);
  if (options.exitWhenDone && !options.demo) {
    throw new CliError('--exit-when-done: needs the demo (drop --no-demo)', EXIT_USAGE);
  }
  // Loaded once the options are known to be usable: the runtime and the simulator take a while to load.
  const { DEMO_IMAGE, DEMO_TRACK, demoConverged, loadStartConfig, StartConfigError, startStrata } =
    await import('../../local/start.ts');
  const { AccessTokenError } = await import('../../local/access-token.ts');
  const { loadScenario, ScenarioError } = await import('../../sim/index.ts');
  let config: StartConfig | undefined;
  let scenario: Scenario | undefined;
  try {
    if (options.config) config = loadStartConfig(options.config);
    if (options.scenario || !config || config.clusters.length === 0)
      scenario = loadScenario(options.scenario);
  } catch (error) {
    if (error instanceof StartConfigError || error instanceof ScenarioError)
      throw new CliError(error.message);
    throw error;
  }
  if (options.exitWhenDone && (!scenario || !options.demo)) {
    throw new CliError(
      '--exit-when-done: needs the demo on a simulated fleet (drop --no-demo, or give --scenario)',
      EXIT_USAGE,
    );
  }

  const started = Date.now();
  const tty = process.stdout.isTTY === true;
  let view: ProgressView | null = null;
  const warnings: string[] = [];
  let strata: RunningStrata;
  try {
    strata = await startStrata({
      ...(scenario ? { scenario } : { simulate: false }),
      ...(config ? { config } : {}),
      port: listenPort,
      access: {
        host,
        ...(options.requireToken ? { requireToken: true } : {}),
        ...(options.allowHost ? { allowHosts: options.allowHost } : {}),
      },
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(timeScale ? { timeScale } : {}),
      ...(buildInterval ? { buildIntervalSeconds: buildInterval } : {}),
      ...(options.timeline ? { timelineFile: options.timeline } : {}),
      // While bars are drawn, warnings wait and are printed after them.
      onWarning: (line) => (view && tty ? warnings.push(line) : process.stderr.write(`${line}\n`)),
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE') {
      throw new CliError(`--port ${listenPort}: already in use (another Strata?); pass --port N or --port 0`);
    }
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      throw new CliError(`--host ${options.host}: not an address of this machine (${code})`);
    }
    if (error instanceof StartConfigError || error instanceof AccessTokenError)
      throw new CliError(error.message);
    throw error;
  }
  let stopRequested = false;
  let stopping: Promise<void> | undefined;
  const stopAll = () => {
    stopRequested = true;
    stopping ??= (async () => {
      view?.stop();
      await strata.stop();
    })();
    return stopping;
  };
  const signalled = new Promise<void>((resolve) => {
    const onSignal = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      stopRequested = true;
      resolve();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });

  try {
    const nodes = strata.fleet?.clusters.reduce((n, c) => n + c.state.nodes.size, 0) ?? 0;
    const { access } = strata;
    write(`Strata admin API: ${strata.url}/v1  (strata get pools --url ${strata.url})`);
    // The dashboard URL carries the token only when it is needed (it stays in the fragment, never sent).
    write(`dashboard: ${strata.url}/${access.tokenRequired ? `#token=${access.token}` : ''}`);
    write(
      `access token: ${access.tokenFile} (${access.tokenRequired ? 'required on every admin request' : 'sent by the CLI; not required on loopback'})`,
    );
    write(
      `clusters: ${strata.clusters.join(', ')}${strata.fleet ? ` (simulated: ${strata.fleet.clusters.length} clusters, ${nodes} nodes, time scale ${timeScale ?? 100}×)` : ''}`,
    );
    if (options.kubeconfigOut && strata.fleet) {
      strata.fleet.writeKubeconfig(options.kubeconfigOut);
      write(`kubeconfig for the simulated clusters: ${options.kubeconfigOut}`);
    }
    let verdict = 0;
    if (strata.fleet && options.demo) {
      const client = createAdminClient({ url: strata.url, token: access.token });
      const id = await startDemo(client, write, { DEMO_TRACK, DEMO_IMAGE });
      const fleet = strata.fleet;
      const image = `${DEMO_TRACK.image.host}/${DEMO_TRACK.image.repository}@${DEMO_IMAGE.digest}`;
      const converged = () => demoConverged(fleet, image);
      view = tty ? barsView() : linesView(write, started);
      const final = await waitForRollout(client, id, view, () => stopRequested, converged);
      view.stop();
      view = null;
      for (const w of warnings.splice(0)) process.stderr.write(`${w}\n`);
      if (final) {
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        write(`\nrollout ${id}: ${final.rollout.status} after ${seconds}s`);
        for (const b of final.blocked) write(`  ${b}`);
        // Pool status is recorded by each pool's reconcile; give the last ones a moment to record it.
        let pools = await client.get<{ items: PoolView[] }>('/pools');
        for (let i = 0; i < 40 && final.rollout.status === 'Completed'; i++) {
          const settled = pools.items
            .filter((p) => p.target?.rolloutId === id)
            .every((p) => p.status && p.status.updatedMachineCount === p.status.machineCount);
          if (settled) break;
          await sleep(250);
          pools = await client.get<{ items: PoolView[] }>('/pools');
        }
        write(`\n${await formatItems('pools', pools.items, 'table')}\n`);
        const report = strata.fleet.checkInvariants();
        const peak = report.pools.map(
          (p) => `${p.cluster}/${p.pool} ${p.peakUnavailable}/${p.maxUnavailable}`,
        );
        write(
          `invariants: ${report.violations.length} violation(s); peak unavailable per pool: ${peak.join(', ')}`,
        );
        for (const v of report.violations) write(`  violation: ${JSON.stringify(v)}`);
        if (final.rollout.status !== 'Completed' || !report.ok) verdict = 1;
        if (options.timeline) write(`timeline: ${options.timeline}`);
      }
    } else if (!strata.fleet) {
      write('no simulated fleet: publish with "strata publish IMAGE" or a registry webhook');
    }
    if (options.exitWhenDone || stopRequested) {
      await stopAll();
      write('stopped');
      process.exitCode = verdict;
      return;
    }
    write(`serving on ${strata.url}; Ctrl-C to stop`);
    await signalled;
    await stopAll();
    write('stopped');
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}
