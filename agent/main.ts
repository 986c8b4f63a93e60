#!/usr/bin/env node
import { NodeAgent } from './agent.ts';
/**
 * The node agent's entry point (deploy/cluster/agent.yaml runs its bundle in a privileged, hostPID
 * DaemonSet pod). Reads its configuration (agent/config.ts), its Node through the pod's service account,
 * detects the host tool (bootc or rpm-ostree), then runs until SIGTERM/SIGINT (exit 0).
 *
 * Exit codes: 0 stopped by a signal (or --help/--version); 1 could not start (no credentials, node not
 * readable, no host tool: then the node is marked Degraded first); 2 bad command line.
 */
import { ConfigError, parseAgentConfig } from './config.ts';
import { detectHost, HostCommandError, NsenterRunner } from './host/index.ts';
import { jsonLogger } from './log.ts';
import { KubeNodePort, PooledKubeConfig } from './node/kube.ts';
import { NodeConflictError } from './node/port.ts';
import { AgentAnnotations as A } from './protocol.ts';

let config: ReturnType<typeof parseAgentConfig>;
try {
  config = parseAgentConfig(process.argv.slice(2), process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    if (error.exitCode !== 0) process.stderr.write(`strata-agent: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  throw error;
}

const log = jsonLogger({ level: config.logLevel, fields: { node: config.nodeName } });
const fail = (msg: string): never => {
  log.log('error', msg);
  process.exit(1);
};

const kubeConfig = new PooledKubeConfig();
try {
  // In a pod: the service account token and CA; elsewhere: --kubeconfig / $KUBECONFIG / ~/.kube/config.
  if (config.kubeconfig) kubeConfig.loadFromFile(config.kubeconfig);
  else if (process.env.KUBERNETES_SERVICE_HOST) kubeConfig.loadFromCluster();
  else kubeConfig.loadFromDefault();
} catch (error) {
  fail(`cannot load cluster credentials: ${(error as Error).message}`);
}
const node = new KubeNodePort(kubeConfig, config.nodeName);
try {
  await node.get();
} catch (error) {
  fail(`cannot read node "${config.nodeName}": ${(error as Error).message}`);
}

let host: Awaited<ReturnType<typeof detectHost>>;
try {
  host = await detectHost(new NsenterRunner(), { hostRoot: config.hostRoot });
} catch (error) {
  const reason = `host tool missing: ${error instanceof HostCommandError ? error.stderrTail : (error as Error).message}`;
  await markDegraded(reason);
  fail(reason);
}

/** Tells the control plane why this node cannot be updated (state-image empty: retried at the next start). */
async function markDegraded(reason: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const current = await node.get();
      await node.patchAnnotations(
        {
          [A.state]: 'Degraded',
          [A.stateImage]: '',
          [A.stateSince]: new Date().toISOString(),
          [A.reason]: reason,
        },
        current.resourceVersion,
      );
      return;
    } catch (error) {
      if (!(error instanceof NodeConflictError)) {
        log.log('error', `could not mark the node Degraded: ${(error as Error).message}`);
        return;
      }
    }
  }
}

const agent = new NodeAgent({
  node,
  host: host!,
  timeouts: config.timeouts,
  pollIntervalMs: config.pollIntervalMs,
  maskAutoUpdates: config.maskAutoUpdates,
  log,
});

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.log('info', `${signal}: stopping`);
  await agent.stop();
  process.exit(0);
};
process.once('SIGTERM', () => void stop('SIGTERM'));
process.once('SIGINT', () => void stop('SIGINT'));

try {
  await agent.start();
} catch (error) {
  fail(`cannot start: ${(error as Error).message}`);
}
