/**
 * The example module inside the real orchestrator: the real app on a test database, the job
 * workers running, tokens from a stand-in Keycloak. Everything is asserted as a client sees it,
 * through HTTP. (Importing the app is allowed in module tests only; see docs/modules.md.)
 */
import { startIdentityFixture, type IdentityFixture } from '@afenda/orchestrator/testing/fixture';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import example from './index.ts';

const TOKEN = 'example-webhook-token-for-tests';
let fx: IdentityFixture;
const tenant: Record<string, string> = {};

beforeAll(async () => {
  fx = await startIdentityFixture({
    modules: [example],
    jobs: true,
    env: {
      EXAMPLE_WEBHOOK_TOKEN: TOKEN,
      EXAMPLE_REPORT_SCHEDULE: '*/5 * * * *',
      JOB_POLL_INTERVAL_MS: '100',
    },
  });
  const { rows } = await fx.tdb.admin.query<{ slug: string; id: string }>(
    "select slug, id from tenants where kind = 'organization'",
  );
  for (const r of rows) tenant[r.slug] = r.id;
}, 60_000);
afterAll(async () => fx?.close());

/** A request as `user` in Acme, or in the tenant given (null: no X-Tenant-Id at all). */
async function as(
  user: string,
  url: string,
  options: { tenant?: string | null; body?: object } = {},
) {
  const tenantId = options.tenant === undefined ? tenant.acme : options.tenant;
  return fx.app.inject({
    method: options.body ? 'POST' : 'GET',
    url,
    payload: options.body,
    headers: {
      authorization: `Bearer ${await fx.token(user)}`,
      ...(tenantId ? { 'x-tenant-id': tenantId } : {}),
    },
  });
}

/** The tool posting an alert for Acme. */
const deliver = (deliveryId: string, title: string, token = TOKEN) =>
  fx.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks/example',
    headers: {
      'content-type': 'application/json',
      'x-example-token': token,
      'x-example-delivery': deliveryId,
      'x-example-tenant': tenant.acme!,
    },
    payload: JSON.stringify({ title }),
  });

/** Acme's timeline entries of one type, through the activity API. */
async function timeline(type: string) {
  const res = await as('ada', `/api/v1/activity?type=${type}`);
  expect(res.statusCode, res.body).toBe(200);
  return (res.json().data as { subjectId: string; title: string }[]).map((e) => ({
    subjectId: e.subjectId,
    title: e.title,
  }));
}

describe('the route', () => {
  it('answers in the tenant the caller names', async () => {
    const res = await as('ada', '/api/v1/example/setup');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data).toEqual({
      tenantId: tenant.acme,
      webhookUrl: 'http://localhost:8000/api/v1/webhooks/example',
      configured: true,
    });
  });

  it('refuses another tenant (404), no tenant (400), and a member (403), in the envelope', async () => {
    const elsewhere = await as('ada', '/api/v1/example/setup', { tenant: tenant.globex });
    expect([elsewhere.statusCode, elsewhere.json().error.code]).toEqual([404, 'TENANT_NOT_FOUND']);
    const nowhere = await as('ada', '/api/v1/example/setup', { tenant: null });
    expect([nowhere.statusCode, nowhere.json().error.code]).toEqual([400, 'TENANT_REQUIRED']);
    const member = await as('alice', '/api/v1/example/setup');
    expect([member.statusCode, member.json().error.code]).toEqual([403, 'EXAMPLE_ADMINS_ONLY']);
  });
});

describe('the webhook source', () => {
  it('stores a delivery once, refuses a bad token, and the job writes the timeline entry', async () => {
    const first = await deliver('alert-1', 'Disk almost full');
    expect(first.statusCode, first.body).toBe(202);
    expect(first.json().data).toMatchObject({ status: 'received', duplicate: false });
    // The same delivery id again, even with another body: 200, and nothing changes.
    const again = await deliver('alert-1', 'Something else');
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().data).toMatchObject({ id: first.json().data.id, duplicate: true });
    const forged = await deliver('alert-2', 'Forged', 'not-the-example-token');
    expect([forged.statusCode, forged.json().error.code]).toEqual([
      401,
      'WEBHOOK_SIGNATURE_INVALID',
    ]);

    const stored = () =>
      fx.tdb.admin.query<{ delivery_id: string; status: string }>(
        "select delivery_id, status from webhook_deliveries where source = 'example'",
      );
    await vi.waitFor(
      async () =>
        expect((await stored()).rows).toEqual([{ delivery_id: 'alert-1', status: 'processed' }]),
      { timeout: 10_000, interval: 50 },
    );
    expect(await timeline('example_alert.received')).toEqual([
      { subjectId: first.json().data.id, title: 'Disk almost full' },
    ]);
  });
});

describe('the approval type', () => {
  it('runs its decided hook in the decision', async () => {
    const created = await as('alice', '/api/v1/approvals/requests', {
      body: { type: 'example_change', title: 'Raise the quota', metadata: {}, submit: true },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().data.id as string;
    expect(await timeline('example_change.decided')).toEqual([]);
    const approved = await as('ada', `/api/v1/approvals/${id}/approve`, { body: {} });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(await timeline('example_change.decided')).toEqual([
      { subjectId: id, title: 'Example change approved: Raise the quota' },
    ]);
  });
});

it('is wired: the registry lists its type, hook, source and scheduled job', () => {
  const registry = fx.orchestrator.describe();
  expect(registry.modules).toEqual(['example']);
  expect(registry.approvalTypes).toContainEqual({ id: 'example_change', title: 'Example change' });
  expect(registry.approvalHooks).toContainEqual({
    event: 'decided',
    type: 'example_change',
    name: 'example.decision-entry',
  });
  expect(registry.webhookSources).toEqual(['example']);
  expect(registry.jobs).toContainEqual(
    expect.objectContaining({ id: 'example.report', schedule: '*/5 * * * *' }),
  );
});
