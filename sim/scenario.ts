/**
 * Scenario files: the fleet to simulate (clusters, pools, nodes, workloads with PDBs), its timing, faults,
 * seed and API tokens. YAML (or JSON), validated with zod; every error names the file and the field.
 * The format is documented in docs/simulator.md.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { FleetError, ScenarioError } from './errors.ts';

const durationPattern = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A simulated duration: milliseconds as a number, or a string like `500ms`, `30s`, `2m`, `1h`. */
const duration = z.union(
  [
    z.number().nonnegative(),
    z
      .string()
      .regex(durationPattern, 'expected a duration like 500ms, 30s, 2m or 1h')
      .transform((text) => {
        const [, amount, unit] = durationPattern.exec(text)!;
        return Number(amount) * unitMs[unit!]!;
      }),
  ],
  { error: 'expected a duration: milliseconds, or a string like 500ms, 30s, 2m or 1h' },
);

/** A simulated duration above zero (a timeout of 0 would fail every state at once). */
const positiveDuration = duration.refine((ms) => ms > 0, { error: 'expected a duration above 0' });

const labelMap = z.record(z.string(), z.string());
const probability = z.number().min(0).max(1);
const dnsName = z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'expected a lower-case DNS name');
const intOrPercent = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+%$/)], {
  error: 'expected a non-negative integer or a percentage like "25%"',
});
const pinnedImage = z
  .string()
  .regex(/^[^@\s]+@sha256:[0-9a-f]{64}$/, 'expected an image pinned by digest (repo@sha256:…)');

/** A Kubernetes label selector: a plain label map (matchLabels), or matchLabels and matchExpressions. */
const labelSelector = z.union(
  [
    z.strictObject({
      matchLabels: labelMap.optional(),
      matchExpressions: z
        .array(
          z.strictObject({
            key: z.string().min(1),
            operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
            values: z.array(z.string()).optional(),
          }),
        )
        .optional(),
    }),
    labelMap,
  ],
  { error: 'expected a label map, or { matchLabels, matchExpressions }' },
);

const nodesSchema = z.strictObject({
  count: z.number().int().nonnegative().max(10_000),
  zones: z.array(z.string().min(1)).min(1).default(['zone-a']),
  /** Creation time of the first node. */
  createdAt: z.iso.datetime().default('2026-01-01T00:00:00Z'),
  /** Each further node is created this much later (so age ordering is well defined). */
  createdEvery: duration.default(60_000),
  /** Extra labels on every node of the pool. */
  labels: labelMap.default({}),
});

const poolSchema = z.strictObject({
  name: dnsName,
  nodeSelector: labelMap.optional(),
  /**
   * Default: `role=<pool>`; on clusters running MCO's controllers a custom pool (not master/worker) selects
   * `role In [worker, <pool>]`, as OpenShift's documented custom pools do.
   */
  machineConfigSelector: labelSelector.optional(),
  maxUnavailable: intOrPercent.default(1),
  /** `spec.paused` at start. */
  paused: z.boolean().default(false),
  /**
   * The rendered config the nodes run at start; default `rendered-<pool>-<md5(cluster/pool)>`. Not on
   * clusters running MCO's controllers (the render controller names it).
   */
  baseConfig: z.string().min(1).optional(),
  /**
   * The image the nodes boot at start (`repo@sha256:…`). Required, except on clusters running MCO's
   * controllers, whose nodes boot their release's base image.
   */
  baseImage: z
    .string()
    .regex(/@sha256:[0-9a-f]{64}$/, 'expected an image pinned by digest (repo@sha256:…)')
    .optional(),
  nodes: nodesSchema,
});

