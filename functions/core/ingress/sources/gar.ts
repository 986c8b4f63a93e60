/**
 * Google Artifact Registry notifications from the `gcr` Pub/Sub topic, delivered by a push subscription
 * (wrapped envelope with base64 `data`) or unwrapped (registries.md §6.4). `digest` and `tag` are full
 * references that have to be split.
 */
import * as z from 'zod';
import { MalformedPayloadError } from '../errors.ts';
import type { PushHint, SourceNormaliser } from '../hint.ts';

const GarMessage = z.object({
  action: z.string(),
  digest: z.string().optional(),
  tag: z.string().optional(),
});
type GarMessage = z.infer<typeof GarMessage>;

const GarSchema = z.union([
  z.object({
    message: z.object({
      data: z.string(),
      messageId: z.string().optional(),
      message_id: z.string().optional(),
    }),
    subscription: z.string().optional(),
  }),
  GarMessage,
]);
type GarPayload = z.infer<typeof GarSchema>;

/** `host/path/image:tag` → parts; `null` when the reference has no tag. */
function splitTagged(reference: string): { host: string; repository: string; tag: string } | null {
  const slash = reference.indexOf('/');
  const colon = reference.lastIndexOf(':');
  if (slash < 0 || colon < reference.lastIndexOf('/')) return null;
  return {
    host: reference.slice(0, slash),
    repository: reference.slice(slash + 1, colon),
    tag: reference.slice(colon + 1),
  };
}

function decode(payload: GarPayload): { message: GarMessage; eventId: string | null } {
  if (!('message' in payload)) return { message: payload, eventId: null };
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload.message.data, 'base64').toString('utf8'));
  } catch {
    throw new MalformedPayloadError('gar', 'message.data: not base64-encoded JSON');
  }
  const parsed = GarMessage.safeParse(decoded);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new MalformedPayloadError(
      'gar',
      `message.data.${issue.path.join('.') || '(body)'}: ${issue.message}`,
    );
  }
  return { message: parsed.data, eventId: payload.message.messageId ?? payload.message.message_id ?? null };
}

/** `POST /hooks/gar/<token>`: a Pub/Sub push subscription's endpoint. */
export const gar: SourceNormaliser<GarPayload> = {
  source: 'gar',
  contentTypes: ['application/json'],
  schema: GarSchema,
  hints(payload): PushHint[] {
    const { message, eventId } = decode(payload);
    const tagged = message.tag ? splitTagged(message.tag) : null;
    const at = message.digest ? message.digest.indexOf('@') : -1;
    const digestRef = message.digest && at >= 0 ? message.digest : null;
    const untaggedRepo = digestRef ? digestRef.slice(0, at) : '';
    return [
      {
        action: message.action === 'INSERT' ? 'push' : message.action,
        host: tagged?.host ?? untaggedRepo.split('/')[0] ?? '',
        repository: tagged?.repository ?? untaggedRepo.slice(untaggedRepo.indexOf('/') + 1),
        tag: tagged?.tag ?? null,
        digestHint: digestRef ? digestRef.slice(at + 1) : null,
        eventId,
        mediaType: null,
      },
    ];
  },
};
