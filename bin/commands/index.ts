import type { Command } from 'commander';
import { registerGet } from './get.ts';
import { registerRender } from './render.ts';
import { registerSim } from './sim.ts';
import { registerStart } from './start.ts';

/** Adds one command (with its options and action) to the `strata` program. */
export type RegisterCommand = (program: Command) => void;

/** Every `strata` command, in the order `strata --help` lists them. */
export const commands: RegisterCommand[] = [registerStart, registerGet, registerSim, registerRender];
