import {
  createTestDatabase,
  startTestIssuer,
  type TestDatabase,
  type TestIssuer,
} from '@afenda/test-utils';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RealmFileSource } from '../domain/identity/directory-source.ts';
import { DirectorySync } from '../domain/identity/sync.ts';
import { createLogger } from '../logger.ts';
import { REALM_FILE } from './app.ts';
import { startServer, type ServerProcess } from './process.ts';
import { connectSse, type SseClient, type SseEvent } from './sse.ts';

/**
 * The issue's scenario on three real orchestrator processes over one database: the CEO on
 * process 1, an escalation made through process 3, the decision, process 1 killed, the CEO
 * resuming on process 2 by Last-Event-ID. `fanout` checks that the transport under test is the
 * one carrying the signals. The polling backstop is set to a minute, so delivery within the
 * test's waits can only come from the fan-out.
 */
export function threeProcessScenario(options: {
  env: Record<string, string>;
  fanout: (tdb: TestDatabase, expected: number) => Promise<void>;
}): void {
  let tdb: TestDatabase;
  let issuer: TestIssuer;
  const servers: ServerProcess[] = [];
  const clients: SseClient[] = [];
  const tenant: Record<string, string> = {};
  const keycloakId: Record<string, string> = {};
  const userId: Record<string, string> = {};

  beforeAll(async () => {
    tdb = await createTestDatabase();
    const sync = new DirectorySync({
      database: tdb.database,
      source: new RealmFileSource(REALM_FILE),
      logger: createLogger('silent'),
    });
    expect((await sync.reconcileAll('startup')).status).toBe('succeeded');
    issuer = await startTestIssuer();
    for (const r of (
      await tdb.admin.query<{ slug: string; id: string }>(
        "select slug, id from tenants where kind = 'organization'",
      )
    ).rows)
      tenant[r.slug] = r.id;
    for (const r of (
      await tdb.admin.query<{ username: string; id: string; keycloak_id: string }>(
        'select username, id, keycloak_id from users',
      )
    ).rows) {
      userId[r.username] = r.id;
      keycloakId[r.username] = r.keycloak_id;
    }
    const env = {
      DATABASE_URL: tdb.appUrl,
      KEYCLOAK_ISSUER: issuer.issuer,
      SEED_DEMO_DATA: 'false',
      KEYCLOAK_SYNC_SCHEDULE: 'off',
      SETTINGS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      STREAM_POLL_INTERVAL_MS: '60000',
      RATE_LIMIT_WRITES: '100000',
      RATE_LIMIT_READS: '100000',
      REDIS_URL: '',
      ...options.env,
    };
    servers.push(...(await Promise.all([1, 2, 3].map(() => startServer(env)))));
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    for (const s of servers) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    await Promise.all(servers.map((s) => s.exited));
    await issuer?.close();
    await tdb?.drop();
  });

  const headers = async (username: string) => ({
    authorization: `Bearer ${await issuer.token({ sub: keycloakId[username], preferred_username: username })}`,
    'x-tenant-id': tenant[username.startsWith('g') ? 'globex' : 'acme']!,
  });
  const stream = async (server: ServerProcess, username: string, extra = {}) => {
    const client = await connectSse(`${server.url}/api/v1/stream`, {
      ...(await headers(username)),
      ...extra,
    });
    expect(client.status).toBe(200);
    clients.push(client);
    return client;
  };
  const post = async (server: ServerProcess, username: string, path: string, body: object) => {
    const res = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { ...(await headers(username)), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as { data: { id: string } };
    expect(res.status, JSON.stringify(json)).toBeLessThan(300);
    return json.data;
  };
  const escalate = (server: ServerProcess, title: string) =>
    post(server, 'alice', '/api/v1/approvals/requests', {
      type: 'ceo_approval',
      title,
      source: 'crm',
      metadata: { conversationId: 7, agentUserId: userId.alice },
      submit: true,
    });
  const about = (id: string, kind: string) => (e: SseEvent) =>
    e.event === 'notification' &&
    (e.data as { subjectId: string }).subjectId === id &&
    (e.data as { kind: string }).kind === kind;

  it('the CEO on process 1 gets an escalation made on process 3; alice gets the decision; nothing is lost when process 1 dies', async () => {
    const [p1, p2, p3] = servers as [ServerProcess, ServerProcess, ServerProcess];
    const ceo = await stream(p1, 'ada');
    const agent = await stream(p2, 'alice');
    const globex = await stream(p3, 'gloria');
    await options.fanout(tdb, 3);

    const escalation = await escalate(p3, 'Refund 1,200 EUR');
    await ceo.next(about(escalation.id, 'approval.submitted'));
    await post(p2, 'ada', `/api/v1/approvals/${escalation.id}/approve`, { comment: 'Yes.' });
    const decided = await agent.next(about(escalation.id, 'approval.decided'));
    expect((decided.data as { title: string }).title).toMatch(
      / approved your request: Refund 1,200 EUR$/,
    );
    await ceo.next(
      (e) => e.event === 'approval' && (e.data as { status: string }).status === 'approved',
    );

    // Process 1 dies; meanwhile more happens on the others.
    const lastSeen = ceo.lastEventId!;
    servers[0]!.child.kill('SIGKILL');
    await ceo.closed;
    const missed = [await escalate(p3, 'While away 1'), await escalate(p2, 'While away 2')];
    await post(p3, 'ada', `/api/v1/approvals/${missed[0]!.id}/reject`, { reason: 'No.' });

    const resumed = await stream(p2, 'ada', { 'last-event-id': lastSeen });
    for (const m of missed) await resumed.next(about(m.id, 'approval.submitted'));
    await resumed.next(
      (e) => e.event === 'approval' && (e.data as { status: string }).status === 'rejected',
    );
    // Exactly the log as the CEO may see it, in order, once: before the crash and after it.
    const { rows } = await tdb.admin.query<{ pos: string }>(
      `select seq::text as pos from stream_events
        where tenant_id = $1 and (user_id is null or user_id = $2) order by seq`,
      [tenant.acme, userId.ada],
    );
    await resumed.next((e) => e.id === rows.at(-1)!.pos);
    expect([...ceo.events, ...resumed.events].map((e) => e.id)).toEqual(rows.map((r) => r.pos));
    // Globex saw none of it.
    expect(globex.events).toEqual([]);
  });
}
