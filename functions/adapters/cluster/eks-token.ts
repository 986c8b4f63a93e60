/**
 * Short-lived bearer tokens for EKS clusters through IAM, as `aws eks get-token` makes them: a presigned
 * STS `GetCallerIdentity` URL, bound to the cluster by the signed `x-k8s-aws-id` header, base64url-encoded
 * after `k8s-aws-v1.`. The API server's authenticator calls the URL and maps the caller's IAM identity to
 * Kubernetes groups (EKS access entries). EKS accepts such a token for 15 minutes from its signing time;
 * Strata signs a new one before that ({@link EKS_TOKEN_REFRESH_SECONDS}), so no long-lived secret exists.
 * Signing is @smithy/signature-v4's; credentials come from the AWS SDK's default chain (the Lambda role).
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../signing/sha256.ts';

/** Credentials as the signer takes them: a value or a provider. */
type SignerCredentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];

/** The prefix of an EKS IAM token. */
export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
/** How long the presigned URL says it is valid (EKS itself accepts a token for 15 minutes). */
const PRESIGN_EXPIRES_SECONDS = 60;
/** A token is signed again after this long: well before EKS's 15 minutes run out. */
export const EKS_TOKEN_REFRESH_SECONDS = 10 * 60;

/** Which EKS cluster, in which region. */
export interface EksCluster {
  /** The EKS cluster's name (not its ARN): what the authenticator compares `x-k8s-aws-id` with. */
  clusterName: string;
  region: string;
}

/**
 * A token for `cluster`, signed with `credentials` at `now`.
 * @returns the bearer token (`k8s-aws-v1.<base64url of the presigned URL>`).
 */
export async function eksToken(
  cluster: EksCluster,
  credentials: SignerCredentials,
  now: Date,
): Promise<string> {
  const signer = new SignatureV4({ service: 'sts', region: cluster.region, credentials, sha256: Sha256 });
  const hostname = `sts.${cluster.region}.amazonaws.com`;
  const presigned = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: hostname, 'x-k8s-aws-id': cluster.clusterName },
    },
    { expiresIn: PRESIGN_EXPIRES_SECONDS, signingDate: now },
  );
  const query = Object.entries(presigned.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  const url = `https://${hostname}/?${query}`;
  return `${EKS_TOKEN_PREFIX}${Buffer.from(url).toString('base64url')}`;
}

/** Tokens per cluster, signed again once {@link EKS_TOKEN_REFRESH_SECONDS} have passed. */
export interface EksTokens {
  tokenFor(cluster: EksCluster): Promise<string>;
}

/** A cache of EKS tokens (one per cluster), credentials from the default chain unless given. */
export function createEksTokens(
  credentials: SignerCredentials = defaultProvider(),
  now: () => Date = () => new Date(),
): EksTokens {
  const cache = new Map<string, { token: string; signedAt: number }>();
  return {
    async tokenFor(cluster) {
      const key = `${cluster.region}/${cluster.clusterName}`;
      const at = now();
      const cached = cache.get(key);
      if (cached && at.getTime() - cached.signedAt < EKS_TOKEN_REFRESH_SECONDS * 1000) return cached.token;
      const token = await eksToken(cluster, credentials, at);
      cache.set(key, { token, signedAt: at.getTime() });
      return token;
    },
  };
}
