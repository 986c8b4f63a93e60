/**
 * The fleet simulator: simulated Kubernetes/OpenShift clusters that speak the Kubernetes API over HTTPS on
 * 127.0.0.1, MCO's render, node and drain controllers and daemons on OpenShift clusters that run them, the
 * real Strata node agent or node daemons driven from outside elsewhere, faults, a timeline and an
 * invariant checker. See docs/simulator.md.
 *
 * ```ts
 * const fleet = await startFleet(loadScenario(), { timeScale: 1000 });
 * const core = fleet.clusters[0].kubeConfig().makeApiClient(CoreV1Api);
 * // … drive a rollout …
 * const report = fleet.checkInvariants();
 * await fleet.stop();
 * ```
 */
export {
  type AgentFaultRule,
  type AgentFaults,
  type HostFaultDraw,
  type NodeAgents,
  type NodeAgentsOptions,
  type NodeAgentsTarget,
  nodeAgentsOf,
  startNodeAgents,
  strataAgentBehaviour,
} from './agents.ts';
export {
  checkInvariants,
  type InvariantReport,
  type PoolLimit,
  type PoolReport,
  type Violation,
  type ViolationKind,
} from './checker.ts';
export { ManualClock, RealTimeClock, type SimClock } from './clock.ts';
export {
  defaultBaseConfig,
  MCO_GROUP,
  type NodeRecord,
  type PoolStatusView,
  type SimCluster,
} from './cluster.ts';
export { FleetError, ScenarioError } from './errors.ts';
export {
  type Fleet,
  type FleetCluster,
  type FleetOptions,
  type NodeBehaviour,
  type NodeBehaviourFactory,
  type NodeSide,
  type NodeSideContext,
  nodeBehaviours,
  startFleet,
  writeKubeconfig,
} from './fleet.ts';
export { SimHost, type SimHostFaults, type SimHostOptions, type SimHostTiming } from './host.ts';
export { clusterKubeConfig, kubeconfigDocument } from './kubeconfig.ts';
export type { McoControllers, McoOptions } from './mco/index.ts';
export type { Release } from './openshift.ts';
export { Prng } from './prng.ts';
export {
  AGENT_DEFAULTS,
  type AgentSettings,
  agentSettings,
  defaultScenarioPath,
  loadScenario,
  openshiftScenarioPath,
  runsMcoControllers,
  runsStrataAgent,
  type Scenario,
  type ScenarioCluster,
  type ScenarioFaults,
  type ScenarioFaultsInput,
  type ScenarioInput,
  type ScenarioPool,
  type ScenarioRelease,
  STRATA_AGENT,
  withoutMcoScenarioPath,
} from './scenario.ts';
export { SharedNodeInformer, type SharedNodeInformerOptions } from './shared-node-port.ts';
export {
  type NodeStateSnapshot,
  type PoolStatusSnapshot,
  Timeline,
  type TimelineEvent,
  type TimelineKind,
} from './timeline.ts';
