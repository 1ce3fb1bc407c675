/**
 * Webhook ingestion and the Chatwoot connector, end to end inside the orchestrator: signed
 * deliveries built from the contract fixtures, the real job workers on a real PostgreSQL, and
 * Chatwoot's API replaced by a recording double at the network boundary.
 */
import {
  chatwootFixture,
  signChatwootDelivery,
  startChatwootDouble,
  type ChatwootDouble,
  type TestDatabase,
} from '@afenda/test-utils';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@afenda/db';
import { demoConversation } from './demo/payloads.ts';
import { putModuleSettings } from '@afenda/platform/module-settings';
import { startIdentityFixture, type IdentityFixture } from '@afenda/orchestrator/testing/fixture';
import { SecretBox } from '@afenda/platform/secrets';
import { TEST_SETTINGS_KEY } from '@afenda/orchestrator/testing/app';
import { processDelivery, type WebhookSource } from '@afenda/platform/webhooks/deliveries';

const SECRET = 'acme-webhook-secret-for-tests';
let fx: IdentityFixture;
let tdb: TestDatabase;
let app: FastifyInstance;
let chatwoot: ChatwootDouble;
const tenant: Record<string, string> = {};
const tokens: Record<string, string> = {};

const fixture = (name: string) => chatwootFixture(name);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 10_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function post(
  payload: unknown,
  options: { secret?: string | null; deliveryId?: string; timestamp?: number } = {},
) {
  const signed = signChatwootDelivery({
    secret: options.secret === undefined ? SECRET : options.secret,
    payload,
    deliveryId: options.deliveryId,
    timestamp: options.timestamp,
  });
  return app
    .inject({
      method: 'POST',
      url: '/api/v1/webhooks/chatwoot',
      headers: signed.headers,
      payload: signed.body,
    })
    .then((res) => Object.assign(res, { deliveryId: signed.deliveryId }));
}

function api(username: string, org = username.startsWith('g') ? 'globex' : 'acme') {
  const headers = { authorization: `Bearer ${tokens[username]}`, 'x-tenant-id': tenant[org]! };
  return {
    get: (url: string) => app.inject({ method: 'GET', url, headers }),
    post: (url: string, payload: object = {}) =>
      app.inject({ method: 'POST', url, headers, payload }),
    put: (url: string, payload: object) => app.inject({ method: 'PUT', url, headers, payload }),
  };
}

const q = async <T extends Record<string, unknown>>(text: string, values: unknown[] = []) =>
  (await tdb.admin.query<T>(text, values)).rows;

const delivery = (id: string) =>
  until(`delivery ${id} to settle`, async () => {
    const [row] = await q<{
      status: string;
      reason: string | null;
      last_error: string | null;
      attempts: number;
    }>(
      'select status, reason, last_error, attempts from webhook_deliveries where delivery_id = $1',
      [id],
    );
    return row && !['received', 'failed'].includes(row.status) ? row : undefined;
  });

const conversationPayloads = (
  displayId: number,
  message = 'My invoice <b>is</b> wrong & late',
  labels: string[] = [],
) =>
  demoConversation(
    {
      accountId: 1,
      accountName: 'Acme Support',
      displayId,
      contactName: 'Jane Doe',
      message,
      labels,
    },
    fixture,
  );

let publicUrl: string;

beforeAll(async () => {
  chatwoot = await startChatwootDouble();
  // The app listens too: Chatwoot's double delivers webhooks to PUBLIC_URL, as Chatwoot would.
  const port = await freePort();
  publicUrl = `http://127.0.0.1:${port}`;
  fx = await startIdentityFixture({
    jobs: true,
    poolMax: 10,
    env: {
      PUBLIC_URL: publicUrl,
      JOB_POLL_INTERVAL_MS: '100',
      JOB_MAX_ATTEMPTS: '3',
      JOB_BACKOFF_BASE_MS: '20',
      JOB_BACKOFF_MAX_MS: '100',
      WEBHOOK_BODY_LIMIT_BYTES: '65536',
      RATE_LIMIT_WEBHOOKS: '100000',
      RATE_LIMIT_WRITES: '100000',
    },
  });
  ({ tdb, app } = fx);
  await app.listen({ port, host: '127.0.0.1' });
  for (const u of fx.users.filter((u) => u.id)) tokens[u.username] = await fx.token(u.username);
  for (const r of await q<{ slug: string; id: string }>(
    "select slug, id from tenants where kind = 'organization'",
  ))
    tenant[r.slug] = r.id;
  await putModuleSettings(
    { database: tdb.database, secrets: new SecretBox(TEST_SETTINGS_KEY) },
    tenant.acme!,
    'inbox',
    {
      enabled: true,
      baseUrl: chatwoot.url,
      apiToken: chatwoot.token,
      webhookSecret: SECRET,
      options: { accountId: 1, escalationRequester: 'alice' },
    },
  );
  fx.orchestrator.modules
    .find((m) => m.module.manifest.id === 'inbox')
    ?.parts.onTenantSettingsChanged?.(tenant.acme!);
}, 60_000);

