/**
 * The watch relay against a simulated cluster's real API server, forwarding to a real SQS queue (the
 * embedded SQS server): a node annotation change Strata reacts to produces exactly one ClusterEventMessage;
 * a heartbeat-only change (what kubelets post every few seconds) produces none.
 */
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqsMessageQueue } from '../../functions/adapters/queue/index.ts';
import { AgentAnnotations, NodeAnnotations } from '../../functions/core/model.ts';
import type { ClusterEventMessage } from '../../functions/core/ports.ts';
import { type EmbeddedSqs, startEmbeddedSqs } from '../../local/embedded-sqs.ts';
import { startWatchRelay, type WatchRelay } from '../../relay/watch-relay.ts';
import { type Fleet, startFleet } from '../../sim/index.ts';
import { smallScenario } from '../sim/support.ts';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

let fleet: Fleet;
let sqs: EmbeddedSqs;
let client: SQSClient;
let queueUrl: string;
let relay: WatchRelay;

async function receiveAll(waitSeconds = 0): Promise<ClusterEventMessage[]> {
  const out: ClusterEventMessage[] = [];
  for (;;) {
    const got = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: out.length === 0 ? waitSeconds : 0,
      }),
    );
    const batch = got.Messages ?? [];
    if (batch.length === 0) return out;
    out.push(...batch.map((m) => JSON.parse(m.Body!) as ClusterEventMessage));
  }
}

/** Receives until a message for `node` arrives; returns everything received on the way. */
async function receiveUntil(node: string): Promise<ClusterEventMessage[]> {
  const seen: ClusterEventMessage[] = [];
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    seen.push(...(await receiveAll(1)));
    if (seen.some((m) => m.kind === 'Node' && m.name === node)) return seen;
  }
  throw new Error(`no message for ${node}; got ${JSON.stringify(seen)}`);
}

beforeAll(async () => {
  fleet = await startFleet(smallScenario());
  sqs = await startEmbeddedSqs({ region: 'us-east-1' });
  client = new SQSClient(sqs.clientConfig);
  const queues = await sqs.createQueues({
    events: { name: 'relay-test-events', visibilityTimeoutSeconds: 60, maxReceiveCount: 5 },
  });
  queueUrl = queues.events.url;
  relay = startWatchRelay({
    clusterId: 'c1',
    kubeConfig: fleet.cluster('c1').kubeConfig(),
    sink: new SqsMessageQueue<ClusterEventMessage>({ client, queueUrl }),
    restartDelayMs: 50,
  });
  await relay.ready;
});

afterAll(async () => {
  await relay?.stop();
  client?.destroy();
  await sqs?.stop();
  await fleet?.stop();
});

