import type { TestDatabase } from '@afenda/test-utils';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIdentityFixture, type IdentityFixture } from '../testing/fixture.ts';

let fx: IdentityFixture;
let tdb: TestDatabase;
let app: FastifyInstance;
const tenant: Record<string, string> = {};
const tokens: Record<string, string> = {};

beforeAll(async () => {
  fx = await startIdentityFixture({
    poolMax: 12,
    env: { RATE_LIMIT_WRITES: '100000', RATE_LIMIT_READS: '100000' },
    // arjun (Acme's admin) also approves, so that decisions can conflict between approvers.
    users: (users) =>
      users.map((u) =>
        u.username === 'arjun' ? { ...u, groups: [...(u.groups ?? []), '/acme/approvers'] } : u,
      ),
  });
  ({ tdb, app } = fx);
  for (const u of fx.users.filter((u) => u.id)) tokens[u.username] = await fx.token(u.username);
  const { rows } = await tdb.admin.query<{ slug: string; id: string }>(
    "select slug, id from tenants where kind = 'organization'",
  );
  for (const r of rows) tenant[r.slug] = r.id;
});

afterAll(async () => {
  await fx?.close();
});

function as(username: string, org = username.startsWith('g') ? 'globex' : 'acme') {
  const headers = (extra: Record<string, string> = {}) => ({
    authorization: `Bearer ${tokens[username]}`,
    'x-tenant-id': tenant[org]!,
    ...extra,
  });
  const send = (
    method: InjectOptions['method'],
    url: string,
    payload?: object,
    extra?: Record<string, string>,
  ) => app.inject({ method, url, headers: headers(extra), ...(payload ? { payload } : {}) });
  return {
    get: (url: string) => send('GET', url),
    post: (url: string, payload: object = {}, extra?: Record<string, string>) =>
      send('POST', url, payload, extra),
  };
}

const ceoRequest = (title = 'Refund 1,200 EUR to a customer', extra: object = {}) => ({
  type: 'ceo_approval',
  title,
  description: 'Customer asked for a goodwill refund.',
  source: 'crm',
  sourceRef: 'conversation-42',
  metadata: { conversationId: 42, amount: 1200, currency: 'EUR' },
  ...extra,
});