afterAll(async () => {
  await fx?.close();
  await chatwoot?.close();
});

describe('ingestion', () => {
  it('stores a signed delivery, answers 202, and the worker mirrors it exactly once', async () => {
    const [created, message] = conversationPayloads(501);
    const first = await post(created);
    expect(first.statusCode, first.body).toBe(202);
    expect(first.json().data).toMatchObject({ status: 'received', duplicate: false });
    const res = await post(message);
    expect(res.statusCode).toBe(202);
    await delivery(res.deliveryId);
    // the same delivery again: 2xx, nothing changes
    const again = await app.inject({
      method: 'POST',
      url: '/api/v1/webhooks/chatwoot',
      ...(() => {
        const s = signChatwootDelivery({
          secret: SECRET,
          payload: message,
          deliveryId: res.deliveryId,
        });
        return { headers: s.headers, payload: s.body };
      })(),
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().data).toMatchObject({ duplicate: true, status: 'processed' });

    const [conv] = await q<{
      id: string;
      status: string;
      contact_name: string;
      last_message_preview: string;
    }>(
      'select id, status, contact_name, last_message_preview from conversations where display_id = 501',
    );
    expect(conv).toMatchObject({
      status: 'open',
      contact_name: 'Jane Doe',
      last_message_preview: 'My invoice <b>is</b> wrong & late',
    });
    const msgs = await q(
      'select content, direction from conversation_messages where conversation_id = $1',
      [conv!.id],
    );
    expect(msgs).toEqual([{ content: 'My invoice <b>is</b> wrong & late', direction: 'incoming' }]);
    const entries = await q<{ type: string }>(
      'select type from activity_timeline where subject_id = $1 order by occurred_at',
      [conv!.id],
    );
    expect(entries.map((e) => e.type)).toEqual([
      'conversation.created',
      'conversation.message_received',
    ]);
  });

  it('a secret another replica stored (this one not told) is used at the next delivery; an old one is refused', async () => {
    const [created, message] = conversationPayloads(560);
    expect((await post(created)).statusCode).toBe(202); // this replica caches the secret
    const deps = { database: tdb.database, secrets: new SecretBox(TEST_SETTINGS_KEY) };
    const ROTATED = 'rotated-by-another-replica-secret';
    // What Connect on another replica does: the stored secret changes; no hook runs here.
    await putModuleSettings(deps, tenant.acme!, 'inbox', { webhookSecret: ROTATED });
    try {
      await sleep(1_100); // a refused signature reloads at most once a second
      const res = await post(message, { secret: ROTATED });
      expect(res.statusCode, res.body).toBe(202);
      const stale = await post(conversationPayloads(561)[0], { secret: SECRET });
      expect(stale.statusCode).toBe(401);
    } finally {
      await putModuleSettings(deps, tenant.acme!, 'inbox', { webhookSecret: SECRET });
      fx.orchestrator.modules
        .find((m) => m.module.manifest.id === 'inbox')
        ?.parts.onTenantSettingsChanged?.(tenant.acme!);
    }
  });

  it('processing a delivery again has no second effect', async () => {
    const [created, message] = conversationPayloads(502);
    await delivery((await post(created)).deliveryId);
    const res = await post(message);
    await delivery(res.deliveryId);
    const [row] = await q<{ id: string }>(
      'select id from webhook_deliveries where delivery_id = $1',
      [res.deliveryId],
    );
    await processDelivery(fx.orchestrator.platform.deliveries, row!.id);
    await processDelivery(fx.orchestrator.platform.deliveries, row!.id);
    const [{ n }] = (await q<{ n: number }>(
      'select count(*)::int as n from conversation_messages m join conversations c on c.id = m.conversation_id where c.display_id = 502',
    )) as [{ n: number }];
    expect(n).toBe(1);
    const [{ t }] = (await q<{ t: number }>(
      "select count(*)::int as t from activity_timeline a join conversations c on c.id::text = a.subject_id where c.display_id = 502 and a.type = 'conversation.message_received'",
    )) as [{ t: number }];
    expect(t).toBe(1);
  });

  it.each([
    ['a wrong signature', { secret: 'not-the-secret' }, 401, 'WEBHOOK_SIGNATURE_INVALID'],
    ['no signature', { secret: null }, 401, 'WEBHOOK_SIGNATURE_MISSING'],
    [
      'a stale timestamp',
      { timestamp: Math.floor(Date.now() / 1000) - 301 },
      401,
      'WEBHOOK_TIMESTAMP_STALE',
    ],
  ] as const)('refuses %s (4xx envelope, nothing stored)', async (_name, options, status, code) => {
    const [created] = conversationPayloads(503);
    const res = await post(created, options);
    expect(res.statusCode).toBe(status);
    expect(res.json().error.code).toBe(code);
    expect(
      await q('select 1 from webhook_deliveries where delivery_id = $1', [res.deliveryId]),
    ).toHaveLength(0);
  });

  it('refuses malformed JSON, an unknown event, no delivery id, a wrong type and an oversized body', async () => {
    const raw = (headers: Record<string, string>, payload: string) =>
      app.inject({ method: 'POST', url: '/api/v1/webhooks/chatwoot', headers, payload });
    const signed = signChatwootDelivery({
      secret: SECRET,
      payload: '{"event": "message_created", ',
    });
    const malformed = await raw(signed.headers, signed.body);
    expect([malformed.statusCode, malformed.json().error.code]).toEqual([400, 'MALFORMED_JSON']);

    const unknown = await post({ event: 'order_shipped', account: { id: 1 } });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([422, 'WEBHOOK_EVENT_UNKNOWN']);

    const s2 = signChatwootDelivery({
      secret: SECRET,
      payload: { event: 'message_created', account: { id: 1 } },
    });
    const noId = await raw({ ...s2.headers, 'x-chatwoot-delivery': '' }, s2.body);
    expect([noId.statusCode, noId.json().error.code]).toEqual([400, 'WEBHOOK_DELIVERY_ID_MISSING']);

    const text = await raw({ ...s2.headers, 'content-type': 'text/plain' }, s2.body);
    expect(text.statusCode).toBe(415);
    expect(text.json().error).toBeDefined();

    const big = signChatwootDelivery({
      secret: SECRET,
      payload: { event: 'message_created', account: { id: 1 }, content: 'x'.repeat(70_000) },
    });
    const tooBig = await raw(big.headers, big.body);
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.json().error.code).toBe('PAYLOAD_TOO_LARGE');

    const unknownSource = await app.inject({
      method: 'POST',
      url: '/api/v1/webhooks/zendesk',
      headers: s2.headers,
      payload: s2.body,
    });
    expect([unknownSource.statusCode, unknownSource.json().error.code]).toEqual([
      404,
      'WEBHOOK_SOURCE_UNKNOWN',
    ]);
    for (const id of [signed.deliveryId, big.deliveryId])
      expect(await q('select 1 from webhook_deliveries where delivery_id = $1', [id])).toHaveLength(
        0,
      );
  });

  it('an authentic payload missing fields is answered 422 and stored with the reason, never processed', async () => {
    const res = await post({
      event: 'message_created',
      account: { id: 1 },
      id: 9,
      message_type: 'incoming',
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'WEBHOOK_PAYLOAD_INVALID' });
    const [row] = await q<{ status: string; reason: string }>(
      'select status, reason from webhook_deliveries where delivery_id = $1',
      [res.deliveryId],
    );
    expect(row?.status).toBe('ignored');
    expect(row?.reason).toMatch(/conversation/);
  });

  it('stores an unmapped account flagged, and processes it once the account is mapped and it is replayed', async () => {
    const [created] = demoConversation(
      {
        accountId: 2,
        accountName: 'Globex',
        displayId: 77,
        contactName: 'Gus',
        message: 'hi',
        labels: [],
      },
      fixture,
    );
    const res = await post(created, { secret: 'globex-secret-0001' });
    expect(res.statusCode).toBe(202);
    expect(res.json().data.status).toBe('unmapped');
    expect(await q('select 1 from conversations where account_id = 2')).toHaveLength(0);

    const put = await api('gloria').put('/api/v1/modules/inbox/settings', {
      enabled: true,
      webhookSecret: 'globex-secret-0001',
      options: { accountId: 2 },
    });
    expect(put.statusCode, put.body).toBe(200);
    // Acme can't take Globex's account
    const taken = await api('ada').put('/api/v1/modules/inbox/settings', {
      options: { accountId: 2 },
    });
    expect([taken.statusCode, taken.json().error.code]).toEqual([409, 'CHATWOOT_ACCOUNT_TAKEN']);

    const replay = await api('gloria').post('/api/v1/admin/dead-letters/replay', {});
    // unmapped deliveries have no organisation yet, so an organisation's admin cannot replay them:
    expect(replay.json().data.deliveries).toEqual([]);
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/afenda.ts', 'webhooks', 'replay', '--all', '--json'],
      {
        cwd: new URL('../../../apps/orchestrator/', import.meta.url),
        env: { ...process.env, DATABASE_URL: tdb.appUrl },
        encoding: 'utf8',
      },
    );
    expect(out).toContain(JSON.parse(res.body).data.id);
    expect(await delivery(res.deliveryId)).toMatchObject({ status: 'processed' });
    const globexRows = await q<{ tenant_id: string }>(
      'select tenant_id from conversations where account_id = 2',
    );
    expect(globexRows).toEqual([{ tenant_id: tenant.globex }]);
  });
});

