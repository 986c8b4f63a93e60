/**
 * `strata cluster add|remove`: registers a cluster (endpoint, CA, credentials, labels, pools) with a running
 * Strata, or unregisters one. Credentials: a kubeconfig context (its bearer token is sent when it has one,
 * else the kubeconfig's path, which only a local Strata can read), or --server with --token-file and
 * --ca-file (or --secret-name: a token already stored where the deployment reads it).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { type ClusterFound, describeFound } from '../../functions/core/cluster-health.ts';
import { CliError, EXIT_USAGE } from '../cli-error.ts';
import { type ConnectionOptions, clientFor } from '../client/index.ts';

interface AddOptions extends ConnectionOptions {
  name?: string;
  kubeconfig?: string;
  context?: string;
  server?: string;
  tokenFile?: string;
  caFile?: string;
  secretName?: string;
  label: string[];
  pool: string[];
  driver?: string;
  /** false with --no-verify. */
  verify?: boolean;
}

function readFile(flag: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`${flag} ${file}: cannot read: ${(error as Error).message}`);
  }
}

/** `k=v` pairs to a label map (usage error naming the bad one). */
export function parseLabels(pairs: string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError(`--label ${pair}: expected key=value`, EXIT_USAGE);
    labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return labels;
}

/** The registration request body from the command's options. */
export function addClusterBody(options: AddOptions): Record<string, unknown> {
  if (!options.name) throw new CliError('cluster add: --name is required', EXIT_USAGE);
  if (options.driver !== undefined && options.driver !== 'mco' && options.driver !== 'agent') {
    throw new CliError(`--driver ${options.driver}: expected mco or agent`, EXIT_USAGE);
  }
  const base = {
    name: options.name,
    ...(options.driver ? { driver: options.driver } : {}),
    ...(options.verify === false ? { verify: false } : {}),
    labels: parseLabels(options.label),
    pools: options.pool.length > 0 ? options.pool : ['worker'],
  };
  if (options.kubeconfig && options.server) {
    throw new CliError('cluster add: give --kubeconfig or --server, not both', EXIT_USAGE);
  }
  if (options.kubeconfig) {
    const path = resolve(options.kubeconfig);
    const kc = new KubeConfig();
    try {
      kc.loadFromFile(path);
    } catch (error) {
      throw new CliError(`--kubeconfig ${options.kubeconfig}: ${(error as Error).message}`);
    }
    if (options.context) {
      if (!kc.getContexts().some((c) => c.name === options.context)) {
        throw new CliError(`--context ${options.context}: no such context in ${options.kubeconfig}`);
      }
      kc.setCurrentContext(options.context);
    }
    const cluster = kc.getCurrentCluster();
    if (!cluster)
      throw new CliError(`--kubeconfig ${options.kubeconfig}: the current context names no cluster`);
    const token = kc.getCurrentUser()?.token;
    return {
      ...base,
      endpoint: cluster.server,
      ...(cluster.caData ? { caData: cluster.caData } : {}),
      ...(cluster.caFile
        ? { caData: Buffer.from(readFile('--kubeconfig ca', cluster.caFile)).toString('base64') }
        : {}),
      ...(token
        ? { token }
        : { kubeconfig: { path, ...(options.context ? { context: options.context } : {}) } }),
    };
  }
  if (!options.server) {
    throw new CliError(
      'cluster add: give --kubeconfig [--context] or --server with --token-file',
      EXIT_USAGE,
    );
  }
  if (!options.tokenFile === !options.secretName) {
    throw new CliError('cluster add: --server needs --token-file or --secret-name (one of them)', EXIT_USAGE);
  }
  return {
    ...base,
    endpoint: options.server,
    ...(options.tokenFile
      ? { token: readFile('--token-file', options.tokenFile).trim() }
      : { secretName: options.secretName }),
    ...(options.caFile
      ? { caData: Buffer.from(readFile('--ca-file', options.caFile)).toString('base64') }
      : {}),
  };
}

/** `strata cluster add`. */
export async function addCluster(options: AddOptions): Promise<void> {
  const body = addClusterBody(options);
  const out = await clientFor(options).post<{
    cluster: { id: string; pools: { name: string }[]; driver?: string };
    found: ({ reachable: true } & ClusterFound) | null;
  }>('/clusters', body);
  if (out.found) process.stdout.write(`cluster/${out.cluster.id} verified: ${describeFound(out.found)}\n`);
  const driver = out.cluster.driver ?? 'detected when first reached';
  process.stdout.write(
    `cluster/${out.cluster.id} registered (pools: ${out.cluster.pools.map((p) => p.name).join(', ')}; driver: ${driver})\n`,
  );
}

/** `strata cluster remove ID`. */
export async function removeCluster(id: string, options: ConnectionOptions): Promise<void> {
  const out = await clientFor(options).delete<{ deleted: string; pools: string[] }>(
    `/clusters/${encodeURIComponent(id)}`,
  );
  process.stdout.write(`cluster/${out.deleted} removed (pools: ${out.pools.join(', ') || 'none'})\n`);
}
