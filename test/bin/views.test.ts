/** The tables of `strata get` (bin/views): cells, natural order, the default and wide views, widths. */
import { describe, expect, it } from 'vitest';
import { formatPlan } from '../../bin/actions/plan.ts';
import { trackCheckCells } from '../../bin/views/checks.ts';
import { DRIFT, NODES, POOLS, TRACKS, waveNames } from '../../bin/views/resources.ts';
import { naturally } from '../../bin/views/sort.ts';
import { formatTable, headers, tableRows } from '../../bin/views/table.ts';
import type { NodeView, PoolView } from '../../functions/core/admin/index.ts';
import type { DriftView, TrackCheckView } from '../../functions/core/checks/index.ts';
import { parseTrack } from '../../functions/core/tracks/index.ts';

const now = new Date('2026-11-21T12:00:00Z');
const d = (c: string) => `sha256:${c.repeat(64)}`;
const config = (pool: string) => `rendered-${pool}-${'0123456789abcdef'.repeat(2)}`;

function node(clusterId: string, name: string, extra: Partial<NodeView> = {}): NodeView {
  return {
    clusterId,
    name,
    pool: 'worker',
    ready: true,
    unschedulable: false,
    state: 'Done',
    reason: null,
    currentConfig: config('worker'),
    desiredConfig: config('worker'),
    currentImage: null,
    desiredImage: null,
    zone: 'us-east-1a',
    createdAt: '2026-11-21T11:00:00Z',
    ...extra,
  };
}

function pool(clusterId: string, name: string, machines: number): PoolView {
  const status = (type: string, s: string) => ({
    type,
    status: s,
    reason: '',
    message: '',
    lastTransitionTime: '',
  });
  return {
    clusterId,
    pool: name,
    target: { config: config(name), image: 'quay.io/a/b@sha256:1', rolloutId: 'demo-5d979b3f2f4a' },
    lastCompleted: null,
    status: {
      machineCount: machines,
      updatedMachineCount: machines - 1,
      readyMachineCount: machines,
      unavailableMachineCount: 1,
      degradedMachineCount: 0,
      conditions: [
        status('Updated', 'False'),
        status('Updating', 'True'),
        status('Degraded', 'False'),
      ] as never,
    },
    holds: [],
    slots: {},
    failed: {},
    stuck: [],
    updatedAt: '2026-11-21T11:00:00Z',
    registeredAt: '2026-11-21T11:30:00Z',
  };
}

describe('track check cells', () => {
  it('shows never-checked tracks as such', () => {
    expect(trackCheckCells(undefined, now)).toMatchObject({
      DIGEST: '-',
      CHECKED: 'never',
      'STALE-BASE': '-',
    });
  });

  it('shows the short digest, the check age, and a stale base with how far behind and since when', () => {
    const check: TrackCheckView = {
      lastCheckedAt: '2026-11-21T11:59:18Z',
      lastDigest: d('a'),
      lastError: null,
      consecutiveFailures: 0,
      baseError: null,
      base: {
        base: 'quay.io/fedora/fedora-coreos:stable',
        imageDigest: d('a'),
        builtOnDigest: d('1'),
        builtOnFrom: 'image',
        latestDigest: d('2'),
        stale: true,
        staleSince: '2026-11-21T09:00:00Z',
        missedDigests: [d('2')],
        behind: 1,
      },
    };
    expect(trackCheckCells(check, now)).toEqual({
      DIGEST: 'aaaaaaaaaaaa',
      CHECKED: '42s ago',
      'STALE-BASE': 'yes, 1 behind for 3h',
      BASE: 'quay.io/fedora/fedora-coreos:stable',
      'LATEST-BASE': '222222222222',
      'CHECK-ERROR': '',
    });
  });

  it('marks a failed check, shows a current base as no, and the last error with its count', () => {
    const cells = trackCheckCells(
      {
        lastCheckedAt: '2026-11-21T11:00:00Z',
        lastDigest: d('a'),
        lastError: 'quay.io/acme/os:prod: registry unavailable: HTTP 429 after 4 attempts',
        consecutiveFailures: 3,
        baseError: null,
        base: null,
      },
      now,
    );
    expect(cells).toMatchObject({
      CHECKED: '60m ago (failed)',
      'STALE-BASE': '-',
      'CHECK-ERROR': 'quay.io/acme/os:prod: registry unavailable: HTTP 429 after 4 attempts (3x)',
    });
  });
});