const workloadSchema = z
  .strictObject({
    name: dnsName,
    namespace: dnsName.default('default'),
    replicas: z.number().int().nonnegative().max(1000),
    /** Pool whose nodes the pods run on (default: any pool). */
    pool: z.string().optional(),
    pdb: z
      .strictObject({
        minAvailable: intOrPercent.optional(),
        maxUnavailable: intOrPercent.optional(),
      })
      .refine((p) => (p.minAvailable === undefined) !== (p.maxUnavailable === undefined), {
        message: 'set exactly one of minAvailable and maxUnavailable',
      })
      .optional(),
  })
  .strict();

/** The node behaviour that runs the real Strata node agent on simulated image-mode hosts (sim/agents.ts). */
export const STRATA_AGENT = 'strata-agent';

/** How the simulated agents reach the API server (docs/agent.md, "Simulating agents at scale"). */
const nodePort = z.enum(['client-node', 'shared']);

/**
 * Settings of the `strata-agent` node behaviour, scenario-wide (`agent`) and per cluster (a cluster's `agent`
 * overrides single fields). Every field is optional at both levels: {@link agentSettings} resolves them over
 * {@link AGENT_DEFAULTS}.
 */
const agentSettingsSchema = z.strictObject({
  /**
   * `client-node`: each agent has its own watch of its node and its own connection pool, exactly as the
   * DaemonSet's pods (fidelity; small fleets). `shared`: one informer per cluster dispatches node changes to
   * its agents, whose reads and patches share one connection pool (simulator only; thousands of nodes).
   */
  nodePort: nodePort.optional(),
  /** The agent's per-state timeouts (simulated time), as `--staging-timeout` etc. set them on a host. */
  timeouts: z
    .strictObject({
      staging: positiveDuration.optional(),
      reboot: positiveDuration.optional(),
      verify: positiveDuration.optional(),
    })
    .optional(),
  /** The simulated hosts' delays; `stage` and `reboot` default to the scenario's `timing.rebase` and `timing.reboot`. */
  host: z
    .strictObject({
      stage: duration.optional(),
      reboot: duration.optional(),
      /** Until a failing pull (pull or auth fault) reports its error. */
      failedPull: duration.optional(),
    })
    .optional(),
  /** How often an idle agent looks at its host (only agents change simulated hosts, so rarely). */
  pollInterval: positiveDuration.optional(),
});

const clusterSchema = z.strictObject({
  name: dnsName,
  /**
   * `openshift`: serves machineconfiguration.openshift.io (and, with a `release`, ControllerConfig,
   * ClusterVersion and the osimageurl ConfigMap); `kubernetes`: serves none of it.
   */
  kind: z.enum(['openshift', 'kubernetes']).default('openshift'),
  /** OpenShift release (a key of the scenario's `releases`), e.g. `4.18.12`. */
  release: z.string().min(1).optional(),
  /** Per-cluster MCO settings (override the scenario's `mco`). */
  mco: z.strictObject({ controllers: z.boolean().optional() }).optional(),
  /**
   * Plain Kubernetes clusters: what runs on their nodes (a registered node behaviour; default
   * `annotation-daemon`; `strata-agent`: the real Strata node agent on simulated image-mode hosts).
   */
  nodeBehaviour: z.string().min(1).optional(),
  /** Overrides of the scenario's `agent` settings (clusters whose nodeBehaviour is `strata-agent`). */
  agent: agentSettingsSchema.optional(),
  labels: labelMap.default({}),
  region: z.string().min(1).default('local'),
  pools: z.array(poolSchema).min(1),
  workloads: z.array(workloadSchema).default([]),
  /** DaemonSets: one pod per node, never evicted by a drain. */
  daemonSets: z
    .array(z.strictObject({ name: dnsName, namespace: dnsName.default('kube-system') }))
    .default([]),
});

const nodeTarget = z.strictObject({
  /** Clusters the fault applies to (default: all). */
  clusters: z.array(z.string()).optional(),
  /** Nodes the fault applies to, by name. */
  nodes: z.array(z.string()).default([]),
  /** Probability that any other node is affected, drawn once per update from the node's own generator. */
  probability: probability.default(0),
});

