/**
 * Credentials port: turns a cluster's credentials reference into a client-node KubeConfig. Locally a
 * kubeconfig file or an in-memory token map (the simulator's tokens) serves; on AWS, tokens come from
 * Secrets Manager through the same port.
 */
import { KubeConfig } from '@kubernetes/client-node';
import type { ClusterRecord } from '../../core/clusters.ts';
import { CredentialsError, type TokenSource } from '../secrets/tokens.ts';
import { createEksTokens, type EksTokens } from './eks-token.ts';

/** Resolves a cluster's credentials into a KubeConfig whose current context targets that cluster. */
export interface CredentialsResolver {
  kubeConfigFor(cluster: ClusterRecord): Promise<KubeConfig>;
}

/**
 * Makes a KubeConfig reuse one HTTP dispatcher (keep-alive connection pool) per cluster. client-node
 * 2.0.1 builds a new undici Agent for every request when a CA is configured, so every API call would pay
 * a fresh TLS handshake; the reconcile makes several calls per node step.
 */
export function reuseConnections(kc: KubeConfig): KubeConfig {
  const target = kc as unknown as {
    createDispatcher: (cluster: { server?: string } | null, options: unknown) => unknown;
  };
  const original = target.createDispatcher.bind(kc);
  const dispatchers = new Map<string, unknown>();
  target.createDispatcher = (cluster, options) => {
    const key = cluster?.server ?? '';
    if (!dispatchers.has(key)) dispatchers.set(key, original(cluster, options));
    return dispatchers.get(key);
  };
  return kc;
}

/**
 * The default resolver: `token-secret` through a token source, `kubeconfig` from a file, `eks` through a
 * token Strata signs (refreshed by the connector: see `connector.ts`).
 */
export function createCredentialsResolver(
  tokens: TokenSource,
  eks: () => EksTokens = lazyEksTokens(),
): CredentialsResolver {
  return {
    async kubeConfigFor(cluster) {
      const ref = cluster.credentials;
      const kc = new KubeConfig();
      if (ref.kind === 'kubeconfig') {
        try {
          kc.loadFromFile(ref.path);
        } catch (error) {
          throw new CredentialsError(
            `cluster ${cluster.id}: credentials.path ${ref.path}: cannot read kubeconfig: ${(error as Error).message}`,
          );
        }
        if (ref.context) kc.setCurrentContext(ref.context);
        return reuseConnections(kc);
      }
      let token: string;
      try {
        token =
          ref.kind === 'eks'
            ? await eks().tokenFor({ clusterName: ref.clusterName, region: ref.region })
            : await tokens.getToken(ref.secretName);
      } catch (error) {
        const field =
          ref.kind === 'eks'
            ? `credentials.eks ${ref.region}/${ref.clusterName}: cannot sign an IAM token`
            : `credentials.secretName ${ref.secretName}`;
        throw new CredentialsError(`cluster ${cluster.id}: ${field}: ${(error as Error).message}`);
      }
      kc.loadFromOptions({
        clusters: [
          {
            name: cluster.id,
            server: cluster.endpoint,
            ...(cluster.caData ? { caData: cluster.caData } : {}),
          },
        ],
        users: [{ name: 'strata', token }],
        contexts: [{ name: cluster.id, cluster: cluster.id, user: 'strata' }],
        currentContext: cluster.id,
      });
      return reuseConnections(kc);
    },
  };
}

/** One EKS token cache for the process, created when an EKS cluster is first reached. */
function lazyEksTokens(): () => EksTokens {
  let tokens: EksTokens | undefined;
  return () => {
    tokens ??= createEksTokens();
    return tokens;
  };
}
