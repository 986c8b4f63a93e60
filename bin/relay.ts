#!/usr/bin/env node
/**
 * The in-cluster watch relay (deploy/cluster/relay.yaml): watches this cluster's Nodes and
 * MachineConfigPools with the pod's service account and sends compact change notices to Strata's
 * cluster-event queue (SQS, credentials from the pod's identity). Read-only in the cluster.
 *
 * Environment: CLUSTER_ID (the id the cluster is registered under), STRATA_CLUSTER_EVENT_QUEUE_URL, and
 * optionally KUBECONFIG (outside a cluster, e.g. to try it from a workstation) and AWS_REGION.
 * Exits 0 on SIGTERM/SIGINT after stopping its watches; 1 when it cannot start. `--version` prints the
 * version and exits 0.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { KubeConfig } from '@kubernetes/client-node';
import { projectVersion } from '../agent/version.ts';
import { SqsMessageQueue } from '../functions/adapters/queue/index.ts';
import type { ClusterEventMessage } from '../functions/core/ports.ts';
import { startWatchRelay } from '../relay/watch-relay.ts';

function log(level: 'INFO' | 'WARN' | 'ERROR', message: string, extra: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...extra })}\n`);
}

if (process.argv.includes('--version')) {
  process.stdout.write(`strata-relay ${projectVersion()}\n`);
  process.exit(0);
}

const clusterId = process.env.CLUSTER_ID;
const queueUrl = process.env.STRATA_CLUSTER_EVENT_QUEUE_URL;
if (!clusterId || !queueUrl) {
  log('ERROR', 'CLUSTER_ID and STRATA_CLUSTER_EVENT_QUEUE_URL must be set (see deploy/cluster/relay.yaml)');
  process.exit(1);
}

const kubeConfig = new KubeConfig();
try {
  // In a pod: the service account token and CA; elsewhere: $KUBECONFIG or ~/.kube/config.
  if (process.env.KUBERNETES_SERVICE_HOST) kubeConfig.loadFromCluster();
  else kubeConfig.loadFromDefault();
} catch (error) {
  log('ERROR', `cannot load cluster credentials: ${(error as Error).message}`);
  process.exit(1);
}

const sqs = new SQSClient({});
const relay = startWatchRelay({
  clusterId,
  kubeConfig,
  sink: new SqsMessageQueue<ClusterEventMessage>({ client: sqs, queueUrl }),
  onWarning: (message) => log('WARN', message, { clusterId }),
});

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log('INFO', `${signal}: stopping`, { clusterId });
  await relay.stop();
  sqs.destroy();
  process.exit(0);
};
process.once('SIGTERM', () => void stop('SIGTERM'));
process.once('SIGINT', () => void stop('SIGINT'));

try {
  await relay.ready;
  log('INFO', 'watching nodes and machineconfigpools', {
    clusterId,
    server: kubeConfig.getCurrentCluster()?.server,
  });
} catch (error) {
  log('ERROR', `initial list failed: ${(error as Error).message}`, { clusterId });
  await relay.stop();
  process.exit(1);
}