describe('the approval state machine', () => {
  it('draft → submitted → approved, each step on the timeline and in the ledger', async () => {
    const created = await as('alice').post('/api/v1/approvals/requests', ceoRequest());
    expect(created.statusCode, created.body).toBe(201);
    const approval = created.json().data;
    expect(approval).toMatchObject({
      status: 'draft',
      type: 'ceo_approval',
      source: 'crm',
      decidedBy: null,
    });
    // A draft is its requester's: nobody else sees it yet.
    expect((await as('ada').get(`/api/v1/approvals/${approval.id}`)).statusCode).toBe(404);

    const submitted = await as('alice').post(`/api/v1/approvals/${approval.id}/submit`);
    expect(submitted.json().data).toMatchObject({ status: 'submitted' });
    const approved = await as('ada').post(`/api/v1/approvals/${approval.id}/approve`, {
      comment: 'Fine.',
    });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json().data).toMatchObject({
      status: 'approved',
      decision: 'approved',
      decisionComment: 'Fine.',
    });

    const activity = (await as('ada').get(`/api/v1/activity?type=approval.approved`)).json().data;
    expect(activity[0]).toMatchObject({
      subjectId: approval.id,
      type: 'approval.approved',
      title: 'CEO approval approved: Refund 1,200 EUR to a customer',
    });
    const { rows } = await tdb.admin.query(
      'select event_type, from_status, to_status from approval_events where approval_id = $1 order by seq',
      [approval.id],
    );
    expect(rows).toEqual([
      { event_type: 'created', from_status: null, to_status: 'draft' },
      { event_type: 'submitted', from_status: 'draft', to_status: 'submitted' },
      { event_type: 'approved', from_status: 'submitted', to_status: 'approved' },
    ]);
  });

  it('submits at once with submit: true, and rejects with a reason', async () => {
    const created = (
      await as('alice').post(
        '/api/v1/approvals/requests',
        ceoRequest('Waive a fee', { submit: true }),
      )
    ).json().data;
    expect(created.status).toBe('submitted');
    const noReason = await as('ada').post(`/api/v1/approvals/${created.id}/reject`, {});
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.code).toBe('APPROVAL_REASON_REQUIRED');
    const rejected = await as('ada').post(`/api/v1/approvals/${created.id}/reject`, {
      reason: 'Not this quarter.',
    });
    expect(rejected.json().data).toMatchObject({
      status: 'rejected',
      decisionComment: 'Not this quarter.',
    });
  });

  it('refuses every illegal transition with its own code and the current state', async () => {
    const a = (
      await as('alice').post('/api/v1/approvals/requests', ceoRequest('Illegal moves'))
    ).json().data;
    const approveDraft = await as('alice').post(`/api/v1/approvals/${a.id}/approve`);
    expect(approveDraft.json().error.code).toBe('APPROVAL_SELF_DECISION');
    await as('alice').post(`/api/v1/approvals/${a.id}/submit`);
    const again = await as('alice').post(`/api/v1/approvals/${a.id}/submit`);
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatchObject({
      code: 'APPROVAL_NOT_DRAFT',
      details: { status: 'submitted' },
    });
    await as('ada').post(`/api/v1/approvals/${a.id}/approve`);
    for (const [action, body] of [
      ['approve', {}],
      ['reject', { reason: 'too late' }],
    ] as const) {
      const res = await as('ada').post(`/api/v1/approvals/${a.id}/${action}`, body);
      expect(res.statusCode).toBe(409);
      expect(res.json().error).toMatchObject({
        code: 'APPROVAL_ALREADY_DECIDED',
        details: { status: 'approved' },
      });
    }
    const resubmit = await as('alice').post(`/api/v1/approvals/${a.id}/submit`);
    expect(resubmit.json().error).toMatchObject({ code: 'APPROVAL_ALREADY_DECIDED' });
  });

  it('refuses unknown types, bad metadata, self-decisions, non-approvers and viewers', async () => {
    const unknown = await as('alice').post('/api/v1/approvals/requests', {
      ...ceoRequest(),
      type: 'launch_rocket',
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.code).toBe('APPROVAL_TYPE_UNKNOWN');
    const badMeta = await as('alice').post('/api/v1/approvals/requests', {
      ...ceoRequest(),
      metadata: { currency: 'EURO' },
    });
    expect(badMeta.statusCode).toBe(400);
    expect(badMeta.json().error).toMatchObject({ code: 'APPROVAL_METADATA_INVALID' });
    expect(badMeta.json().error.details.fields[0].field).toBe('metadata.currency');

    const own = (
      await as('ada').post('/api/v1/approvals/requests', ceoRequest('My own', { submit: true }))
    ).json().data;
    expect((await as('ada').post(`/api/v1/approvals/${own.id}/approve`)).json().error.code).toBe(
      'APPROVAL_SELF_DECISION',
    );
    const member = await as('aaron').post(`/api/v1/approvals/${own.id}/approve`);
    expect(member.statusCode).toBe(403);
    expect(member.json().error.code).toBe('APPROVAL_DECIDER_REQUIRED');
  });

  it('needs a tenant the caller belongs to', async () => {
    const noTenant = await app.inject({
      method: 'GET',
      url: '/api/v1/approvals',
      headers: { authorization: `Bearer ${tokens.alice}` },
    });
    expect(noTenant.statusCode).toBe(400);
    expect(noTenant.json().error.code).toBe('TENANT_REQUIRED');
    const foreign = await as('alice', 'globex').get('/api/v1/approvals');
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.code).toBe('TENANT_NOT_FOUND');
  });
});

