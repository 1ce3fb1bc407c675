/**
 * Team chat against a real Synapse (TEST_SYNAPSE=1; scripts/synapse.mjs installs it from PyPI):
 * the orchestrator is the homeserver's application service, listening on a real port, with its
 * job workers on. Rooms follow the directory, Synapse refuses local edits, what slips through is
 * set back, chat reaches the timeline and the bell, and approvals are decided from Matrix.
 */
import type { KeycloakUser } from '@afenda/contracts';
import { freePort, startSynapse, type SynapseServer } from '@afenda/test-utils/synapse';
import { startIdentityFixture, type IdentityFixture } from '@afenda/orchestrator/testing/fixture';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MatrixClient, MatrixError, type PowerLevels } from './matrix/client.ts';
import { buildRegistration } from './setup.ts';

const BOT = 'afenda';
const AS_TOKEN = `as-${randomBytes(16).toString('hex')}`;
const HS_TOKEN = `hs-${randomBytes(16).toString('hex')}`;

// Synapse, PostgreSQL and the workers share the machine: generous time per test.
vi.setConfig({ testTimeout: 90_000 });

let synapse: SynapseServer;
let fx: IdentityFixture;
let bot: MatrixClient;
let port: number;
const tenant: Record<string, string> = {};
const uid: Record<string, string> = {};
const mx = (username: string) => `@${username}:${synapse.serverName}`;

async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(150);
  }
}

const q = async <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  (await fx.tdb.admin.query<T>(sql, params)).rows;

const roomOf = async (tenantId: string, kind: string) =>
  (
    await q<{ room_id: string }>(
      'select room_id from chat_rooms where tenant_id = $1 and kind = $2',
      [tenantId, kind],
    )
  )[0]?.room_id;

const joined = async (roomId: string) =>
  new Set((await bot.members(roomId)).filter((m) => m.membership === 'join').map((m) => m.userId));

const teamId = async (org: string, slug: string) =>
  (
    await q<{ id: string }>(
      'select t.id from tenants t join tenants o on o.id = t.parent_id where o.slug = $1 and t.slug = $2',
      [org, slug],
    )
  )[0]!.id;

beforeAll(async () => {
  port = await freePort();
  const registration = buildRegistration({
    orchestratorUrl: `http://127.0.0.1:${port}`,
    serverName: 'afenda.test',
    asToken: AS_TOKEN,
    hsToken: HS_TOKEN,
    botLocalpart: BOT,
  });
  synapse = await startSynapse({ serverName: 'afenda.test', appservices: [registration] });
  fx = await startIdentityFixture({
    jobs: true,
    // A job's outbox transaction plus the one it may open while running, for each of the four
    // workers, and room for the HTTP side.
    poolMax: 12,
    env: {
      RATE_LIMIT_WRITES: '100000',
      RATE_LIMIT_READS: '100000',
      RATE_LIMIT_WEBHOOKS: '100000',
      MATRIX_HOMESERVER_URL: synapse.url,
      MATRIX_SERVER_NAME: 'afenda.test',
      MATRIX_AS_TOKEN: AS_TOKEN,
      MATRIX_WEBHOOK_TOKEN: HS_TOKEN,
      MATRIX_BOT_LOCALPART: BOT,
      KEYCLOAK_WEBHOOK_SECRET: 'keycloak-nudge-secret-0123456789',
      JOB_BACKOFF_BASE_MS: '200',
      JOB_BACKOFF_MAX_MS: '1000',
    },
  });
  await fx.app.listen({ port, host: '127.0.0.1' });
  bot = new MatrixClient({
    baseUrl: synapse.url,
    serverName: synapse.serverName,
    asToken: AS_TOKEN,
    botLocalpart: BOT,
  });
  for (const r of await q<{ slug: string; id: string }>(
    "select slug, id from tenants where kind = 'organization'",
  ))
    tenant[r.slug] = r.id;
  for (const r of await q<{ username: string; id: string }>('select username, id from users'))
    uid[r.username] = r.id;
}, 120_000);

afterAll(async () => {
  await fx?.close();
  await synapse?.stop();
});

