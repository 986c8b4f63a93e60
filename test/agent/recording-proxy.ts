/**
 * An HTTPS proxy in front of a simulated cluster's API server that records every request (method and
 * URL) and counts the TLS connections clients open to it: what a client really does on the wire.
 */
import type { IncomingMessage } from 'node:http';
import { createServer, request as httpsRequest, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serverIdentity } from '../../sim/tls.ts';

export interface RecordingProxy {
  /** `https://127.0.0.1:<port>`, trusted with the simulator's CA. */
  server: string;
  requests: { method: string; url: string }[];
  /** TLS connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

export async function recordingProxy(target: { server: string; caData: string }): Promise<RecordingProxy> {
  const tls = await serverIdentity();
  const requests: { method: string; url: string }[] = [];
  let connections = 0;
  const proxy: Server = createServer({ key: tls.key, cert: tls.cert }, (req: IncomingMessage, res) => {
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '/' });
    const upstream = httpsRequest(
      `${target.server}${req.url}`,
      { method: req.method, headers: req.headers, ca: Buffer.from(target.caData, 'base64') },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  proxy.on('secureConnection', () => {
    connections++;
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()));
  return {
    server: `https://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    requests,
    connections: () => connections,
    close: async () => {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}
