/**
 * An ECR image action from EventBridge, judged: the push it announces (a successful push or replication of
 * a tagged image), or why it is ignored (noise: deletes, scans, untagged children, failures) or rejected (a
 * malformed event, an account not allowed). Retrying cannot change any of these answers.
 */
import type { ImagePushed } from '../messages.ts';
import { DeliveryRejectedError } from './errors.ts';
import { parsePayload } from './hint.ts';
import { filterNoise } from './noise.ts';
import { ecr } from './sources/ecr.ts';

/** What an ECR event is. */
export type EcrEventVerdict =
  | { push: ImagePushed }
  | { ignored: string }
  | { rejected: string; account?: string };

/** Judges one event; `allowedAccounts` absent allows every account. */
export function judgeEcrEvent(
  event: unknown,
  allowedAccounts: readonly string[] | undefined,
  receivedAt: string,
): EcrEventVerdict {
  try {
    const parsed = parsePayload(ecr, event);
    if (allowedAccounts !== undefined && !allowedAccounts.includes(parsed.account)) {
      return { rejected: `account ${parsed.account} not allowed`, account: parsed.account };
    }
    const filtered = filterNoise('ecr', ecr.hints(parsed, {}), receivedAt);
    const push = filtered.pushes[0];
    return push ? { push } : { ignored: filtered.dropped[0]?.reason ?? 'no push' };
  } catch (error) {
    if (!(error instanceof DeliveryRejectedError)) throw error;
    return { rejected: error.message };
  }
}
