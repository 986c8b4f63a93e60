/** `POST /v1/publish`: injects an ImagePushed as a registry would (no registry involved). */
import { randomUUID } from 'node:crypto';
import { PublishSchema, parseRequest, publishedPush, requestedImage } from '../../core/admin/index.ts';
import type { Resource } from './resource.ts';

const publish: Resource = async ({ stores, imageQueue, declareDigest }, req) => {
  const request = parseRequest(PublishSchema, req.body(), 'body');
  const image = requestedImage('body.image', request.image, request.digest);
  const { digest, ...tagged } = image;
  if (digest && declareDigest) declareDigest(tagged, digest);
  const tracks = (await stores.tracks.findTracksForImage(tagged)).map((t) => t.name);
  const answer = publishedPush(image, tracks, declareDigest !== undefined, req.now, randomUUID());
  await imageQueue.send(answer.enqueued);
  return [202, answer];
};

export const publishRoutes: Record<string, Resource> = { 'POST publish': publish };