describe('concurrent decisions', () => {
  it('50 conflicting decisions from two approvers: exactly one transition, 49 precise 409s', async () => {
    const a = (
      await as('alice').post('/api/v1/approvals/requests', ceoRequest('Race', { submit: true }))
    ).json().data;
    const calls = Array.from({ length: 50 }, (_, i) => {
      const who = i % 2 ? 'ada' : 'arjun';
      return i % 3
        ? as(who).post(`/api/v1/approvals/${a.id}/approve`)
        : as(who).post(`/api/v1/approvals/${a.id}/reject`, { reason: 'no' });
    });
    const results = await Promise.all(calls);
    const ok = results.filter((r) => r.statusCode === 200);
    const conflicts = results.filter((r) => r.statusCode === 409);
    expect(ok).toHaveLength(1);
    expect(conflicts).toHaveLength(49);
    const final = ok[0]!.json().data.status;
    for (const c of conflicts)
      expect(c.json().error).toMatchObject({
        code: 'APPROVAL_ALREADY_DECIDED',
        details: { status: final },
      });
    const { rows } = await tdb.admin.query(
      "select count(*)::int as n from approval_events where approval_id = $1 and event_type in ('approved','rejected')",
      [a.id],
    );
    expect(rows[0].n).toBe(1);
  });
});

describe('the ledger', () => {
  it('is append-only for the application role', async () => {
    const app_ = new pg.Client({ connectionString: tdb.appUrl });
    await app_.connect();
    try {
      await app_.query('begin');
      await app_.query("select set_config('app.tenant_id', $1, true)", [tenant.acme]);
      await expect(app_.query("update approval_events set data = '{}'")).rejects.toThrow(
        /permission denied/,
      );
      await app_.query('rollback');
      await app_.query('begin');
      await app_.query("select set_config('app.tenant_id', $1, true)", [tenant.acme]);
      await expect(app_.query('delete from approval_events')).rejects.toThrow(/permission denied/);
      await app_.query('rollback');
    } finally {
      await app_.end();
    }
  });

  it('verifies, and names the first link a superuser edited behind our back', async () => {
    const intact = await as('arjun').get('/api/v1/approvals/ledger/verify');
    expect(intact.statusCode, intact.body).toBe(200);
    expect(intact.json().data).toMatchObject({ valid: true, firstBroken: null });
    expect(intact.json().data.checked).toBeGreaterThan(5);
    expect((await as('alice').get('/api/v1/approvals/ledger/verify')).statusCode).toBe(403);

    const { rows } = await tdb.admin.query<{ id: string }>(
      'select id from approval_events where tenant_id = $1 and seq = 3',
      [tenant.acme],
    );
    const client = await tdb.admin.connect();
    try {
      // Bypass the append-only trigger as only a superuser can.
      await client.query("set session_replication_role = 'replica'");
      await client.query(
        `update approval_events set data = '{"comment":"forged"}' where tenant_id = $1 and seq = 3`,
        [tenant.acme],
      );
      await client.query("set session_replication_role = 'origin'");
    } finally {
      client.release();
    }
    const broken = (await as('arjun').get('/api/v1/approvals/ledger/verify')).json().data;
    expect(broken).toMatchObject({
      valid: false,
      firstBroken: { seq: 3, eventId: rows[0]!.id, reason: 'content does not match its hash' },
    });
    // The command-line check says the same, and exits 2.
    const cli = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'apps/orchestrator/src/cli/ledger.ts', 'acme'],
      {
        cwd: fileURLToPath(new URL('../../../../', import.meta.url)),
        env: { ...process.env, DATABASE_URL: tdb.appUrl },
        encoding: 'utf8',
      },
    );
    expect(cli.status, cli.stderr).toBe(2);
    expect(JSON.parse(cli.stdout)).toMatchObject({
      tenant: 'acme',
      valid: false,
      firstBroken: { seq: 3 },
    });
    // Globex's chain is its own, and intact.
    expect((await as('gavin').get('/api/v1/approvals/ledger/verify')).json().data.valid).toBe(true);
  });
});

