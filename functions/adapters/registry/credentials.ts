/**
 * Strata's own credentials per registry host, and how to reach each host. On AWS they are a Secrets Manager
 * secret; locally a JSON or YAML file. Both hold the same document:
 *
 * ```yaml
 * registries:
 *   quay.io: { username: robot+strata, password: … }
 *   127.0.0.1:5000: { insecure: true }
 *   123456789012.dkr.ecr.eu-west-1.amazonaws.com: { api: ecr }
 * ```
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { canonicalHost } from '../../core/ingress/reference.ts';
import { SecretReader } from '../secrets/index.ts';
import { RegistryCredentialsError } from './errors.ts';

const HostConfigSchema = z.strictObject({
  /** Basic credentials (also sent to the token realm). */
  username: z.string().optional(),
  password: z.string().optional(),
  /** A bearer token sent as is (a registry that accepts static tokens). */
  token: z.string().optional(),
  /** Plain http instead of https (loopback hosts default to http). */
  insecure: z.boolean().optional(),
  /** Base URL to use instead of the host (a mirror, a port-forward), e.g. `http://127.0.0.1:5000`. */
  endpoint: z.url().optional(),
  /** How to resolve tags: the OCI distribution API, or ECR `DescribeImages` (default for ECR hosts). */
  api: z.enum(['oci', 'ecr']).optional(),
});

/** Settings for one registry host. */
export type RegistryHostConfig = z.infer<typeof HostConfigSchema>;

const CredentialsDocumentSchema = z.strictObject({
  registries: z.record(z.string().min(1), HostConfigSchema),
});

/** Where the registry client finds the settings for a host. */
export interface RegistryCredentials {
  forHost(host: string): Promise<RegistryHostConfig | undefined>;
}

/**
 * Validates a credentials document.
 * @throws RegistryCredentialsError naming the origin and the field.
 */
export function parseCredentialsDocument(value: unknown, origin: string): Map<string, RegistryHostConfig> {
  const result = CredentialsDocumentSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new RegistryCredentialsError(origin, `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return new Map(
    Object.entries(result.data.registries).map(([host, config]) => [canonicalHost(host), config]),
  );
}

/** Credentials from an in-memory document (the embedded runtime, tests). */
export function staticCredentials(document: {
  registries: Record<string, RegistryHostConfig>;
}): RegistryCredentials {
  const hosts = parseCredentialsDocument(document, 'registry credentials');
  return { forHost: async (host) => hosts.get(canonicalHost(host)) };
}

/**
 * Credentials from a local JSON or YAML file (YAML is a superset of JSON), read once.
 * @throws RegistryCredentialsError when the file cannot be read or is invalid.
 */
export function fileCredentials(path: string): RegistryCredentials {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RegistryCredentialsError(path, `cannot read: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new RegistryCredentialsError(path, `not YAML/JSON: ${(error as Error).message}`);
  }
  const hosts = parseCredentialsDocument(value, path);
  return { forHost: async (host) => hosts.get(canonicalHost(host)) };
}

/**
 * Credentials from a Secrets Manager secret holding the same document as JSON, re-read when the reader's
 * cache expires so that rotated passwords are picked up without a cold start.
 */
export function secretsManagerCredentials(
  secretId: string,
  reader: SecretReader = new SecretReader(),
): RegistryCredentials {
  let parsed: { text: string; hosts: Map<string, RegistryHostConfig> } | null = null;
  return {
    async forHost(host) {
      const text = await reader.read(secretId);
      if (parsed?.text !== text) {
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          throw new RegistryCredentialsError(secretId, 'secret is not JSON');
        }
        parsed = { text, hosts: parseCredentialsDocument(value, secretId) };
      }
      return parsed.hosts.get(canonicalHost(host));
    },
  };
}
