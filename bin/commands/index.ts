/**
 * The `strata` program: every command declared (name, arguments, options, help), each action imported only
 * when its command runs, so that `strata --help` and each command load only what they use.
 */
import { Command } from 'commander';
import { registerCheck } from './check.ts';
import { registerCluster } from './cluster.ts';
import { registerCompletion } from './completion.ts';
import { registerDashboard } from './dashboard.ts';
import { registerDescribe } from './describe.ts';
import { registerGet } from './get.ts';
import type { RegisterCommand } from './options.ts';
import { registerPlan } from './plan.ts';
import { registerPool } from './pool.ts';
import { registerPrune } from './prune.ts';
import { registerPublish } from './publish.ts';
import { registerRender } from './render.ts';
import { registerRollout } from './rollout.ts';
import { registerSim } from './sim.ts';
import { registerStart } from './start.ts';
import { registerStatus } from './status.ts';
import { registerTrack } from './track.ts';

/** Every `strata` command, in the order `strata --help` lists them. */
export const commands: RegisterCommand[] = [
  registerStart,
  registerDashboard,
  registerStatus,
  registerGet,
  registerDescribe,
  registerRollout,
  registerTrack,
  registerCluster,
  registerPool,
  registerPublish,
  registerPlan,
  registerPrune,
  registerCheck,
  registerSim,
  registerRender,
  registerCompletion,
];

/** The whole program, every command declared (nothing run). */
export function strataProgram(): Command {
  const program = new Command('strata')
    .description('Roll custom layered OS images out across fleets of Kubernetes and OpenShift clusters.')
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}
