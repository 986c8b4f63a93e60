import { describe, expect, it } from 'vitest';
import type { HostStatus } from '../../agent/host/port.ts';
import { AgentAnnotations as A } from '../../agent/protocol.ts';
import {
  DEFAULT_TIMEOUTS,
  type Decision,
  decide,
  type HostOperation,
  type Observation,
} from '../../agent/state-machine.ts';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const OLD = `quay.io/acme/os@${digest('a')}`;
const NEW = `quay.io/acme/os@${digest('b')}`;
const OTHER = `quay.io/acme/os@${digest('c')}`;
const T0 = Date.parse('2026-06-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const dep = (image: string | undefined) => ({ image, digest: image?.slice(image.indexOf('@') + 1) });

/** A host booted on `booted`, with an optional staged and rollback deployment. */
function host(
  booted: string,
  opts: { staged?: string; rollback?: string; rollbackQueued?: boolean } = {},
): HostStatus {
  const staged = opts.staged ? dep(opts.staged) : undefined;
  const rollback = opts.rollback ? dep(opts.rollback) : undefined;
  return {
    booted: dep(booted),
    staged,
    rollback,
    next: staged ?? (opts.rollbackQueued && rollback ? rollback : dep(booted)),
  };
}

function observe(
  annotations: Record<string, string>,
  status: HostStatus | string,
  extra: Partial<Observation> = {},
): Observation {
  return {
    now: T0,
    annotations,
    nodeReady: true,
    boot: { id: 'boot-1', startedAt: T0 - 3_600_000 },
    host: typeof status === 'string' ? { ok: false, error: status } : { ok: true, status },
    operation: undefined,
    rebootIssued: false,
    ...extra,
  };
}

/** Annotations of a node in `state` for `image`, since T0 - `ago` ms. */
function node(
  state: string,
  image: string,
  ago = 0,
  more: Record<string, string> = {},
): Record<string, string> {
  return {
    [A.desiredImage]: image,
    [A.state]: state,
    [A.stateImage]: image,
    [A.stateSince]: iso(T0 - ago),
    [A.currentImage]: OLD,
    [A.reason]: '',
    [A.bootId]: 'boot-1',
    ...more,
  };
}

const running = (image: string): HostOperation => ({ kind: 'stage', image, status: 'running' });

function patchOf(decision: Decision): Record<string, string | null> {
  expect(decision.step.kind).toBe('patch');
  return decision.step.kind === 'patch' ? decision.step.patch : {};
}

describe('agent state machine: at start and at rest', () => {
  it('reports a fresh node Done on its booted image, with its boot ID', () => {
    const d = decide(observe({}, host(OLD)));
    expect(patchOf(d)).toEqual({
      [A.state]: 'Done',
      [A.stateImage]: OLD,
      [A.stateSince]: iso(T0),
      [A.reason]: '',
      [A.currentImage]: OLD,
      [A.bootId]: 'boot-1',
    });
  });

  it('does nothing on a settled node', () => {
    const d = decide(observe(node('Done', OLD), host(OLD)));
    expect(d.step).toMatchObject({ kind: 'wait', until: undefined });
    expect(d.cancelOperation).toBe(false);
  });

  it('keeps current-image on what the host booted', () => {
    const d = decide(observe(node('Done', OLD, 0, { [A.currentImage]: OTHER }), host(OLD)));
    expect(patchOf(d)).toMatchObject({ [A.state]: 'Done', [A.currentImage]: OLD });
  });

  it('treats a missing desired image as "stay on the booted one"', () => {
    const annotations = node('Done', OLD);
    delete annotations[A.desiredImage];
    expect(decide(observe(annotations, host(OLD))).step.kind).toBe('wait');
    expect(decide(observe(annotations, host(OLD, { staged: NEW }))).step.kind).toBe('discard');
  });

  it('reports Done with an empty current-image when the host does not run a container image', () => {
    const d = decide(
      observe({}, { booted: dep(undefined), staged: undefined, rollback: undefined, next: dep(undefined) }),
    );
    expect(patchOf(d)).toMatchObject({ [A.state]: 'Done', [A.currentImage]: '' });
  });

  it('restamps an active state whose start time is missing (its timeout needs one)', () => {
    const annotations = node('Staging', NEW);
    delete annotations[A.stateSince];
    expect(patchOf(decide(observe(annotations, host(OLD))))).toMatchObject({
      [A.state]: 'Staging',
      [A.stateSince]: iso(T0),
    });
  });
});

describe('agent state machine: refusing what it must not run', () => {
  it('refuses a tag: Degraded with the reason, once', () => {
    const tagged = 'quay.io/acme/os:latest';
    const d = decide(observe({ ...node('Done', OLD), [A.desiredImage]: tagged }, host(OLD)));
    expect(patchOf(d)).toMatchObject({
      [A.state]: 'Degraded',
      [A.stateImage]: tagged,
      [A.reason]: `tag not allowed: desired image "${tagged}" is not pinned by digest (expected repo@sha256:…)`,
    });
    const again = decide(observe({ ...node('Degraded', tagged), [A.currentImage]: OLD }, host(OLD)));
    expect(again.step.kind).toBe('wait');
  });

  it('refuses a reference that does not parse, naming the part that is wrong', () => {
    const bad = `quay.io/acme/os@sha256:${'z'.repeat(64)}`;
    const d = decide(observe({ ...node('Done', OLD), [A.desiredImage]: bad }, host(OLD)));
    expect(patchOf(d)[A.reason]).toContain('digest is not sha256:<64 hex>');
  });

  it('refuses a tag even when the host status cannot be read, and stops a running staging', () => {
    const d = decide(
      observe({ ...node('Staging', NEW), [A.desiredImage]: 'quay.io/acme/os:v2' }, 'bootc: error', {
        operation: running(NEW),
      }),
    );
    expect(patchOf(d)[A.state]).toBe('Degraded');
    expect(d.cancelOperation).toBe(true);
  });
});

describe('agent state machine: staging', () => {
  it('starts Staging when the desired image differs from the booted one, clearing stale requests', () => {
    const d = decide(
      observe(node('Done', OLD, 0, { [A.desiredImage]: NEW, [A.reboot]: OLD, [A.retry]: OLD }), host(OLD)),
    );
    expect(patchOf(d)).toEqual({
      [A.state]: 'Staging',
      [A.stateImage]: NEW,
      [A.stateSince]: iso(T0),
      [A.reason]: '',
      [A.reboot]: null,
      [A.retry]: null,
    });
  });

  it('stages with a switch, and with a rollback when the rollback deployment holds the image', () => {
    expect(decide(observe(node('Staging', NEW, 1000), host(OLD))).step).toEqual({
      kind: 'stage',
      image: NEW,
      via: 'switch',
      until: T0 - 1000 + DEFAULT_TIMEOUTS.stagingMs,
      why: expect.any(String),
    });
    expect(decide(observe(node('Staging', NEW), host(OLD, { rollback: NEW }))).step).toMatchObject({
      kind: 'stage',
      via: 'rollback',
    });
  });

  it('waits while its staging runs, until the staging deadline', () => {
    const d = decide(observe(node('Staging', NEW, 60_000), host(OLD), { operation: running(NEW) }));
    expect(d.step).toMatchObject({ kind: 'wait', until: T0 - 60_000 + DEFAULT_TIMEOUTS.stagingMs });
    expect(d.cancelOperation).toBe(false);
  });

  it('reports Staged once the next boot runs the image (staged, or a queued rollback)', () => {
    expect(patchOf(decide(observe(node('Staging', NEW), host(OLD, { staged: NEW }))))).toMatchObject({
      [A.state]: 'Staged',
      [A.stateImage]: NEW,
      [A.reason]: '',
    });
    expect(
      patchOf(decide(observe(node('Staging', NEW), host(OLD, { rollback: NEW, rollbackQueued: true })))),
    ).toMatchObject({ [A.state]: 'Staged' });
  });

  it('goes Degraded with the host command reason when staging fails', () => {
    const reason = 'registry auth failed: error: unauthorized: authentication required';
    const d = decide(
      observe(node('Staging', NEW), host(OLD), {
        operation: { kind: 'stage', image: NEW, status: 'failed', reason },
      }),
    );
    expect(patchOf(d)).toMatchObject({ [A.state]: 'Degraded', [A.stateImage]: NEW, [A.reason]: reason });
  });

  it('goes Degraded when staging succeeded but the next boot runs another digest', () => {
    const d = decide(
      observe(node('Staging', NEW), host(OLD, { staged: OTHER }), {
        operation: { kind: 'stage', image: NEW, status: 'succeeded' },
      }),
    );
    expect(patchOf(d)[A.reason]).toBe(
      `staged digest differs: the next boot runs ${digest('c')}, expected ${digest('b')}`,
    );
  });

  it('times out in Staging (12 min by default) and stops the staging', () => {
    const d = decide(
      observe(node('Staging', NEW, DEFAULT_TIMEOUTS.stagingMs), host(OLD), { operation: running(NEW) }),
    );
    expect(patchOf(d)).toMatchObject({ [A.state]: 'Degraded', [A.reason]: 'timeout in Staging after 720s' });
    expect(d.cancelOperation).toBe(true);
  });

  it('honours configured timeouts', () => {
    const timeouts = { stagingMs: 30_000, rebootMs: 20_000, verifyMs: 10_000 };
    const d = decide(observe(node('Staging', NEW, 30_000), host(OLD)), timeouts);
    expect(patchOf(d)[A.reason]).toBe('timeout in Staging after 30s');
  });

  it('restarts from Staging for a new desired image, stopping the old staging', () => {
    const d = decide(
      observe(node('Staging', NEW, 0, { [A.desiredImage]: OTHER }), host(OLD), { operation: running(NEW) }),
    );
    expect(patchOf(d)).toMatchObject({ [A.state]: 'Staging', [A.stateImage]: OTHER });
    expect(d.cancelOperation).toBe(true);
  });

  it('waits for the host while it cannot read the status, then times out with the error', () => {
    const waiting = decide(observe(node('Staging', NEW, 1000), 'bootc status: exit 1'));
    expect(waiting.step).toMatchObject({ kind: 'wait', until: T0 - 1000 + DEFAULT_TIMEOUTS.stagingMs });
    const late = decide(observe(node('Staging', NEW, DEFAULT_TIMEOUTS.stagingMs), 'bootc status: exit 1'));
    expect(patchOf(late)[A.reason]).toBe(
      'timeout in Staging after 720s: cannot read the host status: bootc status: exit 1',
    );
    expect(decide(observe(node('Done', OLD), 'bootc status: exit 1')).step.kind).toBe('wait');
  });
});

describe('agent state machine: staged, waiting for the reboot request', () => {
  const staged = host(OLD, { staged: NEW });

  it('waits without a deadline: the control plane decides when', () => {
    expect(decide(observe(node('Staged', NEW, 3_600_000), staged)).step).toMatchObject({
      kind: 'wait',
      until: undefined,
    });
  });

  it('never reboots for a request naming another image', () => {
    expect(decide(observe(node('Staged', NEW, 0, { [A.reboot]: OTHER }), staged)).step.kind).toBe('wait');
  });

  it('enters Rebooting on a matching request: boot ID recorded, request consumed', () => {
    const d = decide(observe(node('Staged', NEW, 0, { [A.reboot]: NEW }), staged));
    expect(patchOf(d)).toMatchObject({
      [A.state]: 'Rebooting',
      [A.stateImage]: NEW,
      [A.bootId]: 'boot-1',
      [A.reboot]: null,
    });
  });

  it('goes back to Staging when the staged deployment is gone', () => {
    expect(patchOf(decide(observe(node('Staged', NEW), host(OLD))))).toMatchObject({ [A.state]: 'Staging' });
  });

  it('on a rollback of the desired image, discards what is staged, then reports Done', () => {
    const rolledBack = node('Staged', NEW, 0, { [A.desiredImage]: OLD, [A.reboot]: NEW });
    expect(decide(observe(rolledBack, staged)).step.kind).toBe('discard');
    expect(decide(observe(rolledBack, host(OLD, { rollback: NEW, rollbackQueued: true }))).step.kind).toBe(
      'discard',
    );
    expect(patchOf(decide(observe(rolledBack, host(OLD))))).toMatchObject({
      [A.state]: 'Done',
      [A.stateImage]: OLD,
      [A.reboot]: null,
    });
  });
});

describe('agent state machine: rebooting and verifying', () => {
  const staged = host(OLD, { staged: NEW });

  it('asks for the reboot once per process, then waits for it until the reboot deadline', () => {
    const first = decide(observe(node('Rebooting', NEW, 1000), staged));
    expect(first.step).toMatchObject({ kind: 'reboot', until: T0 - 1000 + DEFAULT_TIMEOUTS.rebootMs });
    const after = decide(observe(node('Rebooting', NEW, 1000), staged, { rebootIssued: true }));
    expect(after.step).toMatchObject({ kind: 'wait', until: T0 - 1000 + DEFAULT_TIMEOUTS.rebootMs });
  });

  it('times out in Rebooting (10 min) when the host did not restart', () => {
    const d = decide(
      observe(node('Rebooting', NEW, DEFAULT_TIMEOUTS.rebootMs), staged, { rebootIssued: true }),
    );
    expect(patchOf(d)[A.reason]).toBe('timeout in Rebooting after 600s: the host did not restart');
  });

  it('does not reboot into the old image when the staged deployment was lost', () => {
    const d = decide(observe(node('Rebooting', NEW), host(OLD)));
    expect(patchOf(d)[A.reason]).toMatch(/^staged deployment lost before the reboot/);
  });

  it('after the new boot on the target and the node Ready: Done, current-image and boot ID updated', () => {
    const d = decide(
      observe(node('Rebooting', NEW), host(NEW, { rollback: OLD }), {
        boot: { id: 'boot-2', startedAt: T0 - 60_000 },
      }),
    );
    expect(patchOf(d)).toEqual({
      [A.state]: 'Done',
      [A.stateImage]: NEW,
      [A.stateSince]: iso(T0),
      [A.reason]: '',
      [A.currentImage]: NEW,
      [A.bootId]: 'boot-2',
    });
  });

  it('waits for the node to be Ready after the boot, up to the verify timeout from the boot start', () => {
    const boot = { id: 'boot-2', startedAt: T0 - 60_000 };
    const waiting = decide(observe(node('Rebooting', NEW), host(NEW), { boot, nodeReady: false }));
    expect(waiting.step).toMatchObject({ kind: 'wait', until: boot.startedAt + DEFAULT_TIMEOUTS.verifyMs });
    const late = decide(
      observe(node('Rebooting', NEW), host(NEW), {
        boot,
        nodeReady: false,
        now: boot.startedAt + DEFAULT_TIMEOUTS.verifyMs,
      }),
    );
    expect(patchOf(late)[A.reason]).toBe(
      `timeout in Verifying after 300s: booted ${NEW} but the node is not Ready`,
    );
  });

  it('goes Degraded when the new boot runs another digest', () => {
    const annotations = node('Rebooting', NEW, 0, { [A.currentImage]: '' });
    const d = decide(
      observe(annotations, host(OLD, { rollback: NEW }), { boot: { id: 'boot-2', startedAt: T0 } }),
    );
    expect(patchOf(d)).toMatchObject({
      [A.state]: 'Degraded',
      [A.currentImage]: OLD,
      [A.reason]: `booted digest differs: booted ${OLD}, expected ${NEW}`,
    });
  });

  it('times out verifying when the host status stays unreadable after the boot', () => {
    const boot = { id: 'boot-2', startedAt: T0 - DEFAULT_TIMEOUTS.verifyMs };
    const d = decide(observe(node('Rebooting', NEW), 'rpm-ostree: daemon not running', { boot }));
    expect(patchOf(d)[A.reason]).toBe(
      'timeout in Verifying after 300s: cannot read the host status: rpm-ostree: daemon not running',
    );
  });
});

describe('agent state machine: Degraded', () => {
  const failed = node('Degraded', NEW, 0, { [A.reason]: 'pull failed: manifest unknown' });

  it('is not retried while the desired image stays the same', () => {
    expect(decide(observe(failed, host(OLD))).step.kind).toBe('wait');
  });

  it('starts over for a new desired image', () => {
    expect(patchOf(decide(observe({ ...failed, [A.desiredImage]: OTHER }, host(OLD))))).toMatchObject({
      [A.state]: 'Staging',
      [A.stateImage]: OTHER,
      [A.reason]: '',
    });
  });

  it('starts over on a retry request naming its desired image, consuming it', () => {
    expect(patchOf(decide(observe({ ...failed, [A.retry]: NEW }, host(OLD))))).toMatchObject({
      [A.state]: 'Staging',
      [A.retry]: null,
    });
  });

  it('drops a retry request naming another image', () => {
    expect(patchOf(decide(observe({ ...failed, [A.retry]: OTHER }, host(OLD))))).toEqual({ [A.retry]: null });
  });

  it('reports Done when the desired image is set back to the booted one (a rollback)', () => {
    expect(patchOf(decide(observe({ ...failed, [A.desiredImage]: OLD }, host(OLD))))).toMatchObject({
      [A.state]: 'Done',
      [A.reason]: '',
    });
  });
});

/**
 * A small world around the pure machine: a host with deployments and boots, the node's annotations, a
 * control plane that asks for the reboot once the node is Staged, and a process whose memory (its
 * running operation, whether it asked for a reboot) a crash wipes.
 */
class World {
  annotations: Record<string, string> = {};
  booted = OLD;
  staged: string | undefined;
  rollback: string | undefined;
  boot = { id: 'boot-1', startedAt: T0 - 3_600_000 };
  now = T0;
  operation: HostOperation | undefined;
  rebootIssued = false;
  reboots = 0;
  /** Every reboot with the node's state at that moment. */
  rebootStates: string[] = [];

  status(): HostStatus {
    return host(this.booted, { staged: this.staged, rollback: this.rollback });
  }

  crash(): void {
    this.operation = undefined;
    this.rebootIssued = false;
  }

  /** One tick: the control plane's move, the host finishing its work, or one agent decision applied. */
  tick(): void {
    this.now += 1000;
    const a = this.annotations;
    if (a[A.state] === 'Staged' && a[A.reboot] === undefined && a[A.desiredImage] === a[A.stateImage]) {
      a[A.reboot] = a[A.desiredImage]!;
      return;
    }
    if (this.operation?.status === 'running') {
      this.staged = this.operation.image;
      this.operation = { ...this.operation, status: 'succeeded' };
      return;
    }
    if (this.rebootIssued) {
      this.rebootStates.push(a[A.state] ?? '');
      this.reboots++;
      this.rollback = this.booted;
      this.booted = this.staged ?? this.booted;
      this.staged = undefined;
      this.boot = { id: `boot-${this.reboots + 1}`, startedAt: this.now };
      this.crash(); // a reboot restarts the agent
      return;
    }
    const d = decide({
      now: this.now,
      annotations: a,
      nodeReady: true,
      boot: this.boot,
      host: { ok: true, status: this.status() },
      operation: this.operation,
      rebootIssued: this.rebootIssued,
    });
    if (d.cancelOperation) this.operation = undefined;
    const step = d.step;
    if (step.kind === 'patch') {
      for (const [k, v] of Object.entries(step.patch)) {
        if (v === null) delete a[k];
        else a[k] = v;
      }
      // A finished operation is forgotten once its outcome is written (as the agent does).
      if (step.patch[A.state] !== undefined) this.operation = undefined;
    } else if (step.kind === 'stage') {
      this.operation = { kind: 'stage', image: step.image, status: 'running' };
    } else if (step.kind === 'discard') {
      this.staged = undefined;
    } else if (step.kind === 'reboot') {
      this.rebootIssued = true;
    }
  }

  settled(): boolean {
    const a = this.annotations;
    return a[A.state] === 'Done' && a[A.currentImage] === a[A.desiredImage] && this.staged === undefined;
  }
}

describe('agent state machine: crash safety', () => {
  /** The happy path's ticks, to crash between any two of them. */
  function happyPathLength(): number {
    const w = new World();
    for (let i = 0; i < 5; i++) w.tick();
    w.annotations[A.desiredImage] = NEW;
    let n = 0;
    while (!w.settled() && n < 100) {
      w.tick();
      n++;
    }
    expect(w.settled()).toBe(true);
    return n;
  }

  it('ends Done on the new image with one reboot, from a Rebooting state, on the happy path', () => {
    const w = new World();
    w.annotations[A.desiredImage] = NEW;
    for (let i = 0; i < 100 && !w.settled(); i++) w.tick();
    expect(w.annotations).toMatchObject({ [A.state]: 'Done', [A.currentImage]: NEW, [A.reason]: '' });
    expect(w.reboots).toBe(1);
    expect(w.rebootStates).toEqual(['Rebooting']);
    expect(w.annotations[A.reboot]).toBeUndefined();
  });

  it('resumes correctly after a crash at every point of the update, rebooting at most twice, never unasked', () => {
    const length = happyPathLength();
    for (let crashAt = 0; crashAt <= length; crashAt++) {
      const w = new World();
      for (let i = 0; i < 5; i++) w.tick();
      w.annotations[A.desiredImage] = NEW;
      for (let i = 0; i < crashAt; i++) w.tick();
      w.crash();
      for (let i = 0; i < 100 && !w.settled(); i++) w.tick();
      expect({ crashAt, state: w.annotations[A.state], current: w.annotations[A.currentImage] }).toEqual({
        crashAt,
        state: 'Done',
        current: NEW,
      });
      // A crash after asking for the reboot but before it happened asks again: still one real reboot.
      expect(w.reboots).toBe(1);
      expect(w.rebootStates).toEqual(['Rebooting']);
    }
  });

  it('never writes the same transition twice in a row (no patch loops)', () => {
    const w = new World();
    w.annotations[A.desiredImage] = NEW;
    const withoutTime = (patch: Record<string, string | null>) => {
      const { [A.stateSince]: _since, ...rest } = patch;
      return rest;
    };
    let previous: Record<string, string | null> | undefined;
    for (let i = 0; i < 100 && !w.settled(); i++) {
      const d = decide({
        now: w.now,
        annotations: w.annotations,
        nodeReady: true,
        boot: w.boot,
        host: { ok: true, status: w.status() },
        operation: w.operation,
        rebootIssued: w.rebootIssued,
      });
      if (d.step.kind === 'patch') {
        if (previous) expect(withoutTime(d.step.patch)).not.toEqual(previous);
        previous = withoutTime(d.step.patch);
      }
      w.tick();
    }
    expect(w.settled()).toBe(true);
  });
});
