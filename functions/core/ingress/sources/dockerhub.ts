/**
 * Docker Hub webhooks (registries.md §4): push only, no digest, no event id, no authentication of its own
 * (a token in the URL is the only option).
 */
import * as z from 'zod';
import type { SourceNormaliser } from '../hint.ts';

const DockerHubSchema = z.object({
  push_data: z.object({ tag: z.string() }),
  repository: z.object({ repo_name: z.string() }),
});
type DockerHubPayload = z.infer<typeof DockerHubSchema>;

/** `POST /hooks/dockerhub/<token>`. */
export const dockerhub: SourceNormaliser<DockerHubPayload> = {
  source: 'dockerhub',
  contentTypes: ['application/json'],
  schema: DockerHubSchema,
  hints: (payload) => [
    {
      action: 'push',
      host: 'docker.io',
      repository: payload.repository.repo_name,
      tag: payload.push_data.tag,
      digestHint: null,
      eventId: null,
      mediaType: null,
    },
  ],
};