describe('rooms that follow the directory', () => {
  it('gives each organisation a space, an organisation room and a room per team, with its members joined', async () => {
    const support = await teamId('acme', 'support');
    const room = await eventually('the Acme Support room with its members', async () => {
      const id = await roomOf(support, 'team');
      if (!id) return;
      const members = await joined(id);
      return ['alice', 'aaron', 'arjun'].every((u) => members.has(mx(u))) ? id : undefined;
    });
    const members = await joined(room);
    expect(members.has(mx('amelia')), 'amelia is in Sales, not Support').toBe(false);
    expect(members.has(mx('grace')), 'nobody from Globex').toBe(false);

    const orgRoom = await eventually('the Acme room', () => roomOf(tenant.acme!, 'org'));
    await eventually('everyone in Acme in its room', async () => {
      const m = await joined(orgRoom);
      return ['ada', 'arjun', 'alice', 'aaron', 'amelia'].every((u) => m.has(mx(u)));
    });
    const space = await eventually('the Acme space', () => roomOf(tenant.acme!, 'space'));
    const create = await bot.state<{ type?: string }>(space, 'm.room.create');
    expect(create?.type).toBe('m.space');
    const child = await bot.state<{ via?: string[] }>(space, 'm.space.child', orgRoom);
    expect(child?.via).toEqual(['afenda.test']);
    await eventually('the Globex room', () => roomOf(tenant.globex!, 'org'));
  });

  it('sets power levels from the role mapping; only the bot may change membership and power', async () => {
    const orgRoom = (await roomOf(tenant.acme!, 'org'))!;
    const pl = (await bot.state<PowerLevels>(orgRoom, 'm.room.power_levels'))!;
    expect(pl.users?.[mx('ada')]).toBe(50); // owner
    expect(pl.users?.[mx('arjun')]).toBe(50); // admin
    expect(pl.users?.[mx('alice')]).toBeUndefined(); // member: 0
    expect(pl.invite).toBe(100);
    expect(pl.kick).toBe(100);
    expect(pl.events?.['m.room.power_levels']).toBe(100);

    // The owner, as herself in Synapse, tries to remove someone and to promote someone: refused.
    const asAda = (method: string, path: string, body: unknown) =>
      bot.call(method, path, body, mx('ada'));
    const room = encodeURIComponent(orgRoom);
    const kick = await asAda('POST', `/rooms/${room}/kick`, { user_id: mx('alice') }).catch(
      (e: unknown) => e,
    );
    expect(kick).toBeInstanceOf(MatrixError);
    expect((kick as MatrixError).status).toBe(403);
    const promote = await asAda('PUT', `/rooms/${room}/state/m.room.power_levels/`, {
      ...pl,
      users: { ...pl.users, [mx('alice')]: 50 },
    }).catch((e: unknown) => e);
    expect((promote as MatrixError).status).toBe(403);
    expect((await joined(orgRoom)).has(mx('alice'))).toBe(true);
  });

  it('sets back what the server admin API slips through, and records it as drift', async () => {
    const orgRoom = (await roomOf(tenant.acme!, 'org'))!;
    const admin = await synapse.register('root', { admin: true });
    await admin.call(
      'POST',
      `/_synapse/admin/v1/rooms/${encodeURIComponent(orgRoom)}/make_room_admin`,
      { user_id: mx('alice') },
    );
    await eventually('alice set back to her level', async () => {
      const pl = await bot.state<PowerLevels>(orgRoom, 'm.room.power_levels');
      return pl && pl.users?.[mx('alice')] === undefined;
    });
    const drift = await eventually('a drift entry on the timeline', async () => {
      const rows = await q<{ title: string; source: string }>(
        "select title, source from activity_timeline where tenant_id = $1 and type = 'chat_room.drift'",
        [tenant.acme],
      );
      return rows.length ? rows : undefined;
    });
    expect(drift[0]!.source).toBe('matrix');
    expect(drift.map((d) => d.title).join(' ')).toMatch(/Keycloak is the source of truth/);
  });

  it('takes someone out of a team room when they leave the team in the directory', async () => {
    const sales = await teamId('acme', 'sales');
    const salesRoom = await eventually('the Sales room with amelia', async () => {
      const id = await roomOf(sales, 'team');
      return id && (await joined(id)).has(mx('amelia')) ? id : undefined;
    });
    await fx.writeUsers((users: KeycloakUser[]) =>
      users.map((u) => (u.username === 'amelia' ? { ...u, groups: ['/acme/support'] } : u)),
    );
    const run = await fx.sync.reconcileAll('manual');
    expect(run.status).toBe('succeeded');
    await eventually(
      'amelia out of Sales',
      async () => !(await joined(salesRoom)).has(mx('amelia')),
    );
    const support = (await roomOf(await teamId('acme', 'support'), 'team'))!;
    await eventually('amelia in Support', async () => (await joined(support)).has(mx('amelia')));
    const left = await eventually('her removal on the Sales timeline', async () => {
      const rows = await q<{ title: string }>(
        "select title from activity_timeline where tenant_id = $1 and type = 'chat_room.membership' and title like '%removed%'",
        [sales],
      );
      return rows.length ? rows : undefined;
    });
    expect(left[0]!.title).toMatch(/Amelia.*was removed from/i);
  });
});

