/** Kubeconfigs for a simulated fleet: one context per cluster, for kubectl and `@kubernetes/client-node`. */
import { writeFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';

/** What a kubeconfig needs to know about one cluster. */
export interface KubeconfigCluster {
  name: string;
  server: string;
  token: string;
  /** The server certificate, base64 PEM. */
  caData: string;
}

/** The kubeconfig document (current-context: the first cluster). */
export function kubeconfigDocument(
  clusters: readonly KubeconfigCluster[],
  user = 'admin',
): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: clusters.map((c) => ({
      name: c.name,
      cluster: { server: c.server, 'certificate-authority-data': c.caData },
    })),
    users: clusters.map((c) => ({ name: `${c.name}-${user}`, user: { token: c.token } })),
    contexts: clusters.map((c) => ({
      name: c.name,
      context: { cluster: c.name, user: `${c.name}-${user}` },
    })),
    'current-context': clusters[0]?.name ?? '',
  };
}

/** A client-node KubeConfig for one cluster (its only context is current). */
export function clusterKubeConfig(cluster: KubeconfigCluster): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: cluster.name, server: cluster.server, caData: cluster.caData, skipTLSVerify: false }],
    users: [{ name: `${cluster.name}-user`, token: cluster.token }],
    contexts: [{ name: cluster.name, cluster: cluster.name, user: `${cluster.name}-user` }],
    currentContext: cluster.name,
  });
  return kc;
}

/** Writes a kubeconfig file (mode 0600: it holds tokens). */
export function writeKubeconfigFile(file: string, clusters: readonly KubeconfigCluster[]): void {
  writeFileSync(file, stringify(kubeconfigDocument(clusters)), { mode: 0o600 });
}