describe('the mirror and escalation', () => {
  it('recognises its own private note coming back and does not act on it', async () => {
    const [created] = conversationPayloads(510);
    await delivery((await post(created)).deliveryId);
    const note = structuredClone(fixture('webhooks/message_created.private_note.json')) as Record<
      string,
      unknown
    >;
    const conv = created as Record<string, unknown>;
    const res = await post({
      ...note,
      id: 88_001,
      content: '[Axis Afenda] CEO approval APPROVED by Ada.',
      conversation: conv,
      account: { id: 1, name: 'Acme' },
    });
    expect((await delivery(res.deliveryId)).status).toBe('ignored');
    const [row] = await q<{ own: boolean }>(
      "select own from conversation_messages where external_id = '88001'",
    );
    expect(row?.own).toBe(true);
  });

  it('escalation: one pending approval per conversation, with the customer context; other tenants see nothing', async () => {
    const [created, message] = conversationPayloads(520, 'Please refund order 1234');
    await delivery((await post(created)).deliveryId);
    await delivery((await post(message)).deliveryId);
    const list = await api('alice').get('/api/v1/conversations');
    const conv = list.json().data.find((c: { displayId: number }) => c.displayId === 520);
    expect(conv).toMatchObject({
      status: 'open',
      contactName: 'Jane Doe',
      pendingApprovalId: null,
      lastDecision: null,
    });

    const first = await api('alice').post(`/api/v1/conversations/${conv.id}/escalate`, {
      note: 'Big customer',
    });
    expect(first.statusCode, first.body).toBe(201);
    const approval = first.json().data;
    expect(approval).toMatchObject({
      type: 'ceo_approval',
      status: 'submitted',
      source: 'chatwoot',
      sourceRef: '520',
    });
    expect(approval.metadata).toMatchObject({
      conversationId: conv.id,
      displayId: 520,
      via: 'shell',
      customer: 'Jane Doe',
    });
    expect(approval.metadata.lastMessages.at(-1).content).toBe('Please refund order 1234');

    const second = await api('aaron').post(`/api/v1/conversations/${conv.id}/escalate`);
    expect(second.statusCode).toBe(200);
    expect(second.json().data.id).toBe(approval.id);
    // concurrent escalations still make one
    const [c2] = conversationPayloads(521);
    await delivery((await post(c2)).deliveryId);
    const id521 = (await api('alice').get('/api/v1/conversations'))
      .json()
      .data.find((c: { displayId: number }) => c.displayId === 521).id;
    const many = await Promise.all(
      Array.from({ length: 8 }, () => api('alice').post(`/api/v1/conversations/${id521}/escalate`)),
    );
    expect(many.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(new Set(many.map((r) => r.json().data.id)).size).toBe(1);

    const detail = await api('alice').get(`/api/v1/conversations/${conv.id}`);
    expect(detail.json().data.conversation.pendingApprovalId).toBe(approval.id);
    expect(detail.json().data.messages.map((m: { content: string }) => m.content)).toEqual([
      'Please refund order 1234',
    ]);
    const byRef = await api('alice').get('/api/v1/conversations/by-ref/chatwoot/1/520');
    expect(byRef.json().data.conversation.id).toBe(conv.id);

    // Globex sees none of it
    expect((await api('gloria').get(`/api/v1/conversations/${conv.id}`)).statusCode).toBe(404);
    expect((await api('gloria').post(`/api/v1/conversations/${conv.id}/escalate`)).statusCode).toBe(
      404,
    );
    const theirs = (await api('gloria').get('/api/v1/conversations')).json().data;
    expect(theirs.every((c: { tenantId: string }) => c.tenantId === tenant.globex)).toBe(true);
  });

  it('an escalation says what needs deciding, its kind, the amount and how urgent; bad details are 400', async () => {
    const [created, message] = conversationPayloads(525, 'I was charged twice');
    await delivery((await post(created)).deliveryId);
    await delivery((await post(message)).deliveryId);
    const conv = (await api('alice').get('/api/v1/conversations'))
      .json()
      .data.find((c: { displayId: number }) => c.displayId === 525);
    const url = `/api/v1/conversations/${conv.id}/escalate`;
    for (const [body, field] of [
      [{ question: 'Refund?', amount: '120' }, 'currency'],
      [{ question: 'Refund?', currency: 'EUR' }, 'amount'],
      [{ question: 'Refund?', amount: '-5', currency: 'EUR' }, 'amount'],
      [{ question: 'Refund?', amount: '0', currency: 'EUR' }, 'amount'],
      [{ question: 'Refund?', amount: '12', currency: 'eur' }, 'currency'],
      [{ question: 'Refund?', urgency: 'asap' }, 'urgency'],
      [{ question: 'Refund?', category: 'bribe' }, 'category'],
      [{ question: 'Refund?', dueAt: 'tomorrow' }, 'dueAt'],
      [{ question: 'no' }, 'question'],
    ] as const) {
      const bad = await api('alice').post(url, body);
      expect(bad.statusCode, JSON.stringify(body)).toBe(400);
      expect(bad.json().error.code).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(bad.json().error.details)).toContain(field);
    }
    const dueAt = new Date(Date.now() + 24 * 3600_000).toISOString();
    const res = await api('alice').post(url, {
      question: 'Refund the double charge for Jane Doe?',
      category: 'refund',
      amount: '120.50',
      currency: 'EUR',
      urgency: 'high',
      dueAt,
      note: 'Charged twice in March',
    });
    expect(res.statusCode, res.body).toBe(201);
    const approval = res.json().data;
    expect(approval.title).toBe('Refund the double charge for Jane Doe?');
    expect(approval.metadata).toMatchObject({
      note: 'Charged twice in March',
      escalation: {
        question: 'Refund the double charge for Jane Doe?',
        category: 'refund',
        amount: '120.50',
        currency: 'EUR',
        urgency: 'high',
        dueAt,
      },
    });
  });

  it('the escalation label added in Chatwoot escalates, as the configured requester, once', async () => {
    const [created, , labelled] = conversationPayloads(530, 'hello', ['escalate']);
    await delivery((await post(created)).deliveryId);
    const first = await delivery((await post(labelled)).deliveryId);
    expect(first.reason).toMatch(/^escalated: approval/);
    // Chatwoot sends the event again (signed anew: the same signed bytes would be a replay).
    const resent = await post(labelled, { timestamp: Math.floor(Date.now() / 1000) + 1 });
    const again = await delivery(resent.deliveryId);
    expect(again.reason ?? '').not.toMatch(/^escalated/);
    const rows = await q<{ requested_by: string; metadata: { via: string } }>(
      "select requested_by, metadata from approvals where source = 'chatwoot' and source_ref = '530'",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      requested_by: fx.userId('alice') === undefined ? '' : rows[0]!.requested_by,
      metadata: { via: 'label' },
    });
    const [alice] = await q<{ id: string }>("select id from users where username = 'alice'");
    expect(rows[0]!.requested_by).toBe(alice!.id);
  });

  it('a decision posts a private note and merges a label in Chatwoot, off the request path', async () => {
    const [created, message] = conversationPayloads(540, 'Need a refund');
    await delivery((await post(created)).deliveryId);
    await delivery((await post(message)).deliveryId);
    chatwoot.labels.set('1/540', ['vip']);
    const conv = (await api('alice').get('/api/v1/conversations/by-ref/chatwoot/1/540')).json().data
      .conversation;
    const approval = (await api('alice').post(`/api/v1/conversations/${conv.id}/escalate`)).json()
      .data;
    const decided = await api('ada').post(`/api/v1/approvals/${approval.id}/reject`, {
      reason: 'Not this quarter',
    });
    expect(decided.statusCode, decided.body).toBe(200);

    // the agent sees the outcome on the conversation: the decision, who, when, the reason
    const [ada] = await q<{ id: string; display_name: string }>(
      "select id, display_name from users where username = 'ada'",
    );
    const after = (await api('alice').get(`/api/v1/conversations/${conv.id}`)).json().data
      .conversation;
    expect(after.pendingApprovalId).toBeNull();
    expect(after.lastDecision).toMatchObject({
      approvalId: approval.id,
      decision: 'rejected',
      decidedBy: ada!.id,
      decidedByName: ada!.display_name,
      note: 'Not this quarter',
    });
    expect(Date.parse(after.lastDecision.decidedAt)).toBeGreaterThan(Date.now() - 60_000);
    const listed = (await api('alice').get('/api/v1/conversations')).json().data;
    expect(listed.find((c: { id: string }) => c.id === conv.id).lastDecision.decision).toBe(
      'rejected',
    );
    // escalated again, the newer pending one and the earlier decision are both there
    const again = await api('alice').post(`/api/v1/conversations/${conv.id}/escalate`);
    expect(again.statusCode).toBe(201);
    const both = (await api('alice').get(`/api/v1/conversations/${conv.id}`)).json().data
      .conversation;
    expect(both.pendingApprovalId).toBe(again.json().data.id);
    expect(both.lastDecision.approvalId).toBe(approval.id);

    const action = await until('the note to be posted', async () => {
      const [a] = await q<{ status: string; result: { messageId: number } }>(
        'select status, result from outbound_actions where subject_id = $1',
        [approval.id],
      );
      return a?.status === 'done' ? a : undefined;
    });
    const note = chatwoot.calls.find(
      (c) => c.method === 'POST' && c.path === '/api/v1/accounts/1/conversations/540/messages',
    );
    expect(note?.body).toMatchObject({ message_type: 'outgoing', private: true });
    expect((note?.body as { content: string }).content).toMatch(
      /REJECTED by .*\nRequest: .*\nReason: Not this quarter/,
    );
    expect(chatwoot.labels.get('1/540')).toEqual(['vip', 'ceo-rejected']);
    expect(chatwoot.violations).toEqual([]);

    // Chatwoot echoes the note back: recognised by its id, not acted on
    const echo = structuredClone(fixture('webhooks/message_created.private_note.json')) as Record<
      string,
      unknown
    >;
    const res = await post({
      ...echo,
      id: action.result.messageId,
      content: 'edited by Chatwoot',
      conversation: created,
      account: { id: 1 },
    });
    expect((await delivery(res.deliveryId)).status).toBe('ignored');

    const status = await api('arjun').get(`/api/v1/admin/outbound?subject=${approval.id}`);
    expect(status.json().data).toMatchObject([
      { kind: 'chatwoot.decision_note', status: 'done', attempts: 1 },
    ]);
    const timeline = await q<{ type: string }>(
      'select type from activity_timeline where subject_id = $1 order by occurred_at',
      [conv.id],
    );
    expect(timeline.map((t) => t.type)).toContain('conversation.decision_posted');
  });

  it('a failing Chatwoot is retried with backoff, then dead-lettered, then replayed', async () => {
    const [created] = conversationPayloads(550);
    await delivery((await post(created)).deliveryId);
    const conv = (await api('alice').get('/api/v1/conversations/by-ref/chatwoot/1/550')).json().data
      .conversation;
    const approval = (await api('alice').post(`/api/v1/conversations/${conv.id}/escalate`)).json()
      .data;
    chatwoot.failNext(100, 503);
    await api('ada').post(`/api/v1/approvals/${approval.id}/approve`, {});
    const dead = await until('the action to die', async () => {
      const r = (await api('arjun').get('/api/v1/admin/dead-letters')).json().data;
      return r.outbound.find((o: { subjectId: string }) => o.subjectId === approval.id);
    });
    expect(dead).toMatchObject({ status: 'dead', attempts: 3 });
    expect(dead.lastError).toMatch(/503/);
    // members who aren't admins don't see the plumbing
    expect((await api('alice').get('/api/v1/admin/dead-letters')).statusCode).toBe(403);

    chatwoot.failNext(0);
    const replay = await api('arjun').post('/api/v1/admin/dead-letters/replay', { ids: [dead.id] });
    expect(replay.json().data.outbound).toEqual([dead.id]);
    await until('the replayed action to succeed', async () => {
      const [a] = await q<{ status: string }>('select status from outbound_actions where id = $1', [
        dead.id,
      ]);
      return a?.status === 'done';
    });
    const again = await api('arjun').post('/api/v1/admin/dead-letters/replay', { ids: [dead.id] });
    expect([again.statusCode, again.json().error.code]).toEqual([409, 'NOTHING_TO_REPLAY']);
  });

  it('a delivery whose processing keeps failing dies after JOB_MAX_ATTEMPTS with its error, and replays', async () => {
    let failing = true;
    const flaky: WebhookSource = {
      name: 'flaky',
      async accept({ headers }) {
        return {
          deliveryId: String(headers['x-delivery']),
          eventType: 'test',
          tenantId: tenant.acme!,
          accountRef: null,
          verified: true,
          signature: null,
          signedAt: null,
          status: 'received',
        };
      },
      async process() {
        if (failing) throw new Error('downstream said no');
        return { status: 'processed' };
      },
    };
    fx.orchestrator.platform.deliveries.sources.set('flaky', flaky);
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/webhooks/flaky',
      headers: { 'content-type': 'application/json', 'x-delivery': 'f-1' },
      payload: '{}',
    });
    expect(res.statusCode).toBe(202);
    const dead = await delivery('f-1');
    expect(dead).toMatchObject({ status: 'dead', attempts: 3, last_error: 'downstream said no' });
    const listed = (await api('arjun').get('/api/v1/admin/deliveries?status=dead')).json().data;
    expect(listed.map((d: { deliveryId: string }) => d.deliveryId)).toContain('f-1');
    failing = false;
    const id = res.json().data.id;
    expect(
      (await api('arjun').post('/api/v1/admin/dead-letters/replay', { ids: [id] })).json().data
        .deliveries,
    ).toEqual([id]);
    expect(await delivery('f-1')).toMatchObject({ status: 'processed', attempts: 1 });
    const one = await api('arjun').get(`/api/v1/admin/deliveries/${id}`);
    expect(one.json().data).toMatchObject({ status: 'processed', lastError: null });
    expect((await api('gloria').get(`/api/v1/admin/deliveries/${id}`)).statusCode).toBe(404);
    fx.orchestrator.platform.deliveries.sources.delete('flaky');
  });
});

