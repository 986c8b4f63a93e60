/**
 * SHA-256 (HMAC when given a secret) in the Checksum shape @smithy/signature-v4 takes, with node:crypto
 * doing the work: SigV4 signing of admin API requests (bin/client/sigv4.ts) and of EKS tokens
 * (adapters/cluster/eks-token.ts) without the SDK's browser hashing package.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';

/** A Checksum (`@smithy/types`) over node:crypto. */
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
