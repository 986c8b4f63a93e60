/**
 * Cluster bearer tokens by secret name: the port the cluster credentials resolver reads through, and the
 * in-memory source (the simulator's tokens, tests). Kept apart from the Kubernetes client so that reading
 * secrets never pulls `@kubernetes/client-node` into a bundle.
 */

/** A bearer token source by secret name (Secrets Manager, or a map in tests and local runs). */
export interface TokenSource {
  getToken(secretName: string): Promise<string>;
}

/** The failure to resolve a cluster's credentials, naming the cluster and the reference. */
export class CredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialsError';
  }
}

/** Tokens held in memory (the simulator's, or ones given on the command line). */
export function staticTokens(tokens: Record<string, string>): TokenSource {
  return {
    getToken: async (name) => {
      const token = tokens[name];
      if (token === undefined) throw new CredentialsError(`no token named "${name}"`);
      return token;
    },
  };
}
