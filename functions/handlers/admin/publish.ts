/**
 * `POST /v1/publish`: injects an ImagePushed as a registry would. A tag without a digest is resolved first
 * (a tag that cannot be is refused, saying why); a given digest is declared locally, a hint on AWS.
 */
import { randomUUID } from 'node:crypto';
import { digestOrError } from '../../adapters/registry/base-reader.ts';
import * as admin from '../../core/admin/index.ts';
import type { Resource } from './resource.ts';

const publish: Resource = async ({ stores, imageQueue, declareDigest, resolver }, req) => {
  const request = admin.parseRequest(admin.PublishSchema, req.body(), 'body');
  const { digest: given, ...tagged } = admin.requestedImage('body.image', request.image, request.digest);
  const resolved = !given && resolver ? await digestOrError(resolver.resolveTag(tagged)) : null;
  if (resolved && 'error' in resolved)
    throw new admin.AdminHttpError(422, `nothing published: ${resolved.error}`);
  const digest = given ?? resolved?.digest;
  if (given && declareDigest) declareDigest(tagged, given);
  const tracks = (await stores.tracks.findTracksForImage(tagged)).map((t) => t.name);
  const how = resolved ? 'resolved' : declareDigest ? 'declared' : 'hint';
  const answer = admin.publishedPush({ ...tagged, digest }, tracks, how, req.now, randomUUID());
  await imageQueue.send(answer.enqueued);
  return [202, answer];
};

export const publishRoutes: Record<string, Resource> = { 'POST publish': publish };