describe('chat on the timeline and the bell', () => {
  it('puts a message on the timeline as inert text, and raises the notification of who it mentions', async () => {
    const support = await teamId('acme', 'support');
    const room = (await roomOf(support, 'team'))!;
    await bot.call(
      'PUT',
      `/rooms/${encodeURIComponent(room)}/send/m.room.message/m1`,
      {
        msgtype: 'm.text',
        body: `Can ${mx('aaron')} take the <b>refund</b> case?`,
        'm.mentions': { user_ids: [mx('aaron')] },
      },
      mx('alice'),
    );
    const entry = await eventually('the message on the Support timeline', async () => {
      const rows = await q<{ title: string; description: string; actor_id: string }>(
        "select title, description, actor_id from activity_timeline where tenant_id = $1 and type = 'chat_room.message'",
        [support],
      );
      return rows[0];
    });
    expect(entry.actor_id).toBe(uid.alice);
    expect(entry.description).toContain('<b>refund</b>'); // stored as text; the Shell renders text
    const notification = await eventually('aaron notified', async () => {
      const rows = await q<{ title: string; kind: string }>(
        'select title, kind from notifications where tenant_id = $1 and user_id = $2',
        [support, uid.aaron],
      );
      return rows.find((r) => r.kind === 'chat.mention');
    });
    expect(notification.title).toMatch(/mentioned you in/);

    const res = await fx.app.inject({
      method: 'GET',
      url: '/api/v1/chat/rooms',
      headers: { authorization: `Bearer ${await fx.token('alice')}`, 'x-tenant-id': support },
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as {
      data: Array<{ roomId: string; lastExcerpt: string }>;
      meta: { matrix: { configured: boolean } };
    };
    expect(body.meta.matrix.configured).toBe(true);
    expect(body.data.map((r) => r.roomId)).toEqual([room]);
    expect(body.data[0]!.lastExcerpt).toContain('refund');
  });

  it('ignores rooms the product did not create, and says why', async () => {
    const stray = await bot.call<{ room_id: string }>('POST', '/createRoom', {
      name: 'not managed',
    });
    await bot.send(stray.room_id, 'stray-1', { msgtype: 'm.text', body: 'hello' });
    const row = await eventually('the stray transaction stored', async () => {
      const rows = await q<{ status: string; reason: string }>(
        "select status, reason from webhook_deliveries where source = 'matrix' and body like $1",
        [`%${stray.room_id}%`],
      );
      return rows.find((r) => r.status === 'ignored');
    });
    expect(row.reason).toMatch(/room the product created/);
  });
});

describe('deciding from chat', () => {
  async function request(by: string, title: string) {
    const headers = { authorization: `Bearer ${await fx.token(by)}`, 'x-tenant-id': tenant.acme! };
    const created = await fx.app.inject({
      method: 'POST',
      url: '/api/v1/approvals/requests',
      headers,
      payload: { type: 'generic', title, description: 'from the chat suite' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = (created.json() as { data: { id: string } }).data.id;
    const submitted = await fx.app.inject({
      method: 'POST',
      url: `/api/v1/approvals/${id}/submit`,
      headers,
      payload: {},
    });
    expect(submitted.statusCode, submitted.body).toBe(200);
    return id;
  }

  const noticeOf = (approvalId: string, username: string) =>
    eventually(`the notice to ${username}`, async () => {
      const rows = await q<{ room_id: string; event_id: string }>(
        'select room_id, event_id from chat_notices where approval_id = $1 and user_id = $2',
        [approvalId, uid[username]],
      );
      return rows[0];
    });

  const botSaid = async (roomId: string, pattern: RegExp) =>
    eventually(`the bot saying ${pattern} in ${roomId}`, async () => {
      const r = await bot.call<{ chunk: Array<{ sender: string; content: { body?: string } }> }>(
        'GET',
        `/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=20`,
      );
      return r.chunk.find((e) => e.sender === bot.botUserId && pattern.test(e.content.body ?? ''));
    });

  it('announces a request to its deciders; `approve` decides it once, with source matrix', async () => {
    const id = await request('alice', 'Refund order 1042');
    const notice = await noticeOf(id, 'ada');
    // The reply is Ada's, sent as her.
    await bot.call(
      'PUT',
      `/rooms/${encodeURIComponent(notice.room_id)}/send/m.room.message/ada-1`,
      { msgtype: 'm.text', body: 'approve' },
      mx('ada'),
    );
    await eventually('the approval approved', async () => {
      const [row] = await q<{ status: string; decided_by: string }>(
        'select status, decided_by from approvals where id = $1',
        [id],
      );
      return row?.status === 'approved' && row.decided_by === uid.ada;
    });
    const ledger = await q<{ event_type: string; data: { source?: string } }>(
      "select event_type, data from approval_events where approval_id = $1 and event_type = 'approved'",
      [id],
    );
    expect(ledger).toHaveLength(1);
    expect(ledger[0]!.data.source).toBe('matrix');
    await botSaid(notice.room_id, /Approved by Ada/);
    // The requester's team room gets the outcome in the request's thread.
    const support = (await roomOf(await teamId('acme', 'support'), 'team')) ?? '';
    const home = (
      await q<{ room_id: string }>(
        'select room_id from chat_notices where approval_id = $1 and user_id is null',
        [id],
      )
    )[0];
    expect([support, await roomOf(tenant.acme!, 'org')]).toContain(home?.room_id);
    await botSaid(home!.room_id, /Approved by Ada/);
    // The requester's bell counts the decision.
    await eventually(
      'alice notified of the decision',
      async () =>
        (
          await q(
            'select 1 from notifications where user_id = $1 and subject_id = $2 and kind = $3',
            [uid.alice, id, 'approval.decided'],
          )
        ).length > 0,
    );
  });

  it('rejects with a reason after ❌, and tells a late second decider it was already decided', async () => {
    const id = await request('aaron', 'Discount for Globex');
    const ada = await noticeOf(id, 'ada');
    await bot.call(
      'PUT',
      `/rooms/${encodeURIComponent(ada.room_id)}/send/m.reaction/r1`,
      {
        'm.relates_to': { rel_type: 'm.annotation', event_id: ada.event_id, key: '❌' },
      },
      mx('ada'),
    );
    await botSaid(ada.room_id, /reason/);
    await bot.call(
      'PUT',
      `/rooms/${encodeURIComponent(ada.room_id)}/send/m.room.message/ada-2`,
      { msgtype: 'm.text', body: 'Margins are too thin this quarter' },
      mx('ada'),
    );
    await eventually('rejected with the reason', async () => {
      const [row] = await q<{ status: string; decision_comment: string }>(
        'select status, decision_comment from approvals where id = $1',
        [id],
      );
      return (
        row?.status === 'rejected' && row.decision_comment === 'Margins are too thin this quarter'
      );
    });
    // A reply after the decision changes nothing and says so (here: no open notice is left).
    await bot.call(
      'PUT',
      `/rooms/${encodeURIComponent(ada.room_id)}/send/m.room.message/ada-3`,
      { msgtype: 'm.text', body: 'approve' },
      mx('ada'),
    );
    await botSaid(ada.room_id, /nothing waiting|Already decided/);
    const [row] = await q<{ status: string }>('select status from approvals where id = $1', [id]);
    expect(row!.status).toBe('rejected');
  });
  it('tells someone who may no longer decide that their reply changed nothing', async () => {
    const id = await request('alice', 'Exception for order 77');
    const notice = await noticeOf(id, 'ada');
    await fx.writeUsers((users: KeycloakUser[]) =>
      users.map((u) =>
        u.username === 'ada'
          ? { ...u, groups: ['/acme/support'] }
          : u.username === 'amelia'
            ? { ...u, groups: ['/acme/support'] }
            : u,
      ),
    );
    expect((await fx.sync.reconcileAll('manual')).status).toBe('succeeded');
    await bot.call(
      'PUT',
      `/rooms/${encodeURIComponent(notice.room_id)}/send/m.room.message/ada-4`,
      { msgtype: 'm.text', body: 'approve' },
      mx('ada'),
    );
    await botSaid(
      notice.room_id,
      /Not recorded: Only the organisation's owners or approvers decide/,
    );
    const [row] = await q<{ status: string }>('select status from approvals where id = $1', [id]);
    expect(row!.status).toBe('submitted');
    await fx.writeUsers((users: KeycloakUser[]) =>
      users.map((u) => (u.username === 'amelia' ? { ...u, groups: ['/acme/support'] } : u)),
    );
    expect((await fx.sync.reconcileAll('manual')).status).toBe('succeeded');
  });
});

describe('access: Keycloak → Matrix through the engine', () => {
  const ada = async () => ({
    authorization: `Bearer ${await fx.token('ada')}`,
    'x-tenant-id': tenant.acme!,
  });

  it('shows each person × tool, the last run, and the drift that was set back', async () => {
    const res = await fx.app.inject({ method: 'GET', url: '/api/v1/access', headers: await ada() });
    expect(res.statusCode, res.body).toBe(200);
    const { data } = res.json() as {
      data: {
        tools: Array<{
          id: string;
          guard: string;
          configured: boolean;
          lastRun: { status: string } | null;
        }>;
        people: Array<{
          username: string;
          tools: Record<string, { status: string; subjects: number }>;
        }>;
        drift: Array<{ subject: string; driftWas: string; status: string }>;
      };
    };
    const matrix = data.tools.find((t) => t.id === 'matrix')!;
    expect(matrix).toMatchObject({ guard: 'prevented', configured: true });
    expect(matrix.lastRun?.status).toBe('succeeded');
    const aaron = data.people.find((p) => p.username === 'aaron')!;
    expect(aaron.tools.matrix?.subjects).toBeGreaterThanOrEqual(3); // space, org room, Support
    expect(['in_sync', 'repaired']).toContain(aaron.tools.matrix?.status);
    // The server admin's promotion of alice, set back earlier in this file.
    const drift = data.drift.find((d) =>
      d.subject.startsWith(`${mx('alice')} in Acme Corp — everyone`),
    );
    expect(drift).toMatchObject({ driftWas: 'member (power 100)', status: 'repaired' });

    const member = await fx.app.inject({
      method: 'GET',
      url: '/api/v1/access',
      headers: { authorization: `Bearer ${await fx.token('alice')}`, 'x-tenant-id': tenant.acme! },
    });
    expect(member.statusCode).toBe(403);
  });

  it('plans without changing anything on a dry run, then applies', async () => {
    const engine = fx.orchestrator.platform.access;
    // The directory says alice is an admin now (as the sync would write it).
    await fx.tdb.admin.query(
      "update user_tenants set role = 'admin' where user_id = $1 and tenant_id = $2",
      [uid.alice, tenant.acme],
    );
    const orgRoom = (await roomOf(tenant.acme!, 'org'))!;
    const plan = await engine.run('matrix', tenant.acme!, { trigger: 'manual', dryRun: true });
    const change = plan.changes.find((c) => c.subject === `${mx('alice')} in Acme Corp — everyone`);
    expect(change).toMatchObject({
      before: 'member (power 0)',
      after: 'member (power 50)',
      why: 'directory',
    });
    expect(
      (await bot.state<PowerLevels>(orgRoom, 'm.room.power_levels'))?.users?.[mx('alice')],
    ).toBeUndefined();
    const applied = await fx.tdb.database.transaction(
      { service: 'jobs', tenantId: tenant.acme! },
      (tx) => engine.run('matrix', tenant.acme!, { trigger: 'manual', dryRun: false, lock: tx }),
    );
    expect(applied.failed).toBe(0);
    expect(
      (await bot.state<PowerLevels>(orgRoom, 'm.room.power_levels'))?.users?.[mx('alice')],
    ).toBe(50);
    const entries = await q<{ title: string }>(
      "select title from activity_timeline where tenant_id = $1 and type = 'access.synced' and title like $2",
      [tenant.acme, `%${mx('alice')} in Acme Corp — everyone%`],
    );
    expect(entries.map((e) => e.title).join('\n')).toMatch(
      /member \(power 0\) → member \(power 50\)/,
    );
    await fx.tdb.admin.query(
      "update user_tenants set role = 'member' where user_id = $1 and tenant_id = $2",
      [uid.alice, tenant.acme],
    );
    await fx.tdb.database.transaction({ service: 'jobs', tenantId: tenant.acme! }, (tx) =>
      engine.run('matrix', tenant.acme!, { trigger: 'manual', dryRun: false, lock: tx }),
    );
  });
});

describe('offboarding', () => {
  it('takes a user disabled in Keycloak out of every room, deactivates them, and ends their sessions, after the nudge', async () => {
    const support = (await roomOf(await teamId('acme', 'support'), 'team'))!;
    const orgRoom = (await roomOf(tenant.acme!, 'org'))!;
    await eventually('aaron in his rooms', async () => (await joined(support)).has(mx('aaron')));
    const aaron = fx.users.find((u) => u.username === 'aaron')!;
    await fx.tdb.admin.query(
      "insert into shell_sessions (id_hash, subject, data, expires_at) values ('offboard-test', $1, '{}', now() + interval '1 hour')",
      [aaron.id],
    );
    await fx.writeUsers((users: KeycloakUser[]) =>
      users.map((u) => (u.username === 'aaron' ? { ...u, enabled: false } : u)),
    );
    const nudged = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/webhooks/keycloak`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer keycloak-nudge-secret-0123456789',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ userId: aaron.id }),
    });
    expect(res.status).toBe(200);
    // Sessions end in the sync's own transaction; the token is refused at once.
    expect(await q('select 1 from shell_sessions where subject = $1', [aaron.id])).toEqual([]);
    const api = await fx.app.inject({
      method: 'GET',
      url: '/api/v1/chat/rooms',
      headers: { authorization: `Bearer ${await fx.token('aaron')}`, 'x-tenant-id': tenant.acme! },
    });
    expect(api.statusCode).toBe(401);
    await eventually('aaron out of every Acme room', async () => {
      const [a, b] = [await joined(support), await joined(orgRoom)];
      return !a.has(mx('aaron')) && !b.has(mx('aaron'));
    });
    const deactivated = await eventually('his Matrix account deactivated', async () => {
      const rows = await q<{ status: string; actual: string }>(
        "select status, actual from access_state where tool = 'matrix' and subject = $1",
        [`${mx('aaron')} account`],
      );
      return rows[0]?.actual === 'deactivated' ? rows[0] : undefined;
    });
    expect(deactivated.status).toBe('in_sync');
    const seconds = (performance.now() - nudged) / 1000;
    // Measured, not asserted (bench/ holds goals): the issue's goal is ≤ 10 s.
    console.warn(
      `offboarding: nudge → out of every Matrix room and deactivated in ${seconds.toFixed(2)} s`,
    );
    const report = await fx.app.inject({
      method: 'GET',
      url: `/api/v1/access/users/${uid.aaron}`,
      headers: { authorization: `Bearer ${await fx.token('ada')}`, 'x-tenant-id': tenant.acme! },
    });
    expect(report.statusCode, report.body).toBe(200);
    const subjects = (
      report.json() as {
        data: {
          subjects: Array<{ subject: string; desired: string | null; actual: string | null }>;
        };
      }
    ).data.subjects;
    expect(subjects.find((x) => x.subject === `${mx('aaron')} account`)?.actual).toBe(
      'deactivated',
    );
    expect(subjects.filter((x) => x.subject.includes(' in ')).every((x) => x.actual === null)).toBe(
      true,
    );
  });
});

describe('the receiver', () => {
  const put = (txnId: string, token: string | null, body: unknown) =>
    fetch(`http://127.0.0.1:${port}/api/v1/webhooks/matrix/_matrix/app/v1/transactions/${txnId}`, {
      method: 'PUT',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });

  it('refuses a wrong or missing hs_token and stores nothing; a repeated txnId is done once', async () => {
    expect((await put('x-1', 'wrong-token-wrong-token', { events: [] })).status).toBe(401);
    expect((await put('x-2', null, { events: [] })).status).toBe(401);
    const refused = await q(
      "select 1 from webhook_deliveries where source = 'matrix' and delivery_id in ('x-1', 'x-2')",
    );
    expect(refused).toEqual([]);
    const malformed = await put('x-3', HS_TOKEN, { events: 'nope' });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe(
      'WEBHOOK_PAYLOAD_INVALID',
    );
    for (let i = 0; i < 2; i++)
      expect((await put('x-4', HS_TOKEN, { events: [] })).status).toBe(200);
    const rows = await q(
      "select 1 from webhook_deliveries where source = 'matrix' and delivery_id = 'x-4'",
    );
    expect(rows).toHaveLength(1);
  });
});

describe("the App registry's Test connection", () => {
  it('finds Synapse answering the appservice token as the bot', async () => {
    const res = await fx.app.inject({
      method: 'POST',
      url: '/api/v1/modules/chat/settings/test',
      headers: { authorization: `Bearer ${await fx.token('ada')}`, 'x-tenant-id': tenant.acme! },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({
      ok: true,
      summary: `Synapse knows the appservice: it answers the token as @${BOT}:afenda.test.`,
      target: `${synapse.url}/_matrix/client/v3/account/whoami`,
    });
  });
});