describe('idempotency keys', () => {
  it('replay the first response for the same key and body, and create once', async () => {
    const key = randomUUID();
    const first = await as('alice').post('/api/v1/approvals/requests', ceoRequest('Idempotent'), {
      'idempotency-key': key,
    });
    const second = await as('alice').post('/api/v1/approvals/requests', ceoRequest('Idempotent'), {
      'idempotency-key': key,
    });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json().data.id).toBe(first.json().data.id);
    const { rows } = await tdb.admin.query(
      "select count(*)::int as n from approvals where title = 'Idempotent'",
    );
    expect(rows[0].n).toBe(1);
  });

  it('refuse the same key with another body (422) and a concurrent duplicate (409, nothing stored)', async () => {
    const key = randomUUID();
    await as('alice').post('/api/v1/approvals/requests', ceoRequest('Key A'), {
      'idempotency-key': key,
    });
    const other = await as('alice').post('/api/v1/approvals/requests', ceoRequest('Key B'), {
      'idempotency-key': key,
    });
    expect(other.statusCode).toBe(422);
    expect(other.json().error.code).toBe('IDEMPOTENCY_KEY_REUSED');

    const race = randomUUID();
    const [a, b] = await Promise.all([
      as('alice').post('/api/v1/approvals/requests', ceoRequest('Race key'), {
        'idempotency-key': race,
      }),
      as('alice').post('/api/v1/approvals/requests', ceoRequest('Race key'), {
        'idempotency-key': race,
      }),
    ]);
    const statuses = [a.statusCode, b.statusCode].sort();
    expect(statuses[0]).toBe(201);
    if (statuses[1] !== 201) {
      expect(statuses[1]).toBe(409);
      expect([a, b].find((r) => r.statusCode === 409)!.json().error.code).toBe(
        'IDEMPOTENCY_KEY_IN_USE',
      );
    }
    const { rows } = await tdb.admin.query(
      "select count(*)::int as n from approvals where title = 'Race key'",
    );
    expect(rows[0].n).toBe(1);
  });

  it('are kept for at least 24 hours', async () => {
    const { rows } = await tdb.admin.query(
      "select min(expires_at - created_at) >= interval '24 hours' as ok from idempotency_keys",
    );
    expect(rows[0].ok).toBe(true);
  });
});