const faultsSchema = z.strictObject({
  /**
   * The update fails after the rebase: state=Degraded. On Strata agent nodes: the staging fails after the
   * download (`staging failed: …`).
   */
  updateFailure: nodeTarget.optional(),
  /** The update is refused: state=Unreconcilable (MCO daemons only: agent nodes have no config to reconcile). */
  unreconcilable: nodeTarget.optional(),
  /**
   * The new image does not boot: the node comes back on the old image, Degraded. On Strata agent nodes:
   * `booted digest differs`.
   */
  imageNoBoot: nodeTarget.optional(),
  /** Strata agent nodes: the host cannot pull the image (the registry does not know the manifest). */
  pullFailure: nodeTarget.optional(),
  /** Strata agent nodes: the registry refuses the host's credentials. */
  authFailure: nodeTarget.optional(),
  /** Strata agent nodes: the staging never ends (the agent's staging timeout fails it). */
  stagingHang: nodeTarget.optional(),
  /** PDBs whose disruptionsAllowed is held at 0: forever, or for `for` from the first eviction refused. */
  pdbBlock: z
    .array(
      z.strictObject({
        cluster: z.string(),
        namespace: z.string().default('default'),
        name: z.string(),
        for: duration.optional(),
      }),
    )
    .default([]),
  /** API errors and latency, per request, on the clusters named (default: all). */
  api: z
    .strictObject({
      clusters: z.array(z.string()).optional(),
      errorRate: probability.default(0),
      /**
       * How an injected error looks: 500, 429 with Retry-After, a timeout (no answer, nothing applied), or
       * `lost-answer` (the request is served, a write applies, then the connection drops unanswered).
       */
      errors: z
        .array(z.enum(['500', '429', 'timeout', 'lost-answer']))
        .min(1)
        .default(['500', '429']),
      retryAfterSeconds: z.number().int().positive().default(1),
      /** How long a timed-out request hangs (real ms) before the connection is dropped. */
      timeoutMs: z.number().int().positive().default(2000),
      /** Added latency in real milliseconds, [min, max]. */
      latencyMs: z.tuple([z.number().nonnegative(), z.number().nonnegative()]).default([0, 0]),
    })
    .optional(),
  /** Watch streams are closed by the server every so often (simulated time). */
  watchDisconnect: z.strictObject({ clusters: z.array(z.string()).optional(), every: duration }).optional(),
  /** Nodes going NotReady on their own, at a simulated time, for a while. */
  nodeNotReady: z
    .array(z.strictObject({ cluster: z.string(), node: z.string().optional(), at: duration, for: duration }))
    .default([]),
  /** Nodes added to a pool or removed, at a simulated time. */
  nodeChanges: z
    .array(
      z.union([
        z.strictObject({
          cluster: z.string(),
          pool: z.string(),
          at: duration,
          add: z.number().int().positive(),
        }),
        z.strictObject({ cluster: z.string(), node: z.string(), at: duration, remove: z.literal(true) }),
      ]),
    )
    .default([]),
});

const tokenSchema = z.strictObject({
  name: z.string().min(1),
  token: z.string().min(8),
  /** `admin` may do anything; `read-only` may get, list and watch. */
  access: z.enum(['admin', 'read-only']).default('admin'),
});

const releaseSchema = z.strictObject({
  /** ControllerConfig `spec.baseOSContainerImage`: the RHCOS image of the release. */
  baseOSContainerImage: pinnedImage,
  /** ControllerConfig `spec.baseOSExtensionsContainerImage`. */
  baseOSExtensionsContainerImage: pinnedImage,
  /** The release payload; default `quay.io/openshift-release-dev/ocp-release@sha256:<sha256 of the version>`. */
  releaseImage: pinnedImage.optional(),
  /** Whether MachineConfigNode objects are served; default: from 4.20 (where the API is stable). */
  machineConfigNode: z.boolean().optional(),
});

