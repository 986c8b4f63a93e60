/**
 * Helpers for the update-check integration tests: images whose manifests carry the OCI base-image
 * annotations (built into an OCI layout and pushed with skopeo), and a loopback receiver for the outgoing
 * event webhook.
 */
import { createServer, type Server } from 'node:http';
import type { Descriptor, OciLayout } from '../support/registry.ts';

/**
 * A single-platform image whose config carries `label` (so each is unique), with `annotations` on the
 * manifest and `labels` in the config.
 */
export function annotatedImage(
  layout: OciLayout,
  label: string,
  options: { annotations?: Record<string, string>; labels?: Record<string, string> } = {},
): Descriptor {
  const layer = layout.blob('application/vnd.oci.image.layer.v1.tar', Buffer.alloc(1024));
  const config = layout.blob(
    'application/vnd.oci.image.config.v1+json',
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Labels: { 'org.example.build': label, ...options.labels } },
      rootfs: { type: 'layers', diff_ids: [layer.digest] },
    }),
  );
  return layout.blob(
    'application/vnd.oci.image.manifest.v1+json',
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config,
      layers: [layer],
      ...(options.annotations ? { annotations: options.annotations } : {}),
    }),
  );
}

/** A loopback HTTP server recording the JSON bodies POSTed to it; `failNext` answers 503 instead. */
export interface EventReceiver {
  url: string;
  bodies: { id: string; detail: Record<string, unknown> }[];
  failNext: number;
  close(): Promise<void>;
}

/** Starts an {@link EventReceiver}. */
export async function startEventReceiver(): Promise<EventReceiver> {
  const receiver: EventReceiver = { url: '', bodies: [], failNext: 0, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (receiver.failNext > 0) {
        receiver.failNext--;
        res.writeHead(503).end();
        return;
      }
      receiver.bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/events`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}
