/**
 * Strata's node agent for image-mode hosts (bootc / rpm-ostree) on plain Kubernetes. See docs/agent.md.
 *
 * ```ts
 * const agent = new NodeAgent({ node: new KubeNodePort(kubeConfig, 'worker-0'), host: await detectHost(new NsenterRunner()) });
 * await agent.start();
 * ```
 */
export { NodeAgent, type NodeAgentOptions } from './agent.ts';
export { type AgentClock, systemClock } from './clock.ts';
export { type AgentConfig, ConfigError, parseAgentConfig, parseDuration } from './config.ts';
export * from './host/index.ts';
export { desiredImageProblem, digestOf, pinnedReference } from './image.ts';
export { jsonLogger, type Logger, type LogLevel, silentLogger } from './log.ts';
export { KubeNodePort, type KubeNodePortOptions, PooledKubeConfig, snapshotOf } from './node/kube.ts';
export { NodeConflictError, type NodePort, type NodeSnapshot, type NodeWatch } from './node/port.ts';
export {
  AGENT_STATES,
  AGENT_WRITTEN_KEYS,
  AgentAnnotations,
  type AgentState,
  type AnnotationPatch,
  isAgentState,
  PROTOCOL_KEYS,
} from './protocol.ts';
export {
  DEFAULT_TIMEOUTS,
  type Decision,
  decide,
  type HostOperation,
  type Observation,
  type Step,
  type Timeouts,
} from './state-machine.ts';
export { AGENT_VERSION } from './version.ts';
