import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  agentSettings,
  defaultScenarioPath,
  loadScenario,
  openshiftScenarioPath,
  runsStrataAgent,
  ScenarioError,
  startFleet,
  withoutMcoScenarioPath,
} from '../../sim/index.ts';
import { smallScenario } from './support.ts';

describe('loadScenario', () => {
  it('the default scenario is the OpenShift fleet running MCO, with plain Kubernetes clusters', () => {
    const scenario = loadScenario(defaultScenarioPath);
    expect(defaultScenarioPath).toBe(openshiftScenarioPath);
    expect(scenario.mco.controllers).toBe(true);
    expect(scenario.clusters.filter((c) => c.kind === 'kubernetes').map((c) => c.name)).toEqual([
      'edge-a',
      'edge-b',
    ]);
    // The plain clusters' image-mode hosts run the real Strata node agent.
    expect(scenario.clusters.filter((c) => runsStrataAgent(c)).map((c) => c.name)).toEqual([
      'edge-a',
      'edge-b',
    ]);
  });

  it('loads the scenario without MCO: four clusters, two pools in prod, PDB-protected workloads', () => {
    const scenario = loadScenario(withoutMcoScenarioPath);

    expect(scenario.clusters.map((c) => c.name)).toEqual(['dev', 'staging', 'prod-us-east', 'prod-eu-west']);
    expect(scenario.clusters.map((c) => c.labels.env)).toEqual(['dev', 'staging', 'prod', 'prod']);
    const prod = scenario.clusters.filter((c) => c.labels.env === 'prod');
    for (const cluster of prod) expect(cluster.pools.map((p) => p.name)).toEqual(['worker', 'infra']);
    for (const cluster of scenario.clusters) {
      for (const pool of cluster.pools) expect(pool.nodes.count).toBeGreaterThanOrEqual(3);
      expect(cluster.workloads.some((w) => w.pdb)).toBe(true);
    }
  });

  it('converts durations to simulated milliseconds and fills defaults', () => {
    const scenario = loadScenario(smallScenario());

    expect(scenario.timing).toEqual({
      react: 1000,
      rebase: 10_000,
      reboot: 20_000,
      evictionReturn: 5000,
      jitter: 0.2,
    });
    expect(scenario.tokens.map((t) => t.access)).toEqual(['admin', 'read-only']);
    expect(scenario.clusters[0]!.pools[0]!.nodes.createdAt).toBe('2026-01-01T00:00:00Z');
  });

  it('names the file and the field of a bad value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-sim-'));
    const file = join(dir, 'bad.yaml');
    const scenario = smallScenario();
    (scenario.clusters[0]!.pools[0] as { maxUnavailable: unknown }).maxUnavailable = 'half';
    writeFileSync(file, JSON.stringify(scenario));

    expect(() => loadScenario(file)).toThrow(ScenarioError);
    expect(() => loadScenario(file)).toThrow(`${file}: clusters[0].pools[0].maxUnavailable:`);
  });

  it('rejects an image that is not pinned by digest, unknown fields, and bad durations', () => {
    const tagged = smallScenario();
    tagged.clusters[0]!.pools[0]!.baseImage = 'quay.io/acme/rhcos:latest';
    expect(() => loadScenario(tagged)).toThrow(
      /clusters\[0\]\.pools\[0\]\.baseImage: expected an image pinned by digest/,
    );

    expect(() => loadScenario({ ...smallScenario(), colour: 'blue' } as never)).toThrow(/colour/);
    expect(() => loadScenario({ ...smallScenario(), timing: { rebase: 'soon' } })).toThrow(
      /timing\.rebase: expected a duration/,
    );
  });

  it('rejects references to clusters, pools and PDBs that do not exist', () => {
    expect(() =>
      loadScenario({ ...smallScenario(), faults: { pdbBlock: [{ cluster: 'c1', name: 'nope' }] } }),
    ).toThrow(/faults\.pdbBlock\[0\]\.name: no PDB "default\/nope" in cluster "c1"/);
    expect(() =>
      loadScenario({
        ...smallScenario(),
        faults: { nodeChanges: [{ cluster: 'c9', pool: 'worker', at: 0, add: 1 }] },
      }),
    ).toThrow(/faults\.nodeChanges\[0\]\.cluster: no cluster "c9"/);
    const twoClusters = smallScenario();
    twoClusters.clusters.push(structuredClone(twoClusters.clusters[0]!));
    expect(() => loadScenario(twoClusters)).toThrow(/clusters\[1\]\.name: duplicate cluster name "c1"/);
  });

  it('checks cluster kinds, releases and MCO switches against each other', () => {
    const releases = {
      '4.18.12': {
        baseOSContainerImage: `q.io/os@sha256:${'1'.repeat(64)}`,
        baseOSExtensionsContainerImage: `q.io/ext@sha256:${'2'.repeat(64)}`,
      },
    };
    const withCluster = (cluster: Record<string, unknown>, mco = false) => {
      const scenario = smallScenario();
      Object.assign(scenario.clusters[0]!, cluster);
      return { ...scenario, releases, mco: { controllers: mco } };
    };
    expect(() => loadScenario(withCluster({ release: '4.18.12' }, true))).toThrow(
      /clusters\[0\]\.pools\[0\]\.baseImage: nodes of a cluster running MCO's controllers boot the release's base image/,
    );
    const pool = smallScenario().clusters[0]!.pools[0]!;
    const noImage = { ...pool, baseImage: undefined };
    expect(() => loadScenario(withCluster({ pools: [noImage] }, true))).toThrow(
      /clusters\[0\]\.release: required on a cluster running MCO's controllers/,
    );
    expect(() => loadScenario(withCluster({ pools: [noImage], release: '4.19.0' }, true))).toThrow(
      /clusters\[0\]\.release: no release "4\.19\.0"/,
    );
    expect(() => loadScenario(withCluster({ kind: 'kubernetes', release: '4.18.12' }))).toThrow(
      /clusters\[0\]\.release: a plain Kubernetes cluster has no OpenShift release/,
    );
    expect(() => loadScenario(withCluster({ nodeBehaviour: 'agent' }))).toThrow(
      /clusters\[0\]\.nodeBehaviour: only plain Kubernetes clusters/,
    );
    expect(() => loadScenario(withCluster({ pools: [noImage] }))).toThrow(
      /clusters\[0\]\.pools\[0\]\.baseImage: required/,
    );
    // The release's base image (or none) is what nodes boot with MCO's controllers.
    const ok = loadScenario(withCluster({ pools: [noImage], release: '4.18.12' }, true));
    expect(ok.clusters[0]!.pools[0]!.baseImage).toBe(releases['4.18.12'].baseOSContainerImage);
    // A kubernetes cluster is unaffected by the scenario-wide switch.
    expect(() => loadScenario(withCluster({ kind: 'kubernetes' }, true))).not.toThrow();
  });

  it('refuses a node behaviour nobody registered, when the fleet starts', async () => {
    const scenario = smallScenario();
    Object.assign(scenario.clusters[0]!, { kind: 'kubernetes', nodeBehaviour: 'bootc-agent' });
    await expect(startFleet(scenario, { clock: 'manual' })).rejects.toThrow(
      'clusters[0].nodeBehaviour: unknown node behaviour "bootc-agent" (known: annotation-daemon, strata-agent)',
    );
  });

  it('resolves the strata-agent settings: defaults, the scenario, a cluster override', () => {
    const scenario = smallScenario();
    const agentCluster = {
      ...structuredClone(scenario.clusters[0]!),
      name: 'k2',
      kind: 'kubernetes' as const,
      nodeBehaviour: 'strata-agent',
      agent: { nodePort: 'shared' as const, timeouts: { verify: '2m' } },
    };
    const loaded = loadScenario({
      ...scenario,
      agent: { timeouts: { staging: '20m' }, host: { failedPull: '2s' } },
      clusters: [
        { ...scenario.clusters[0]!, kind: 'kubernetes', nodeBehaviour: 'strata-agent' },
        agentCluster,
      ],
    });
    expect(agentSettings(loaded, loaded.clusters[0]!)).toEqual({
      nodePort: 'client-node',
      timeouts: { staging: 1_200_000, reboot: 600_000, verify: 300_000 },
      host: { stage: 10_000, reboot: 20_000, failedPull: 2000 },
      pollInterval: 600_000,
    });
    expect(agentSettings(loaded, loaded.clusters[1]!)).toEqual({
      nodePort: 'shared',
      timeouts: { staging: 1_200_000, reboot: 600_000, verify: 120_000 },
      host: { stage: 10_000, reboot: 20_000, failedPull: 2000 },
      pollInterval: 600_000,
    });
  });

  it('refuses agent settings and agent faults where no agent runs, naming the field', () => {
    const plain = () => {
      const scenario = smallScenario();
      Object.assign(scenario.clusters[0]!, { kind: 'kubernetes' });
      return scenario;
    };
    const agent = () => {
      const scenario = plain();
      Object.assign(scenario.clusters[0]!, { nodeBehaviour: 'strata-agent' });
      return scenario;
    };
    const withAgent = plain();
    Object.assign(withAgent.clusters[0]!, { agent: { nodePort: 'shared' } });
    expect(() => loadScenario(withAgent)).toThrow(
      'scenario: clusters[0].agent: agent settings apply to plain Kubernetes clusters running the Strata agent (kind: kubernetes, nodeBehaviour: strata-agent)',
    );
    expect(() => loadScenario({ ...agent(), agent: { nodePort: 'grpc' as never } })).toThrow(
      /^scenario: agent\.nodePort: /,
    );
    expect(() => loadScenario({ ...agent(), agent: { timeouts: { staging: 0 } } })).toThrow(
      'scenario: agent.timeouts.staging: expected a duration above 0',
    );
    expect(() => loadScenario({ ...agent(), agent: { timeouts: { reboot: 'soon' } } })).toThrow(
      /^scenario: agent\.timeouts\.reboot: expected a duration/,
    );
    expect(() => loadScenario({ ...agent(), agent: { pollEvery: '1m' } as never })).toThrow(/pollEvery/);
    expect(() => loadScenario({ ...plain(), faults: { pullFailure: { clusters: ['c1'] } } })).toThrow(
      'scenario: faults.pullFailure.clusters[0]: cluster "c1" does not run the Strata agent (kind: kubernetes, nodeBehaviour: strata-agent); this host fault happens on agent nodes only',
    );
    expect(() => loadScenario({ ...agent(), faults: { stagingHang: { clusters: ['c2'] } } })).toThrow(
      'scenario: faults.stagingHang.clusters[0]: no cluster "c2" in the scenario',
    );
    expect(() => loadScenario({ ...agent(), faults: { authFailure: { probability: 2 } } })).toThrow(
      /^scenario: faults\.authFailure\.probability: /,
    );
    expect(() => loadScenario({ ...agent(), faults: { unreconcilable: { clusters: ['c1'] } } })).toThrow(
      'scenario: faults.unreconcilable.clusters[0]: cluster "c1" runs the Strata agent, which has no MachineConfig to reconcile (unreconcilable is an MCO daemon fault)',
    );
    // Without a cluster list, the agent faults apply where agents run.
    expect(() => loadScenario({ ...agent(), faults: { pullFailure: { probability: 0.1 } } })).not.toThrow();
  });

  it('reports YAML syntax errors with the source name', () => {
    expect(() => loadScenario('clusters: [\n  - name: x\n')).toThrow(/^scenario: not valid YAML/);
    expect(() => loadScenario('/nonexistent/scenario.yaml')).toThrow(
      /\/nonexistent\/scenario\.yaml: cannot read/,
    );
  });
});