describe('watch relay', () => {
  it('forwards the initial list: one ADDED per node and pool', async () => {
    // Prepare / Act: the relay listed the cluster when it started.
    const nodes = fleet
      .cluster('c1')
      .state.nodes.list()
      .map((n) => n.name);
    const deadline = Date.now() + 10_000;
    const seen: ClusterEventMessage[] = [];
    while (seen.filter((m) => m.kind === 'Node').length < nodes.length && Date.now() < deadline) {
      seen.push(...(await receiveAll(1)));
    }
    // Assess
    const added = seen.filter((m) => m.kind === 'Node' && m.eventType === 'ADDED').map((m) => m.name);
    expect(added.sort()).toEqual([...nodes].sort());
    expect(seen.filter((m) => m.kind === 'MachineConfigPool').map((m) => m.name)).toContain('worker');
    const first = seen.find((m) => m.kind === 'Node')!;
    expect(first.clusterId).toBe('c1');
    expect(first.labels?.['node-role.kubernetes.io/worker']).toBe('');
    expect(Number.isNaN(Date.parse(first.observedAt))).toBe(false);
  });

  it('forwards one message for a node annotation change', async () => {
    // Prepare
    await receiveAll();
    const core = fleet.cluster('c1').kubeConfig().makeApiClient(CoreV1Api);
    // Act: a change of a watched annotation, as a daemon reporting its state would make.
    await core.patchNode(
      {
        name: 'worker-1',
        body: { metadata: { annotations: { [NodeAnnotations.reason]: 'checking the relay' } } },
      },
      merge,
    );
    // Assess
    const seen = await receiveUntil('worker-1');
    await new Promise((r) => setTimeout(r, 300));
    seen.push(...(await receiveAll()));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ clusterId: 'c1', kind: 'Node', name: 'worker-1', eventType: 'MODIFIED' });
    // With the node's facts its update history is derived from (only the annotations it reads).
    expect(seen[0]).toMatchObject({
      node: {
        unschedulable: false,
        ready: true,
        annotations: { [NodeAnnotations.reason]: 'checking the relay' },
      },
    });
  });

  it('forwards an agent annotation change, with the strata.io facts', async () => {
    // Prepare
    await receiveAll();
    const core = fleet.cluster('c1').kubeConfig().makeApiClient(CoreV1Api);
    // Act: the node agent reports a state (agent/protocol.ts).
    await core.patchNode(
      { name: 'worker-1', body: { metadata: { annotations: { 'strata.io/state': 'Staging', other: 'x' } } } },
      merge,
    );
    // Assess
    const seen = await receiveUntil('worker-1');
    const facts = (seen.at(-1) as { node: { annotations: Record<string, string> } }).node;
    expect(facts.annotations['strata.io/state']).toBe('Staging');
    expect(facts.annotations.other).toBeUndefined();
  });

  it("forwards one message for a Strata agent's state report", async () => {
    // Prepare
    await receiveAll();
    const core = fleet.cluster('c1').kubeConfig().makeApiClient(CoreV1Api);
    // Act: the agent reports Staged (the agent driver cordons and drains on it).
    await core.patchNode(
      { name: 'worker-2', body: { metadata: { annotations: { [AgentAnnotations.state]: 'Staged' } } } },
      merge,
    );
    // Assess
    const seen = await receiveUntil('worker-2');
    await new Promise((r) => setTimeout(r, 300));
    seen.push(...(await receiveAll()));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ clusterId: 'c1', kind: 'Node', name: 'worker-2', eventType: 'MODIFIED' });
  });

  it("marks the echo of a target Strata wrote as needing no decision, and the node's answer as needing one", async () => {
    // Prepare
    await receiveAll();
    const core = fleet.cluster('c1').kubeConfig().makeApiClient(CoreV1Api);
    // Act 1: Strata tells the node its target (desired-image): history only.
    await core.patchNode(
      {
        name: 'worker-3',
        body: { metadata: { annotations: { [AgentAnnotations.desiredImage]: 'q/x@sha256:1' } } },
      },
      merge,
    );
    const echo = await receiveUntil('worker-3');
    // Act 2: the agent answers (a report): a decision.
    await core.patchNode(
      { name: 'worker-3', body: { metadata: { annotations: { [AgentAnnotations.state]: 'Staging' } } } },
      merge,
    );
    const answer = await receiveUntil('worker-3');
    // Assess
    expect(echo.filter((m) => m.name === 'worker-3').map((m) => m.decide)).toEqual([false]);
    expect(answer.filter((m) => m.name === 'worker-3').map((m) => m.decide)).toEqual([undefined]);
    // Numbered in the relay's order (the history applies them so, however the queue delivers them).
    const [told, answered] = [echo, answer].map((s) => s.find((m) => m.name === 'worker-3')!.order!);
    expect(answered).toEqual({ run: told!.run, n: told!.n + 1 });
  });

  it('forwards nothing for a heartbeat-only change', async () => {
    // Prepare
    await receiveAll();
    const state = fleet.cluster('c1').state;
    const before = state.nodes.list().find((n) => n.name === 'worker-2')!.rv;
    // Act: only the Ready condition's heartbeat time moves (the API server sends a MODIFIED event).
    state.updateNode('worker-2', (n) => {
      n.readyChanged = new Date(Date.parse(n.readyChanged) + 10_000).toISOString();
    });
    expect(state.nodes.list().find((n) => n.name === 'worker-2')!.rv).not.toBe(before);
    // A later watched change on another node: watch events arrive in order, so once its message is in,
    // the heartbeat event has been seen by the relay too.
    const core = fleet.cluster('c1').kubeConfig().makeApiClient(CoreV1Api);
    await core.patchNode({ name: 'worker-3', body: { spec: { unschedulable: true } } }, merge);
    // Assess
    const seen = await receiveUntil('worker-3');
    expect(seen.map((m) => m.name)).toEqual(['worker-3']);
  });
});
