/** The `mco` driver's decisions: its target prediction, one reconcile pass, the release of a pool. Pure. */
export * from './keys.ts';
export * from './machine-config-nodes.ts';
export * from './port.ts';
export * from './prepare.ts';
export * from './reconcile.ts';
export * from './state.ts';
