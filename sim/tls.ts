/**
 * The TLS identity of the simulated API servers: one self-signed EC certificate for 127.0.0.1/localhost,
 * made once per process (kubectl sends bearer tokens only over TLS). Clients trust it through the
 * kubeconfig's certificate-authority-data.
 */
import { generate } from 'selfsigned';

export interface TlsIdentity {
  key: string;
  cert: string;
  /** The certificate, base64 (kubeconfig `certificate-authority-data`, client-node `caData`). */
  caData: string;
}

let identity: Promise<TlsIdentity> | undefined;

/** The process-wide certificate and key (generated on first use, ~25 ms). */
export function serverIdentity(): Promise<TlsIdentity> {
  identity ??= generate([{ name: 'commonName', value: 'strata-sim-apiserver' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 10 * 365 * 24 * 3600_000),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  }).then((r) => ({ key: r.private, cert: r.cert, caData: Buffer.from(r.cert).toString('base64') }));
  return identity;
}
