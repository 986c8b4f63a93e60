import { describe, expect, it } from 'vitest';
import { parseWebhookConfig, WebhookConfigError } from '../../../functions/core/ingress/index.ts';

describe('webhook configuration', () => {
  it('fills defaults', () => {
    expect(parseWebhookConfig({}, 'env')).toEqual({
      maxBodyBytes: 262_144,
      replayWindowSeconds: 604_800,
      providers: {},
    });
    const config = parseWebhookConfig(
      { providers: { quay: { auth: [{ kind: 'url-token', token: 't' }] } } },
      'env',
    );
    expect(config.providers.quay).toEqual({ auth: [{ kind: 'url-token', token: 't' }], replayStatus: 409 });
  });

  it.each([
    [
      { providers: { github: { auth: [] } } },
      'providers.github.auth: at least one authentication method is required',
    ],
    [
      { providers: { github: { auth: [{ kind: 'hmac-sha256', secret: '' }] } } },
      'providers.github.auth.0.secret: must not be empty',
    ],
    [{ providers: { x: { auth: [{ kind: 'magic' }] } } }, 'providers.x.auth.0.kind'],
    [{ maxBodyBytes: -1 }, 'maxBodyBytes'],
    [
      { providers: { ecr: { auth: [{ kind: 'url-token', token: 't' }], allowedAccounts: ['12'] } } },
      'providers.ecr.allowedAccounts.0',
    ],
  ])('names the invalid field: %j', (value, message) => {
    expect(() => parseWebhookConfig(value, 'WEBHOOK_CONFIG')).toThrow(WebhookConfigError);
    expect(() => parseWebhookConfig(value, 'WEBHOOK_CONFIG')).toThrow(`WEBHOOK_CONFIG: ${message}`);
  });
});
