/** Small simulated fleets for the rollout integration tests. */
import type { ScenarioInput } from '../../sim/index.ts';

export const BASE_IMAGE = `quay.io/strata/rhcos-layered@sha256:${'3f'.repeat(32)}`;

/** The image agent clusters' hosts boot at start. */
export const BOOTC_BASE_IMAGE = `quay.io/strata/fedora-bootc@sha256:${'2d'.repeat(32)}`;

/** `clusters` clusters, each with a worker pool of `nodes` nodes and a PDB-protected workload. */
export function fleetScenario(input: {
  clusters: {
    name: string;
    labels?: Record<string, string>;
    nodes?: number;
    maxUnavailable?: number | string;
    /** Plain Kubernetes running the real Strata node agent (kind: kubernetes, nodeBehaviour: strata-agent). */
    agent?: boolean;
  }[];
  /** The scenario's `agent` settings (timeouts, host delays). */
  agent?: ScenarioInput['agent'];
  seed?: number;
  faults?: ScenarioInput['faults'];
  timing?: Record<string, string>;
  pdbMinAvailable?: number;
  /** Replicas of the workload (default 2). */
  replicas?: number;
  /** Protect the workload with a PDB (default true). */
  pdb?: boolean;
}): ScenarioInput {
  return {
    seed: input.seed ?? 7,
    timeScale: 100,
    timing: {
      react: '500ms',
      rebase: '4s',
      reboot: '4s',
      evictionReturn: '1s',
      jitter: 0.1,
      ...input.timing,
    },
    ...(input.agent ? { agent: input.agent } : {}),
    clusters: input.clusters.map((c) => ({
      name: c.name,
      ...(c.agent ? { kind: 'kubernetes', nodeBehaviour: 'strata-agent' } : {}),
      labels: c.labels ?? {},
      region: 'us-east-1',
      pools: [
        {
          name: 'worker',
          maxUnavailable: c.maxUnavailable ?? 1,
          baseImage: c.agent ? BOOTC_BASE_IMAGE : BASE_IMAGE,
          nodes: { count: c.nodes ?? 3, zones: ['a', 'b', 'c'] },
        },
      ],
      workloads: [
        {
          name: 'web',
          namespace: 'shop',
          replicas: input.replicas ?? 2,
          ...(input.pdb === false ? {} : { pdb: { minAvailable: input.pdbMinAvailable ?? 1 } }),
        },
      ],
      daemonSets: [{ name: 'node-exporter', namespace: 'monitoring' }],
    })),
    ...(input.faults ? { faults: input.faults } : {}),
  } as ScenarioInput;
}
