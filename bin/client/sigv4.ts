/**
 * SigV4 signing of admin API requests for a deployed Strata (API Gateway HTTP API with IAM authorisation,
 * service `execute-api`). Signing is @smithy/signature-v4's; credentials come from the AWS SDK's default
 * chain (environment, profile, SSO, instance role).
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';

/** SHA-256 (HMAC when given a secret) in the Checksum shape the signer takes; node:crypto does the work. */
export class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

function toBuffer(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

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
