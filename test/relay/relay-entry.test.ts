/**
 * `bin/relay.ts`, the in-cluster relay entry, as a child process: credentials from a kubeconfig (outside a
 * pod), notices to a real SQS queue (the embedded server, through the SDK's endpoint variable); a clean
 * exit on SIGTERM; exit 1 without its configuration.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterEventMessage } from '../../functions/core/ports.ts';
import { type EmbeddedSqs, startEmbeddedSqs } from '../../local/embedded-sqs.ts';
import { type Fleet, startFleet } from '../../sim/index.ts';
import { smallScenario } from '../sim/support.ts';

const entry = fileURLToPath(new URL('../../bin/relay.ts', import.meta.url));
let fleet: Fleet;
let sqs: EmbeddedSqs;
let client: SQSClient;
let queueUrl: string;
let kubeconfig: string;

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('close', (code) => resolve(code)));
}

beforeAll(async () => {
  fleet = await startFleet(smallScenario());
  kubeconfig = join(mkdtempSync(join(tmpdir(), 'strata-relay-')), 'kubeconfig');
  fleet.writeKubeconfig(kubeconfig);
  sqs = await startEmbeddedSqs({ region: 'us-east-1' });
  client = new SQSClient(sqs.clientConfig);
  queueUrl = (
    await sqs.createQueues({
      events: { name: 'relay-entry-events', visibilityTimeoutSeconds: 60, maxReceiveCount: 5 },
    })
  ).events.url;
});

afterAll(async () => {
  client?.destroy();
  await sqs?.stop();
  await fleet?.stop();
});

describe('bin/relay.ts', () => {
  it('forwards node changes to the queue and stops cleanly on SIGTERM', async () => {
    // Prepare
    const child = spawn(process.execPath, [entry], {
      env: {
        ...process.env,
        KUBERNETES_SERVICE_HOST: '',
        KUBECONFIG: kubeconfig,
        CLUSTER_ID: 'c1',
        STRATA_CLUSTER_EVENT_QUEUE_URL: queueUrl,
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL_SQS: sqs.endpoint,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    const code = exited(child);
    const deadline = Date.now() + 20_000;
    while (!stdout.includes('watching nodes')) {
      if (Date.now() > deadline) throw new Error(`relay did not start: ${stdout}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // Act
    const core = fleet.cluster('c1').kubeConfig().makeApiClient(CoreV1Api);
    await core.patchNode(
      { name: 'worker-0', body: { spec: { unschedulable: true } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const messages: ClusterEventMessage[] = [];
    while (!messages.some((m) => m.name === 'worker-0' && m.eventType === 'MODIFIED')) {
      if (Date.now() > deadline) throw new Error(`no MODIFIED notice: ${JSON.stringify(messages)}`);
      const got = await client.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      messages.push(...(got.Messages ?? []).map((m) => JSON.parse(m.Body!) as ClusterEventMessage));
    }
    child.kill('SIGTERM');
    // Assess
    expect(await code).toBe(0);
    expect(messages.filter((m) => m.eventType === 'ADDED' && m.kind === 'Node')).toHaveLength(4);
    expect(messages.every((m) => m.clusterId === 'c1')).toBe(true);
    expect(stdout).toContain('SIGTERM: stopping');
  }, 40_000);

  it('exits 1 without its configuration', async () => {
    const child = spawn(process.execPath, [entry], {
      env: { ...process.env, CLUSTER_ID: '', STRATA_CLUSTER_EVENT_QUEUE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    expect(await exited(child)).toBe(1);
    expect(stdout).toContain('CLUSTER_ID and STRATA_CLUSTER_EVENT_QUEUE_URL must be set');
  });
});
