/**
 * Webhook storage abuse: a captured signed delivery re-sent under a new delivery id is a replay
 * (200, duplicate), and deliveries for accounts no organisation claimed keep their bodies only
 * up to the limits; past them, only their headers. Part of `npm run test:security`.
 */
import { chatwootFixture, signChatwootDelivery, type TestDatabase } from '@afenda/test-utils';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoConversation } from './demo/payloads.ts';
import { putModuleSettings } from '@afenda/platform/module-settings';
import { startIdentityFixture, type IdentityFixture } from '@afenda/orchestrator/testing/fixture';
import { SecretBox } from '@afenda/platform/secrets';
import { TEST_SETTINGS_KEY } from '@afenda/orchestrator/testing/app';

const SECRET = 'acme-webhook-secret-for-abuse';
let fx: IdentityFixture;
let tdb: TestDatabase;
let app: FastifyInstance;

beforeAll(async () => {
  fx = await startIdentityFixture({
    env: {
      RATE_LIMIT_WEBHOOKS: '100000',
      WEBHOOK_UNMAPPED_MAX_PER_ACCOUNT: '2',
      WEBHOOK_UNMAPPED_MAX_TOTAL: '3',
      // Nothing here is processed: the deliveries are only stored.
      JOBS_ENABLED: 'false',
    },
  });
  ({ tdb, app } = fx);
  const [acme] = (
    await tdb.admin.query<{ id: string }>("select id from tenants where slug = 'acme'")
  ).rows;
  await putModuleSettings(
    { database: tdb.database, secrets: new SecretBox(TEST_SETTINGS_KEY) },
    acme!.id,
    'inbox',
    { enabled: true, webhookSecret: SECRET, options: { accountId: 1 } },
  );
  fx.orchestrator.modules
    .find((m) => m.module.manifest.id === 'inbox')
    ?.parts.onTenantSettingsChanged?.(acme!.id);
}, 60_000);

afterAll(async () => {
  await fx?.close();
});

const payload = (accountId: number, displayId: number) =>
  demoConversation(
    { accountId, accountName: 'Any', displayId, contactName: 'Eve', message: 'hi', labels: [] },
    chatwootFixture,
  )[0];

const send = (signed: { headers: Record<string, string>; body: string }) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/webhooks/chatwoot',
    headers: signed.headers,
    payload: signed.body,
  });

const rows = async (accountRef: string) =>
  (
    await tdb.admin.query<{ body: string; body_kept: boolean; reason: string | null }>(
      'select body, body_kept, reason from webhook_deliveries where account_ref = $1 order by received_at',
      [accountRef],
    )
  ).rows;

describe('replays', () => {
  it('answers the same signed body and timestamp under a new delivery id as a duplicate, stored once', async () => {
    const timestamp = Math.floor(Date.now() / 1000);
    const body = payload(1, 501);
    const first = await send(signChatwootDelivery({ secret: SECRET, payload: body, timestamp }));
    expect(first.statusCode, first.body).toBe(202);
    const again = await send(signChatwootDelivery({ secret: SECRET, payload: body, timestamp }));
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().data).toMatchObject({ duplicate: true, id: first.json().data.id });
    // Re-signed a second later, it is another delivery (Chatwoot sent it again): stored.
    const later = await send(
      signChatwootDelivery({ secret: SECRET, payload: body, timestamp: timestamp + 1 }),
    );
    expect(later.statusCode).toBe(202);
    expect(later.json().data.duplicate).toBe(false);
  });
});

describe('unmapped deliveries', () => {
  it('keep their bodies up to the per-account limit, then only their headers', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await send(signChatwootDelivery({ secret: null, payload: payload(7001, i + 1) }));
      expect(res.statusCode, res.body).toBe(202);
      expect(res.json().data.status).toBe('unmapped');
    }
    const stored = await rows('7001');
    expect(stored.map((r) => r.body_kept)).toEqual([true, true, false]);
    expect(stored[2]).toMatchObject({ body: '' });
    expect(stored[2]!.reason).toMatch(
      /over the limit of 2 unmapped deliveries for account 7001: only the headers were kept/,
    );
  });

  it('keep their bodies up to the total limit, whatever the account', async () => {
    const a = await send(signChatwootDelivery({ secret: null, payload: payload(7002, 1) }));
    expect(a.statusCode).toBe(202);
    const b = await send(signChatwootDelivery({ secret: null, payload: payload(7003, 1) }));
    expect(b.statusCode).toBe(202);
    expect((await rows('7002'))[0]!.body_kept).toBe(true);
    expect(await rows('7003')).toEqual([
      expect.objectContaining({
        body: '',
        body_kept: false,
        reason: expect.stringMatching(/over the limit of 3 unmapped deliveries in total/),
      }),
    ]);
  });
});

describe('bodies text cannot hold', () => {
  it('refuses a raw NUL byte with 400 and stores nothing; an escaped one is kept, never processed', async () => {
    const raw = signChatwootDelivery({
      secret: null,
      payload: '{"event":"message_created\u0000"}',
    });
    const res = await send(raw);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('MALFORMED_JSON');
    const { rows: none } = await tdb.admin.query(
      'select 1 from webhook_deliveries where delivery_id = $1',
      [raw.deliveryId],
    );
    expect(none).toEqual([]);
    // Escaped in a JSON string, the delivery is stored as received (six ASCII characters), but
    // the mirror could not store the text: never processed, 422 with the field.
    const escaped = payload(1, 502) as { content?: string };
    escaped.content = 'before\u0000after';
    const kept = await send(signChatwootDelivery({ secret: SECRET, payload: escaped }));
    expect(kept.statusCode, kept.body).toBe(422);
    expect(kept.json().error).toMatchObject({
      code: 'WEBHOOK_PAYLOAD_INVALID',
      details: { fields: [{ field: 'content' }], stored: { status: 'ignored' } },
    });
  });
});