describe('the OpenShift scenario (sim/scenarios/openshift.yaml)', () => {
  it('has OpenShift clusters on two releases running MCO, and plain Kubernetes clusters; all settled at start', async () => {
    const scenario = loadScenario(openshiftScenarioPath);
    const fleet = await startFleet(scenario, { clock: 'manual' });
    try {
      const openshift = fleet.clusters.filter((c) => c.kind === 'openshift');
      const kubernetes = fleet.clusters.filter((c) => c.kind === 'kubernetes');
      expect(openshift.map((c) => c.name)).toEqual(['dev', 'staging', 'prod-us-east', 'prod-eu-west']);
      expect(kubernetes.map((c) => c.name)).toEqual(['edge-a', 'edge-b']);
      expect(new Set(openshift.map((c) => c.state.release!.version))).toEqual(new Set(['4.18.12', '4.20.3']));
      for (const c of openshift) {
        expect(c.mco).toBeDefined();
        for (const record of c.state.machineConfigPools.list()) {
          const pool = c.state.poolStatus(record.name);
          expect(pool.target).toMatch(new RegExp(`^rendered-${record.name}-[0-9a-f]{32}$`));
          expect(pool).toMatchObject({
            config: pool.target,
            settled: true,
            updated: true,
            degradedMachineCount: 0,
          });
        }
      }
      for (const c of kubernetes) {
        expect(c.mco).toBeUndefined();
        expect(c.state.spec.nodeBehaviour).toBe('strata-agent');
        expect(c.state.resources.has('machineconfiguration.openshift.io/v1/machineconfigpools')).toBe(false);
      }
      const prod = fleet.cluster('prod-us-east').state;
      expect(
        prod.nodes
          .list()
          .filter((n) => n.pool === 'infra')
          .map((n) => n.name),
      ).toEqual(['infra-0', 'infra-1', 'infra-2']);
      expect(prod.poolStatus('worker').machineCount).toBe(12);

      // Left alone, nothing moves: no node is targeted, nothing is violated, no controller errs.
      const before = fleet.timeline.events.length;
      await fleet.advance(10 * 60_000);
      expect(fleet.timeline.events.slice(before).filter((e) => e.kind === 'desired')).toEqual([]);
      expect(fleet.checkInvariants().violations).toEqual([]);
      for (const c of openshift) expect(c.mco!.errors()).toEqual([]);
    } finally {
      await fleet.stop();
    }
  });
});