describe('tables', () => {
  it('order names naturally: digit runs by value, the rest by code point', () => {
    expect(
      naturally([
        'worker-10',
        'worker-2',
        'worker-1',
        'infra-0',
        'worker-02',
        'w',
        'worker',
        'node10a',
        'node9b',
      ]),
    ).toEqual([
      'infra-0',
      'node9b',
      'node10a',
      'w',
      'worker',
      'worker-1',
      'worker-2',
      'worker-02',
      'worker-10',
    ]);
  });

  it('sort names naturally: worker-2 before worker-10, cluster by cluster', () => {
    const nodes = ['worker-10', 'worker-2', 'worker-1', 'infra-0'].flatMap((n) => [
      node('prod-2', n),
      node('prod-10', n),
    ]);
    const rows = tableRows(NODES, nodes).map((r) => `${r.CLUSTER}/${r.NAME}`);
    expect(rows).toEqual([
      'prod-2/infra-0',
      'prod-2/worker-1',
      'prod-2/worker-2',
      'prod-2/worker-10',
      'prod-10/infra-0',
      'prod-10/worker-1',
      'prod-10/worker-2',
      'prod-10/worker-10',
    ]);
  });

  it('pools: a NODES summary by default, every column of oc get mcp with -o wide', () => {
    expect(headers(POOLS)).toEqual([
      'CLUSTER',
      'NAME',
      'CONFIG',
      'UPDATED',
      'UPDATING',
      'DEGRADED',
      'NODES',
      'AGE',
    ]);
    expect(headers(POOLS, true)).toEqual([
      'CLUSTER',
      'NAME',
      'CONFIG',
      'UPDATED',
      'UPDATING',
      'DEGRADED',
      'MACHINECOUNT',
      'READYMACHINECOUNT',
      'UPDATEDMACHINECOUNT',
      'DEGRADEDMACHINECOUNT',
      'AGE',
      'ROLLOUT',
      'HOLDS',
      'PAUSED',
    ]);
    expect(tableRows(POOLS, [pool('dev', 'worker', 3)], { now })[0]).toMatchObject({
      UPDATED: 'False',
      UPDATING: 'True',
      NODES: '2/3',
      AGE: '30m',
    });
  });

  it('keep the default view of the demo fleet within 120 columns, nodes cordoned mid-update included', () => {
    const clusters = ['dev', 'staging', 'prod-us-east', 'prod-eu-west'];
    const pools = clusters.flatMap((c) => [pool(c, 'worker', 12), pool(c, 'infra', 3)]);
    const nodes = clusters.flatMap((c) =>
      Array.from({ length: 12 }, (_, i) =>
        node(c, `worker-${i}`, {
          unschedulable: i % 2 === 0,
          state: i % 3 === 0 ? 'Unreconcilable' : 'Working',
        }),
      ),
    );
    for (const table of [formatTable(POOLS, pools, { now }), formatTable(NODES, nodes, { now })]) {
      const widest = Math.max(...table.split('\n').map((l) => l.length));
      expect(widest).toBeLessThanOrEqual(120);
    }
    // -o wide has the rest, and is wider.
    const wide = formatTable(POOLS, pools, { now, wide: true });
    expect(Math.max(...wide.split('\n').map((l) => l.length))).toBeGreaterThan(120);
  });

  it('tracks: WAVES lists every wave a rollout forms, rest included', () => {
    const track = parseTrack(
      {
        name: 'demo',
        image: 'quay.io/strata/rhcos-layered:demo',
        strategy: { waves: [{ name: 'canary', clusterSelector: { matchLabels: { env: 'dev' } } }] },
      },
      'test',
    );
    expect(tableRows(TRACKS, [track])[0]!.WAVES).toBe('canary,rest');
    expect(waveNames({ ...track.strategy, waves: [] })).toEqual(['rest']);
    expect(
      waveNames({
        ...track.strategy,
        waves: [
          { name: 'one', count: 1 },
          { name: 'all', percent: 100 },
        ],
      }),
    ).toEqual(['one', 'all']);
  });

  it('drift: where, what, actual and since by default; expected and cause with -o wide', () => {
    const finding: DriftView = {
      clusterId: 'east',
      pool: 'worker',
      kind: 'node-image',
      subject: 'east-worker-0',
      expected: 'quay.io/acme/os@sha256:1',
      actual: null,
      cause: 'node east-worker-0 booted no recorded image instead of quay.io/acme/os@sha256:1',
      since: '2026-11-21T11:30:00Z',
      checkedAt: '2026-11-21T11:59:00Z',
    };
    expect(tableRows(DRIFT, [finding], { now })[0]).toEqual({
      CLUSTER: 'east',
      POOL: 'worker',
      KIND: 'node-image',
      SUBJECT: 'east-worker-0',
      ACTUAL: '-',
      SINCE: '30m',
    });
    expect(tableRows(DRIFT, [finding], { now, wide: true })[0]).toMatchObject({
      EXPECTED: 'quay.io/acme/os@sha256:1',
      CAUSE: finding.cause,
    });
  });

  it('plan: nodes already there in natural order, start batches in the order they would start', () => {
    const text = formatPlan('quay.io/a/b@sha256:1', [
      {
        track: 't',
        rolloutId: 't-1',
        image: 'quay.io/a/b@sha256:1',
        strategy: parseTrack({ name: 't', image: 'quay.io/a/b:c' }, 'test').strategy,
        waves: [
          {
            name: 'rest',
            clusters: [
              {
                id: 'c1',
                unreachable: null,
                pools: [
                  {
                    pool: 'worker',
                    renderedConfig: config('worker'),
                    sources: [],
                    warnings: [],
                    refusal: null,
                    maxUnavailable: 1,
                    batches: [['worker-3'], ['worker-1']],
                    upToDate: ['worker-10', 'worker-2', 'worker-11'],
                  },
                ],
              },
            ],
          },
        ],
        refusals: [],
        notices: ['cluster c1: no pool infra registered; the rollout skips it there'],
      },
    ]);
    expect(text).toContain(
      '       1. worker-3\n       2. worker-1\n      already there: worker-2, worker-10, worker-11\n',
    );
    expect(text).toContain(
      'Notices:\n  - cluster c1: no pool infra registered; the rollout skips it there\nRefusals: none',
    );
  });
});
