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

/** OpenShift releases for mco-driver fleets (base images pinned by digest, as in sim/scenarios/openshift.yaml). */
export const RELEASES = {
  '4.18.12': {
    baseOSContainerImage: `quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:${'9c'.repeat(32)}`,
    baseOSExtensionsContainerImage: `quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:${'1b'.repeat(32)}`,
  },
  '4.20.3': {
    baseOSContainerImage: `quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:${'5e'.repeat(32)}`,
    baseOSExtensionsContainerImage: `quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:${'7f'.repeat(32)}`,
  },
  '4.16.9': {
    baseOSContainerImage: `quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:${'4a'.repeat(32)}`,
    baseOSExtensionsContainerImage: `quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:${'4b'.repeat(32)}`,
  },
} as const;

/**
 * OpenShift clusters running MCO's controllers (the mco driver's fleet): each with a worker pool of `nodes`
 * nodes on `release` (default 4.18.12, alternating with 4.20.3) and a PDB-protected workload.
 */
export function mcoFleetScenario(input: {
  clusters: {
    name: string;
    labels?: Record<string, string>;
    nodes?: number;
    maxUnavailable?: number | string;
    release?: keyof typeof RELEASES;
    paused?: boolean;
  }[];
  seed?: number;
  faults?: ScenarioInput['faults'];
  timing?: Record<string, string>;
  /** Work-queue delay of MCO's controllers (default 1s). */
  mcoDelay?: string;
}): ScenarioInput {
  const delay = input.mcoDelay ?? '1s';
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
    releases: RELEASES,
    mco: { controllers: true, delays: { render: delay, node: delay, drain: delay } },
    clusters: input.clusters.map((c, i) => ({
      name: c.name,
      kind: 'openshift',
      release: c.release ?? (i % 2 === 0 ? '4.18.12' : '4.20.3'),
      labels: c.labels ?? {},
      region: 'us-east-1',
      pools: [
        {
          name: 'worker',
          ...(c.maxUnavailable !== undefined ? { maxUnavailable: c.maxUnavailable } : {}),
          ...(c.paused ? { paused: true } : {}),
          nodes: { count: c.nodes ?? 3, zones: ['a', 'b', 'c'] },
        },
      ],
      workloads: [{ name: 'web', namespace: 'shop', replicas: 2, pdb: { minAvailable: 1 } }],
      daemonSets: [{ name: 'node-exporter', namespace: 'monitoring' }],
    })),
    ...(input.faults ? { faults: input.faults } : {}),
  } as ScenarioInput;
}
