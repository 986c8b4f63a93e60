/**
 * SigV4 signing of admin API requests for a deployed Strata (API Gateway HTTP API with IAM authorisation,
 * service `execute-api`). Signing is @smithy/signature-v4's; credentials come from the AWS SDK's default
 * chain (environment, profile, SSO, instance role).
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../../functions/adapters/signing/sha256.ts';

export { Sha256 };

/** A request to sign. */
export interface UnsignedRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

/** Where credentials come from: the SDK's default chain unless a caller keeps one provider (it caches). */
export type CredentialsProvider = ReturnType<typeof defaultProvider>;

/**
 * Returns the headers of `request` with the SigV4 `authorization`, `x-amz-date` (and token) added.
 * A long-running caller passes one `credentials` provider for all its requests, so they are resolved once.
 */
export async function signRequest(
  request: UnsignedRequest,
  region: string,
  credentials: CredentialsProvider = defaultProvider(),
): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    service: 'execute-api',
    region,
    credentials,
    sha256: Sha256,
  });
  const query: Record<string, string> = {};
  for (const [k, v] of request.url.searchParams) query[k] = v;
  const signed = await signer.sign({
    method: request.method,
    protocol: request.url.protocol,
    hostname: request.url.hostname,
    ...(request.url.port ? { port: Number(request.url.port) } : {}),
    path: request.url.pathname,
    query,
    headers: { ...request.headers, host: request.url.host },
    ...(request.body !== undefined ? { body: request.body } : {}),
  });
  return signed.headers as Record<string, string>;
}