const scenarioSchema = z.strictObject({
  seed: z.union([z.number().int(), z.string()], { error: 'expected an integer or a string' }).default(1),
  /** Simulated time runs this many times faster than wall time. */
  timeScale: z.number().positive().default(1),
  timing: z
    .strictObject({
      /** From desiredConfig set to state=Working. */
      react: duration.default(1000),
      /** Pulling and staging the new image. */
      rebase: duration.default(30_000),
      /** NotReady while rebooting. */
      reboot: duration.default(60_000),
      /** An evicted pod comes back on another node after this. */
      evictionReturn: duration.default(10_000),
      /** Random extra time added to rebase and reboot, up to this fraction of them. */
      jitter: z.number().min(0).max(1).default(0.2),
    })
    .prefault({}),
  tokens: z.array(tokenSchema).default([
    { name: 'admin', token: 'strata-sim-admin-token', access: 'admin' },
    { name: 'viewer', token: 'strata-sim-read-only-token', access: 'read-only' },
  ]),
  apiServer: z
    .strictObject({
      /** Watch events kept per resource; older resourceVersions get 410 Gone. */
      watchHistory: z.number().int().positive().default(500),
      /** Bookmark interval (real ms) for watches that allow bookmarks. */
      bookmarkEveryMs: z.number().int().positive().default(5000),
    })
    .prefault({}),
  /** OpenShift releases the clusters run, by version (`4.18.12`). */
  releases: z
    .record(z.string().regex(/^\d+\.\d+\.\d+$/, 'expected a release version like 4.18.12'), releaseSchema)
    .default({}),
  /** MCO on OpenShift clusters (reference/mco.md §1–§4). */
  mco: z
    .strictObject({
      /**
       * Run MCO's render, node and drain controllers and daemons on OpenShift clusters (each cluster may
       * override). Off: nodes follow desiredConfig/desiredImage set by a client that cordons and drains.
       */
      controllers: z.boolean().default(false),
      /** Work-queue delays before a controller syncs after a change (MCO: 5 s each), simulated time. */
      delays: z
        .strictObject({
          render: duration.default(5000),
          node: duration.default(5000),
          drain: duration.default(5000),
        })
        .prefault({}),
    })
    .prefault({}),
  /** The `strata-agent` node behaviour (each cluster may override single fields). */
  agent: agentSettingsSchema.prefault({}),
  clusters: z.array(clusterSchema).min(1),
  faults: faultsSchema.prefault({}),
});

type Parsed = z.output<typeof scenarioSchema>;
type ParsedCluster = Parsed['clusters'][number];
/** A validated pool. */
export type ScenarioPool = Omit<ParsedCluster['pools'][number], 'baseImage'> & {
  /** The image the nodes boot at start (on clusters running MCO's controllers: the release's base image). */
  baseImage: string;
};
/** A validated cluster. */
export type ScenarioCluster = Omit<ParsedCluster, 'pools'> & { pools: ScenarioPool[] };
/** A validated scenario, durations in simulated milliseconds. */
export type Scenario = Omit<Parsed, 'clusters'> & { clusters: ScenarioCluster[] };
export type ScenarioWorkload = ScenarioCluster['workloads'][number];
export type ScenarioFaults = Scenario['faults'];
export type NodeFaultTarget = z.output<typeof nodeTarget>;
/** Faults as written (in a scenario or to `fleet.injectFault`): defaults not yet applied. */
export type ScenarioFaultsInput = z.input<typeof faultsSchema>;

/**
 * Faults added at run time, validated and completed as a scenario's are (a node target without `nodes` or
 * `probability` gets their defaults, so the simulator never reads a missing field); only the kinds given.
 * @throws FleetError naming the field at fault.
 */
