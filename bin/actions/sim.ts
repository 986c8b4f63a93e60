/**
 * `strata sim`: runs a simulated fleet (one Kubernetes API server per cluster) until Ctrl-C, writes a
 * kubeconfig with one context per cluster and prints the cluster table. See docs/simulator.md.
 */
import Table from 'cli-table3';
import { type Fleet, loadScenario, ScenarioError, startFleet } from '../../sim/index.ts';
import { CliError } from '../cli-error.ts';

interface SimOptions {
  scenario?: string;
  kubeconfigOut: string;
  timeline?: string;
  timeScale?: string;
}

/** The cluster table `strata sim` prints. */
export function clusterTable(fleet: Fleet): string {
  const table = new Table({
    head: ['CLUSTER', 'LABELS', 'SERVER', 'POOLS (nodes)'],
    style: { head: [], border: [] },
  });
  for (const c of fleet.clusters) {
    const pools = c.state.pools
      .map((p) => `${p.name} (${c.state.nodes.list().filter((n) => n.pool === p.name).length})`)
      .join(', ');
    const labels = Object.entries(c.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    table.push([c.name, labels, c.server, pools]);
  }
  return table.toString();
}

/** What the invariant checker found over the run: per pool peak vs limit, then each violation. */
export function invariantSummary(fleet: Fleet): string {
  const report = fleet.checkInvariants();
  const table = new Table({
    head: ['CLUSTER', 'POOL', 'PEAK UNAVAILABLE', 'MAX UNAVAILABLE'],
    style: { head: [], border: [] },
  });
  for (const p of report.pools) table.push([p.cluster, p.pool, p.peakUnavailable, p.maxUnavailable]);
  const lines = [table.toString()];
  lines.push(report.ok ? 'invariants: ok' : `invariants: ${report.violations.length} violation(s)`);
  for (const v of report.violations)
    lines.push(`  ${v.kind} ${v.cluster}/${v.node} (pool ${v.pool}): ${v.detail}`);
  return lines.join('\n');
}

/** `strata sim`: runs the fleet until Ctrl-C. */
export async function sim(options: SimOptions): Promise<void> {
  let timeScale: number | undefined;
  if (options.timeScale !== undefined) {
    timeScale = Number(options.timeScale);
    if (!Number.isFinite(timeScale) || timeScale <= 0)
      throw new CliError(`--time-scale: expected a positive number, got "${options.timeScale}"`);
  }
  let scenario: ReturnType<typeof loadScenario>;
  try {
    scenario = loadScenario(options.scenario);
  } catch (error) {
    if (error instanceof ScenarioError) throw new CliError(error.message);
    throw error;
  }
  const fleet = await startFleet(scenario, { timeScale, timelineFile: options.timeline });
  fleet.writeKubeconfig(options.kubeconfigOut);
  const nodes = fleet.clusters.reduce((sum, c) => sum + c.state.nodes.size, 0);
  process.stdout.write(`${clusterTable(fleet)}\n`);
  process.stdout.write(
    `${fleet.clusters.length} clusters, ${nodes} nodes; kubeconfig: ${options.kubeconfigOut} ` +
      `(current-context ${fleet.clusters[0]!.name}); time scale ${timeScale ?? scenario.timeScale}×. Ctrl-C to stop.\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await fleet.stop();
  process.stdout.write(`stopped; ${fleet.timeline.events.length} timeline events\n`);
  process.stdout.write(`${invariantSummary(fleet)}\n`);
}
