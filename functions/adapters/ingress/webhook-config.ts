/**
 * Where a deployed webhook function finds its configuration: the Secrets Manager secret named by
 * WEBHOOK_CONFIG_SECRET_ID (or the stack's WEBHOOK_SECRETS_ARN), else the WEBHOOK_CONFIG variable.
 */
import { parseWebhookConfigDocument, type WebhookConfig } from '../../core/ingress/config.ts';
import { SecretReader } from '../secrets/index.ts';

/** Reads and validates the configuration. @throws naming the secret or variable and the field. */
export async function loadWebhookConfig(
  env: NodeJS.ProcessEnv = process.env,
  secrets: Pick<SecretReader, 'read'> = new SecretReader(),
): Promise<WebhookConfig> {
  const secretId = env.WEBHOOK_CONFIG_SECRET_ID ?? env.WEBHOOK_SECRETS_ARN;
  const [origin, text] = secretId
    ? [secretId, await secrets.read(secretId)]
    : ['WEBHOOK_CONFIG', env.WEBHOOK_CONFIG ?? '{}'];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(
      secretId ? `${secretId}: webhook configuration secret is not JSON` : 'WEBHOOK_CONFIG: not JSON',
    );
  }
  return parseWebhookConfigDocument(value, origin);
}