export function parseInjectedFaults(input: ScenarioFaultsInput): Partial<ScenarioFaults> {
  const parsed = faultsSchema.partial().safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    throw new FleetError(`injectFault: faults${field}: ${issue.message}`);
  }
  const given = new Set(Object.keys(input));
  return Object.fromEntries(
    Object.entries(parsed.data).filter(([k, v]) => given.has(k) && v !== undefined),
  ) as Partial<ScenarioFaults>;
}
export type ScenarioRelease = z.output<typeof releaseSchema>;
export type ScenarioLabelSelector = z.output<typeof labelSelector>;

/** Whether MCO's controllers run on a cluster: OpenShift, and the cluster's or the scenario's switch on. */
export function runsMcoControllers(scenario: Pick<Scenario, 'mco'>, cluster: ScenarioCluster): boolean {
  return cluster.kind === 'openshift' && (cluster.mco?.controllers ?? scenario.mco.controllers);
}
/** The `strata-agent` settings of one cluster, resolved (simulated ms). */
export interface AgentSettings {
  nodePort: 'client-node' | 'shared';
  timeouts: { staging: number; reboot: number; verify: number };
  host: { stage: number; reboot: number; failedPull: number };
  pollInterval: number;
}

/** The agent's own defaults (docs/agent.md): timeouts 12 / 10 / 5 min; hosts fail a pull after 5 s. */
export const AGENT_DEFAULTS = {
  nodePort: 'client-node',
  timeouts: { staging: 720_000, reboot: 600_000, verify: 300_000 },
  failedPull: 5000,
  pollInterval: 600_000,
} as const;

/**
 * A cluster's `strata-agent` settings: its own `agent` fields over the scenario's over
 * {@link AGENT_DEFAULTS}; host stage and reboot times default to the scenario's `timing.rebase` and
 * `timing.reboot`.
 */
export function agentSettings(
  scenario: Pick<Scenario, 'agent' | 'timing'>,
  cluster: Pick<ScenarioCluster, 'agent'>,
): AgentSettings {
  const [top, own] = [scenario.agent, cluster.agent ?? {}];
  return {
    nodePort: own.nodePort ?? top.nodePort ?? AGENT_DEFAULTS.nodePort,
    timeouts: { ...AGENT_DEFAULTS.timeouts, ...top.timeouts, ...own.timeouts },
    host: {
      stage: own.host?.stage ?? top.host?.stage ?? scenario.timing.rebase,
      reboot: own.host?.reboot ?? top.host?.reboot ?? scenario.timing.reboot,
      failedPull: own.host?.failedPull ?? top.host?.failedPull ?? AGENT_DEFAULTS.failedPull,
    },
    pollInterval: own.pollInterval ?? top.pollInterval ?? AGENT_DEFAULTS.pollInterval,
  };
}

/** Whether a cluster runs the Strata node agent (plain Kubernetes, `nodeBehaviour: strata-agent`). */
export function runsStrataAgent(cluster: Pick<ScenarioCluster, 'kind' | 'nodeBehaviour'>): boolean {
  return cluster.kind === 'kubernetes' && cluster.nodeBehaviour === STRATA_AGENT;
}

/** What a scenario may be written as before validation (durations as strings, defaults omitted). */
export type ScenarioInput = z.input<typeof scenarioSchema>;

/**
 * The fleet as it really is: four OpenShift clusters on two releases with MCO's controllers running (dev,
 * staging, two prod regions; a master, worker and infra pool in prod), plus two plain Kubernetes clusters.
 */
export const openshiftScenarioPath = new URL('./scenarios/openshift.yaml', import.meta.url).pathname;

/** The scenario `npm start` and `strata sim` use: {@link openshiftScenarioPath}. */
export const defaultScenarioPath = openshiftScenarioPath;

/**
 * The same four clusters without MCO's controllers (nodes follow the annotations a client sets, the client
 * cordons and drains): the fleet Strata drove itself before it paced MCO.
 */
export const withoutMcoScenarioPath = new URL('./scenarios/without-mco.yaml', import.meta.url).pathname;