describe("the App registry's settings: changes on the timeline, and Test connection", () => {
  const test = (username = 'arjun') => api(username).post('/api/v1/modules/inbox/settings/test');

  it('answers with what Chatwoot said, for owners and admins only', async () => {
    const ok = await test();
    expect(ok.statusCode).toBe(200);
    expect(ok.json().data).toMatchObject({
      ok: true,
      summary: 'Chatwoot answered for account 1: 1 open conversation.',
      target: `${chatwoot.url}/api/v1/accounts/1/conversations?status=open`,
    });
    expect(chatwoot.calls.at(-1)).toMatchObject({
      method: 'GET',
      path: '/api/v1/accounts/1/conversations',
      token: chatwoot.token,
    });
    expect((await test('alice')).statusCode).toBe(403);
    const none = await api('arjun').post('/api/v1/modules/whiteboard/settings/test');
    expect(none.statusCode).toBe(404);
    expect(none.json().error.code).toBe('NOT_FOUND');
  });

  it('says so when Chatwoot refuses the token or does not answer, and records each change', async () => {
    const violationsBefore = chatwoot.violations.length;
    try {
      expect(
        (await api('arjun').put('/api/v1/modules/inbox/settings', { apiToken: 'not-the-token' }))
          .statusCode,
      ).toBe(200);
      expect((await test()).json().data).toMatchObject({
        ok: false,
        summary: expect.stringMatching(/^Chatwoot refused the API token \(401\)/),
      });
      await api('arjun').put('/api/v1/modules/inbox/settings', { baseUrl: 'http://127.0.0.1:9' });
      expect((await test()).json().data).toMatchObject({
        ok: false,
        summary: expect.stringMatching(/^Chatwoot did not answer: /),
      });
    } finally {
      await api('arjun').put('/api/v1/modules/inbox/settings', {
        baseUrl: chatwoot.url,
        apiToken: chatwoot.token,
      });
      chatwoot.violations.splice(violationsBefore); // the wrong token, on purpose
    }
    expect((await test()).json().data.ok).toBe(true);

    const entries = await q<{ title: string; data: Record<string, unknown>; actor: string }>(
      `select a.title, a.data, u.username as actor from activity_timeline a join users u on u.id = a.actor_id
        where a.tenant_id = $1 and a.type = 'module.configured' order by a.occurred_at, a.id`,
      [tenant.acme],
    );
    expect(entries.map((e) => [e.actor, e.title])).toEqual([
      ['arjun', 'Chatwoot settings changed: API token set'],
      ['arjun', 'Chatwoot settings changed: address'],
      ['arjun', 'Chatwoot settings changed: address, API token set'],
    ]);
    // Never a secret's value on the timeline.
    expect(JSON.stringify(entries)).not.toContain(chatwoot.token);
    expect(JSON.stringify(entries)).not.toContain('not-the-token');
  });
});

