/**
 * The fleet simulator: simulated Kubernetes/OpenShift clusters that speak the Kubernetes API over HTTP on
 * 127.0.0.1, node daemons that follow the MCO protocol, faults, a timeline and an invariant checker.
 * See docs/simulator.md.
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
  type NodeAgents,
  type NodeAgentsOptions,
  type NodeAgentsTarget,
  startNodeAgents,
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
export { defaultBaseConfig, MCO_GROUP, type SimCluster } from './cluster.ts';
export { FleetError, ScenarioError } from './errors.ts';
export { type Fleet, type FleetCluster, type FleetOptions, startFleet, writeKubeconfig } from './fleet.ts';
export { SimHost, type SimHostFaults, type SimHostOptions, type SimHostTiming } from './host.ts';
export { clusterKubeConfig, kubeconfigDocument } from './kubeconfig.ts';
export { Prng } from './prng.ts';
export {
  defaultScenarioPath,
  loadScenario,
  type Scenario,
  type ScenarioCluster,
  type ScenarioFaults,
  type ScenarioInput,
  type ScenarioPool,
} from './scenario.ts';
export { Timeline, type TimelineEvent, type TimelineKind } from './timeline.ts';