describe('lists and the timeline', () => {
  it('filters and pages approvals with a keyset cursor', async () => {
    for (let i = 0; i < 5; i++)
      await as('amelia').post(
        '/api/v1/approvals/requests',
        ceoRequest(`Paged ${i}`, { submit: true, source: 'shell' }),
      );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/approvals?requested_by=me&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const res: { data: { title: string }[]; meta: { nextCursor: string | null } } = (
        await as('amelia').get(url)
      ).json();
      seen.push(...res.data.map((a: { title: string }) => a.title));
      cursor = res.meta.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['Paged 4', 'Paged 3', 'Paged 2', 'Paged 1', 'Paged 0']);
    const awaiting = (await as('ada').get('/api/v1/approvals?awaiting=me&limit=100')).json().data;
    expect(awaiting.length).toBeGreaterThanOrEqual(5);
    expect(
      awaiting.every((a: { status: string; requestedBy: string }) => a.status === 'submitted'),
    ).toBe(true);
    expect((await as('aaron').get('/api/v1/approvals?awaiting=me')).json().data).toEqual([]);
    expect((await as('ada').get('/api/v1/approvals?cursor=garbage')).json().error.code).toBe(
      'CURSOR_INVALID',
    );
  });

  it("names the requester and the decider in lists; decided_by=me is the caller's decisions", async () => {
    const made = (
      await as('amelia').post(
        '/api/v1/approvals/requests',
        ceoRequest('Named one', { submit: true, source: 'shell' }),
      )
    ).json().data;
    const [amelia, ada] = (
      await tdb.admin.query(
        "select display_name from users where username in ('amelia', 'ada') order by username desc",
      )
    ).rows.map((r: { display_name: string }) => r.display_name);
    const waiting = (await as('ada').get('/api/v1/approvals?awaiting=me&limit=100')).json().data;
    expect(waiting.find((a: { id: string }) => a.id === made.id)).toMatchObject({
      requestedByName: amelia,
      decidedByName: null,
    });
    expect((await as('ada').post(`/api/v1/approvals/${made.id}/approve`, {})).statusCode).toBe(200);
    const mine = (await as('ada').get('/api/v1/approvals?decided_by=me&limit=100')).json().data;
    expect(mine.find((a: { id: string }) => a.id === made.id)).toMatchObject({
      status: 'approved',
      requestedByName: amelia,
      decidedByName: ada,
    });
    expect(mine.every((a: { decidedBy: string }) => a.decidedBy === mine[0].decidedBy)).toBe(true);
    expect((await as('amelia').get('/api/v1/approvals?decided_by=me')).json().data).toEqual([]);
    expect((await as('ada').get('/api/v1/approvals?decided_by=you')).statusCode).toBe(400);
  });

  it('pages without losing rows that share a millisecond (cursors keep microseconds)', async () => {
    for (const at of [
      '2026-01-01T00:00:00.123900Z',
      '2026-01-01T00:00:00.123400Z',
      '2026-01-01T00:00:00.100000Z',
    ]) {
      await tdb.admin.query(
        `insert into activity_timeline (tenant_id, occurred_at, source, verb, type, subject_type, subject_id, title)
         values ($1, $2::timestamptz, 'test', 'ticked', 'clock.ticked', 'clock', $3, $3)`,
        [tenant.acme, at, at],
      );
    }
    const titles: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/activity?type=clock.ticked&limit=1${cursor ? `&cursor=${cursor}` : ''}`;
      const res: { data: { title: string }[]; meta: { nextCursor: string | null } } = (
        await as('ada').get(url)
      ).json();
      titles.push(...res.data.map((e) => e.title));
      cursor = res.meta.nextCursor;
    } while (cursor);
    expect(titles).toEqual([
      '2026-01-01T00:00:00.123900Z',
      '2026-01-01T00:00:00.123400Z',
      '2026-01-01T00:00:00.100000Z',
    ]);
    const exported = (
      await as('ada').get('/api/v1/activity/export?format=ndjson&type=clock.ticked')
    ).body
      .trim()
      .split('\n');
    expect(exported).toHaveLength(3);
  });

  it('keeps Globex out of every Acme approval and activity entry', async () => {
    const acmeApprovals = (await as('ada').get('/api/v1/approvals?limit=100')).json().data as {
      id: string;
    }[];
    const acmeActivity = (await as('ada').get('/api/v1/activity?limit=200')).json().data as {
      id: string;
    }[];
    expect(acmeApprovals.length).toBeGreaterThan(0);
    for (const a of acmeApprovals) {
      expect((await as('gloria').get(`/api/v1/approvals/${a.id}`)).statusCode).toBe(404);
      expect((await as('gloria').post(`/api/v1/approvals/${a.id}/approve`)).statusCode).toBe(404);
    }
    for (const e of acmeActivity.slice(0, 10))
      expect((await as('gloria').get(`/api/v1/activity/${e.id}`)).statusCode).toBe(404);
    const theirs = [
      ...((await as('gloria').get('/api/v1/approvals?limit=100')).json().data as { id: string }[]),
      ...((await as('gloria').get('/api/v1/activity?limit=200')).json().data as { id: string }[]),
    ].map((x) => x.id);
    for (const x of [...acmeApprovals, ...acmeActivity]) expect(theirs).not.toContain(x.id);
  });

  it('exports the audit trail as CSV and NDJSON for admins only', async () => {
    const ndjson = await as('arjun').get('/api/v1/activity/export?format=ndjson');
    expect(ndjson.statusCode).toBe(200);
    expect(ndjson.headers['content-type']).toContain('application/x-ndjson');
    const lines = ndjson.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.length).toBe(
      (await as('ada').get('/api/v1/activity?limit=200')).json().data.length,
    );
    const csv = await as('ada').get('/api/v1/activity/export?format=csv&type=approval.approved');
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\n')[0]).toBe(
      'occurredAt,type,source,actorId,subjectType,subjectId,title,description,id,data',
    );
    expect((await as('alice').get('/api/v1/activity/export')).statusCode).toBe(403);
  });
});
