import type { Command } from 'commander';
import { registerCheck } from './check.ts';
import { registerCluster } from './cluster.ts';
import { registerDashboard } from './dashboard.ts';
import { registerDescribe } from './describe.ts';
import { registerGet } from './get.ts';
import { registerPlan } from './plan.ts';
import { registerPublish } from './publish.ts';
import { registerRender } from './render.ts';
import { registerRollout } from './rollout.ts';
import { registerSim } from './sim.ts';
import { registerStart } from './start.ts';
import { registerTrack } from './track.ts';

/** Adds one command (with its options and action) to the `strata` program. */
export type RegisterCommand = (program: Command) => void;

/** Every `strata` command, in the order `strata --help` lists them. */
export const commands: RegisterCommand[] = [
  registerStart,
  registerDashboard,
  registerGet,
  registerDescribe,
  registerRollout,
  registerTrack,
  registerCluster,
  registerPublish,
  registerPlan,
  registerCheck,
  registerSim,
  registerRender,
];
