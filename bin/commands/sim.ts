/** `strata sim`: the fleet simulator alone (bin/actions/sim.ts, docs/simulator.md). */
import { lazy, type RegisterCommand } from './options.ts';

export const registerSim: RegisterCommand = (program) => {
  program
    .command('sim')
    .description('Run a simulated fleet of Kubernetes clusters (API servers on 127.0.0.1) until Ctrl-C')
    .option('--scenario <file>', 'scenario YAML (default: sim/scenarios/openshift.yaml)')
    .option('--kubeconfig-out <file>', 'write a kubeconfig with one context per cluster', 'kubeconfig.sim')
    .option('--timeline <file>', 'append every node transition to this JSONL file')
    .option('--time-scale <n>', 'simulated time runs N times faster than wall time (overrides the scenario)')
    .action(lazy(() => import('../actions/sim.ts'), 'sim'));
};
