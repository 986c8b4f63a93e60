import type { Command } from 'commander';
import { registerRender } from './render.ts';
import { registerSim } from './sim.ts';

/** Adds one command (with its options and action) to the `strata` program. */
export type RegisterCommand = (program: Command) => void;

/** Every `strata` command, in the order `strata --help` lists them. */
export const commands: RegisterCommand[] = [registerSim, registerRender];
