/** `POST /v1/publish`: injects an ImagePushed as a registry would (no registry involved). */
import { randomUUID } from 'node:crypto';
import { PublishSchema, parseRequest, requestedImage } from '../../core/admin/index.ts';
import type { ImagePushed } from '../../core/messages.ts';
import { rolloutId } from '../../core/model.ts';
import type { Resource } from './resource.ts';

const publish: Resource = async (deps, req) => {
  const request = parseRequest(PublishSchema, req.body(), 'body');
  const { digest, ...tagged } = requestedImage('body.image', request.image, request.digest);
  if (digest && deps.declareDigest) deps.declareDigest(tagged, digest);
  const message: ImagePushed = {
    source: 'cli',
    ...tagged,
    digestHint: digest,
    eventId: randomUUID(),
    receivedAt: req.now.toISOString(),
  };
  await deps.imageQueue.send(message);
  const tracks = await deps.stores.tracks.findTracksForImage(tagged);
  return [
    202,
    {
      enqueued: message,
      tracks: tracks.map((t) => t.name),
      // Known only when the digest is: image-push names rollouts by (track, digest).
      rollouts: digest ? tracks.map((t) => rolloutId(t.name, digest)) : [],
      digestSource: !digest
        ? 'image-push resolves the tag with the registry'
        : deps.declareDigest
          ? 'declared by the publisher (local runtime: no registry is asked)'
          : 'hint only: image-push resolves the tag with the registry, which wins',
    },
  ];
};

export const publishRoutes: Record<string, Resource> = { 'POST publish': publish };
