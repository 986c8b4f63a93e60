/** The rollout engine's pure core: node predicates, candidate rules, pool planner and status, waves, policy, windows. */
export * from './candidates.ts';
export * from './cluster-port.ts';
export * from './errors.ts';
export * from './lifecycle.ts';
export * from './max-unavailable.ts';
export * from './node-facts.ts';
export * from './pool-mechanics.ts';
export * from './pool-membership.ts';
export * from './pool-plan.ts';
export * from './pool-render.ts';
export * from './pool-state.ts';
export * from './pool-status.ts';
export * from './pool-targets.ts';
export * from './rollout-plan.ts';
export * from './selector.ts';
export * from './waves.ts';
export * from './windows.ts';