describe('metrics', () => {
  it('count the calls into Chatwoot by result: done, failed (retried) and dead', async () => {
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const count = (result: string) =>
      Number(
        new RegExp(
          `^afenda_outbound_calls_total\\{kind="chatwoot.decision_note",result="${result}"\\} (\\d+)$`,
          'm',
        ).exec(text)?.[1] ?? 0,
      );
    // The decisions above: notes that went through, and the one Chatwoot failed until it died.
    expect(count('done')).toBeGreaterThanOrEqual(2);
    expect(count('failed')).toBeGreaterThanOrEqual(1);
    expect(count('dead')).toBe(1);
    expect(text).toMatch(/^# TYPE afenda_outbound_calls_total counter$/m);
  });
});

describe('Connect Chatwoot in one step', () => {
  const connect = (username: string, body: object) =>
    api(username).post('/api/v1/modules/inbox/connect', body);
  const input = {
    baseUrl: '',
    apiToken: '',
    accountId: 1,
    dashboardAppUrl: 'https://work.example.test/chatwoot/dashboard-app',
  };

  it('creates the webhook with a fresh secret, stores it, registers the Dashboard App, and proves the round trip', async () => {
    const body = { ...input, baseUrl: chatwoot.url, apiToken: chatwoot.token };
    const res = await connect('arjun', body);
    expect(res.statusCode).toBe(200);
    const result = res.json().data as {
      ok: boolean;
      steps: { step: string; ok: boolean; detail: string }[];
    };
    expect(result.steps.map((s) => [s.step, s.ok])).toEqual([
      ['token', true],
      ['webhook', true],
      ['settings', true],
      ['dashboard-app', true],
      ['round-trip', true],
    ]);
    expect(result.ok).toBe(true);
    expect(result.steps.at(-1)!.detail).toMatch(/came back as a signed webhook in \d+ ms/);
    expect(chatwoot.webhooks).toEqual([
      expect.objectContaining({
        url: `${publicUrl}/api/v1/webhooks/chatwoot`,
        subscriptions: [
          'conversation_created',
          'conversation_status_changed',
          'conversation_updated',
          'message_created',
          'message_updated',
        ],
      }),
    ]);
    expect(chatwoot.dashboardApps.map((a) => a.content)).toEqual([
      [{ type: 'frame', url: input.dashboardAppUrl }],
    ]);
    const firstSecret = chatwoot.webhooks[0]!.secret;

    // Again: the same end state, a fresh secret, no second webhook or Dashboard App.
    const again = (await connect('arjun', body)).json().data as typeof result;
    expect(again.steps.filter((s) => !s.ok)).toEqual([]);
    expect(again.steps.find((s) => s.step === 'dashboard-app')!.detail).toBe(
      'The Dashboard App was already registered.',
    );
    expect(chatwoot.webhooks).toHaveLength(1);
    expect(chatwoot.webhooks[0]!.secret).not.toBe(firstSecret);
    expect(chatwoot.dashboardApps).toHaveLength(1);
    expect(chatwoot.violations).toEqual([]);
    // The stored secret is the new one: a delivery signed with it is accepted.
    const signed = await post(conversationPayloads(4242)[0]!, {
      secret: chatwoot.webhooks[0]!.secret,
    });
    expect(signed.statusCode).toBe(202);
  });

  it('stops at the first step Chatwoot refuses, and answers bad input and rights with 4xx', async () => {
    const refused = (
      await connect('arjun', { ...input, baseUrl: chatwoot.url, apiToken: 'wrong' })
    ).json().data as { ok: boolean; steps: { step: string; ok: boolean; detail: string }[] };
    expect(refused).toEqual({
      ok: false,
      steps: [
        {
          step: 'token',
          ok: false,
          detail:
            'Chatwoot refused the API token (401): use the access token of an administrator of that account.',
        },
      ],
    });
    chatwoot.violations.length = 0; // the wrong token, on purpose
    expect(
      (await connect('alice', { ...input, baseUrl: chatwoot.url, apiToken: 'x' })).statusCode,
    ).toBe(403);
    const bad = await connect('arjun', { ...input, baseUrl: 'ftp://x', apiToken: '' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    // Globex cannot take Acme's account.
    const taken = await connect('gloria', {
      ...input,
      baseUrl: chatwoot.url,
      apiToken: chatwoot.token,
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.code).toBe('CHATWOOT_ACCOUNT_TAKEN');
  });
});