const loaded = new WeakSet<object>();

/** True for the output of {@link loadScenario} (validated, defaults filled in). */
export function isLoadedScenario(value: unknown): value is Scenario {
  return typeof value === 'object' && value !== null && loaded.has(value);
}

/**
 * Loads a scenario from a file path, from YAML/JSON text (anything containing a newline or starting with
 * `{`), or from an already parsed object. Throws {@link ScenarioError} naming the source and the field.
 */
export function loadScenario(source: string | ScenarioInput = defaultScenarioPath): Scenario {
  let name = 'scenario';
  let raw: unknown = source;
  if (typeof source === 'string') {
    const isText = source.includes('\n') || source.trimStart().startsWith('{');
    let text = source;
    if (!isText) {
      name = source;
      try {
        text = readFileSync(source, 'utf8');
      } catch (error) {
        throw new ScenarioError(`${name}: cannot read the scenario file: ${(error as Error).message}`);
      }
    }
    try {
      raw = parseYaml(text);
    } catch (error) {
      throw new ScenarioError(`${name}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    throw new ScenarioError(`${name}: ${field.replace(/^\./, '') || '(root)'}: ${issue.message}`);
  }
  const scenario = checkReferences(parsed.data as Scenario, name);
  loaded.add(scenario);
  return scenario;
}

/** Cross-field checks zod cannot express: unique names, references to clusters, pools and PDBs. */
function checkReferences(scenario: Scenario, name: string): Scenario {
  const fail = (field: string, message: string): never => {
    throw new ScenarioError(`${name}: ${field}: ${message}`);
  };
  const clusters = new Map(scenario.clusters.map((c) => [c.name, c]));
  scenario.clusters.forEach((cluster, ci) => {
    if (scenario.clusters.findIndex((c) => c.name === cluster.name) !== ci)
      fail(`clusters[${ci}].name`, `duplicate cluster name "${cluster.name}"`);
    const at = `clusters[${ci}]`;
    const controllers = runsMcoControllers(scenario, cluster);
    if (cluster.kind === 'kubernetes') {
      if (cluster.release !== undefined)
        fail(`${at}.release`, 'a plain Kubernetes cluster has no OpenShift release (kind: kubernetes)');
      if (cluster.mco?.controllers)
        fail(
          `${at}.mco.controllers`,
          'a plain Kubernetes cluster runs no MCO controllers (kind: kubernetes)',
        );
    } else if (cluster.nodeBehaviour !== undefined) {
      fail(`${at}.nodeBehaviour`, 'only plain Kubernetes clusters (kind: kubernetes) take a node behaviour');
    }
    if (cluster.agent !== undefined && !runsStrataAgent(cluster))
      fail(
        `${at}.agent`,
        `agent settings apply to plain Kubernetes clusters running the Strata agent (kind: kubernetes, nodeBehaviour: ${STRATA_AGENT})`,
      );
    if (cluster.release !== undefined && !Object.hasOwn(scenario.releases, cluster.release))
      fail(`${at}.release`, `no release "${cluster.release}" in the scenario's releases`);
    if (controllers && cluster.release === undefined)
      fail(
        `${at}.release`,
        "required on a cluster running MCO's controllers (its ControllerConfig comes from it)",
      );
    cluster.pools.forEach((pool, pi) => {
      if (cluster.pools.findIndex((p) => p.name === pool.name) !== pi)
        fail(`clusters[${ci}].pools[${pi}].name`, `duplicate pool name "${pool.name}"`);
      const releaseBase = cluster.release
        ? scenario.releases[cluster.release]?.baseOSContainerImage
        : undefined;
      if (controllers && pool.baseImage !== undefined && pool.baseImage !== releaseBase)
        fail(
          `${at}.pools[${pi}].baseImage`,
          `nodes of a cluster running MCO's controllers boot the release's base image (releases["${cluster.release}"].baseOSContainerImage); a layered image is a MachineConfig`,
        );
      if (controllers && releaseBase) pool.baseImage = releaseBase;
      if (controllers && pool.baseConfig !== undefined)
        fail(
          `${at}.pools[${pi}].baseConfig`,
          "the render controller names the rendered config on clusters running MCO's controllers",
        );
      if (!controllers && pool.baseImage === undefined)
        fail(`${at}.pools[${pi}].baseImage`, 'required: the image the nodes boot at start (repo@sha256:…)');
    });
    cluster.workloads.forEach((w, wi) => {
      if (w.pool !== undefined && !cluster.pools.some((p) => p.name === w.pool))
        fail(`clusters[${ci}].workloads[${wi}].pool`, `no pool "${w.pool}" in cluster "${cluster.name}"`);
    });
  });
  const tokens = new Set<string>();
  scenario.tokens.forEach((t, ti) => {
    if (tokens.has(t.token)) fail(`tokens[${ti}].token`, 'duplicate token');
    tokens.add(t.token);
  });
  if (!scenario.tokens.some((t) => t.access === 'admin'))
    fail('tokens', 'at least one admin token is needed');
  const knownCluster = (field: string, cluster: string) => {
    if (!clusters.has(cluster)) fail(field, `no cluster "${cluster}" in the scenario`);
    return clusters.get(cluster)!;
  };
  const f = scenario.faults;
  f.pdbBlock.forEach((b, i) => {
    const c = knownCluster(`faults.pdbBlock[${i}].cluster`, b.cluster);
    if (!c.workloads.some((w) => w.pdb && `${w.name}-pdb` === b.name && w.namespace === b.namespace))
      fail(`faults.pdbBlock[${i}].name`, `no PDB "${b.namespace}/${b.name}" in cluster "${b.cluster}"`);
  });
  f.nodeNotReady.forEach((n, i) => void knownCluster(`faults.nodeNotReady[${i}].cluster`, n.cluster));
  f.nodeChanges.forEach((n, i) => {
    const c = knownCluster(`faults.nodeChanges[${i}].cluster`, n.cluster);
    if ('pool' in n && !c.pools.some((p) => p.name === n.pool))
      fail(`faults.nodeChanges[${i}].pool`, `no pool "${n.pool}" in cluster "${n.cluster}"`);
  });
  for (const key of ['updateFailure', 'unreconcilable', 'imageNoBoot'] as const) {
    f[key]?.clusters?.forEach((c, i) => void knownCluster(`faults.${key}.clusters[${i}]`, c));
  }
  // Faults of the agent's simulated host mean nothing to MCO's daemons, and MCO's reconcilability check
  // nothing to the agent: naming a cluster where a fault cannot happen is a mistake, not a no-op.
  for (const key of ['pullFailure', 'authFailure', 'stagingHang'] as const) {
    f[key]?.clusters?.forEach((c, i) => {
      if (!runsStrataAgent(knownCluster(`faults.${key}.clusters[${i}]`, c)))
        fail(
          `faults.${key}.clusters[${i}]`,
          `cluster "${c}" does not run the Strata agent (kind: kubernetes, nodeBehaviour: ${STRATA_AGENT}); this host fault happens on agent nodes only`,
        );
    });
  }
  f.unreconcilable?.clusters?.forEach((c, i) => {
    if (runsStrataAgent(clusters.get(c)!))
      fail(
        `faults.unreconcilable.clusters[${i}]`,
        `cluster "${c}" runs the Strata agent, which has no MachineConfig to reconcile (unreconcilable is an MCO daemon fault)`,
      );
  });
  f.api?.clusters?.forEach((c, i) => void knownCluster(`faults.api.clusters[${i}]`, c));
  f.watchDisconnect?.clusters?.forEach(
    (c, i) => void knownCluster(`faults.watchDisconnect.clusters[${i}]`, c),
  );
  return scenario;
}
