/** Nodes' update histories, pure: the facts observed of a node in either vocabulary, and the attempts derived from their changes. */
export * from './node-history.ts';
export * from './observed-node.ts';
export * from './ordered.ts';
