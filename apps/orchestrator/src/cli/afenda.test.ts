import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startIdentityFixture, type IdentityFixture } from '../testing/fixture.ts';
import { runCli } from './afenda.ts';
import { freePort } from '@afenda/db';
import { startChatwootDouble } from '@afenda/test-utils/chatwoot-double';
import { TEST_SETTINGS_KEY } from '../testing/app.ts';

let fx: IdentityFixture;

beforeAll(async () => {
  fx = await startIdentityFixture({ poolMax: 4 });
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await fx?.close();
});

/** One command line, as `npx afenda …` runs it, with what it printed. */
async function afenda(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe('the afenda command line against a real database', () => {
  beforeAll(() => {
    vi.stubEnv('DATABASE_URL', fx.tdb.appUrl);
  });

  it('status: the database, the schema, the work waiting, the last syncs', async () => {
    const { code, out, err } = await afenda('status');
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^database\s+answers in \d+ ms$/);
    expect(out[1]).toMatch(/^schema\s+\d+ migrations applied, 0 pending$/);
    const json = await afenda('status', '--json');
    const report = JSON.parse(json.out.join('\n')) as {
      migrations: { pending: string[] };
      syncs: { source: string; lastStatus: string }[];
    };
    expect(report.migrations.pending).toEqual([]);
    // The fixture's directory sync (the realm file) ran: listed with its last run.
    expect(report.syncs).toContainEqual(
      expect.objectContaining({ source: 'realm-file', lastStatus: 'succeeded' }),
    );
  });

  it('status exits 1 and says why when dead letters wait', async () => {
    await fx.tdb.admin.query(
      `insert into outbound_actions (tenant_id, kind, subject_id, status, attempts, last_error)
       select id, 'example.cli', 'cli-test', 'dead', 5, 'the tool said no' from tenants
        where slug = 'acme' and kind = 'organization'`,
    );
    const { code, err } = await afenda('status');
    expect(code).toBe(1);
    expect(err).toEqual([
      'needs attention: 0 dead webhook deliveries, 1 dead outbound actions, 0 pending migrations',
    ]);
    const dead = await afenda('outbound', 'dead-letters');
    expect(dead.out[0]).toMatch(/^ID\s+KIND\s+SUBJECT\s+STATUS\s+TRIES\s+CREATED\s+ERROR$/);
    expect(dead.out[1]).toContain('the tool said no');
    const listed = JSON.parse((await afenda('outbound', 'list', '--json')).out.join('\n')) as {
      id: string;
      status: string;
    }[];
    const id = listed.find((r) => r.status === 'dead')!.id;
    const replay = await afenda('outbound', 'replay', id, '--json');
    expect(JSON.parse(replay.out[0]!)).toEqual({ replayed: [id] });
    // Replayed once: a second replay finds nothing dead and says so.
    const again = await afenda('outbound', 'replay', id);
    expect(again.out).toEqual(['replayed 0 outbound actions']);
    expect(again.err).toEqual(['some ids were not dead or failed: left as they are']);
  });

  it('webhooks and ledger answer in tables, or JSON', async () => {
    const none = await afenda('webhooks', 'dead-letters');
    expect(none).toEqual({ code: 0, out: ['(none)'], err: [] });
    expect(await afenda('ledger', 'verify', 'acme')).toEqual({
      code: 0,
      out: ['acme: the ledger is intact'],
      err: [],
    });
    const json = await afenda('ledger', 'verify', 'acme', '--json');
    expect(JSON.parse(json.out[0]!)).toMatchObject({ tenant: 'acme', valid: true });
  });

  it('answers every ordinary mistake in one line, exit 1, without touching anything', async () => {
    const cases: [string[], string][] = [
      [
        ['frob'],
        'afenda: no command "frob" (commands: status, migrate, sync, webhooks, outbound, ledger, connect, realm, platform)',
      ],
      [
        ['realm'],
        'afenda realm: usage: realm apply [--demo] [--dry-run] [--file f] | realm export [--demo]',
      ],
      [
        ['realm', 'export', '--file', '/nowhere/realm.json'],
        'afenda realm: no realm file at /nowhere/realm.json (--file names another)',
      ],
      [
        ['webhooks'],
        'afenda webhooks: usage: webhooks list [--status s] [--limit n] | dead-letters | replay <id…> | replay --all',
      ],
      [['webhooks', 'replay'], 'afenda webhooks: replay needs delivery ids (see `list`) or --all'],
      [
        ['webhooks', 'replay', 'abc'],
        'afenda webhooks: "abc" is not a delivery id (a UUID; `list` shows them)',
      ],
      [
        ['webhooks', 'list', '--limit', 'x'],
        'afenda webhooks: --limit is a whole number from 1 to 1000, not "x"',
      ],
      [
        ['webhooks', 'list', '--bogus'],
        "afenda webhooks: Unknown option '--bogus' (options: --status, --limit, --all, --json)",
      ],
      [
        ['outbound', 'list', '--status', 'nope'],
        'afenda outbound: --status is one of pending, done, failed, dead, not "nope"',
      ],
      [
        ['ledger', 'verify', 'nowhere'],
        'afenda ledger: no tenant "nowhere" (an id, or a slug like acme)',
      ],
      [['sync', 'extra'], 'afenda sync: sync takes options only, not "extra"'],
      [
        ['connect'],
        'afenda connect: which tool? connect matrix, connect chatwoot (npx afenda help)',
      ],
      [
        ['connect', 'slack'],
        'afenda connect: no tool "slack" to connect here (tools: matrix, chatwoot)',
      ],
      [
        ['connect', 'chatwoot', '--check'],
        "afenda connect: Unknown option '--check' (options: --org, --url, --token, --account, --dashboard-app, --json)",
      ],
      [
        ['connect', 'chatwoot', '--org', 'acme', '--url', 'ftp://x'],
        'afenda connect: --url must be an http(s) URL, not "ftp://x"',
      ],
      [
        ['connect', 'chatwoot', '--org', 'acme', '--url', 'http://127.0.0.1:9', '--account', 'one'],
        'afenda connect: --account is the number in Chatwoot’s address (/app/accounts/<id>)',
      ],
      [
        [
          'connect',
          'chatwoot',
          '--org',
          'nowhere',
          '--url',
          'http://127.0.0.1:9',
          '--account',
          '1',
          '--token',
          't',
        ],
        'afenda connect: no organisation "nowhere" (its slug, e.g. acme)',
      ],
    ];
    // The production realm, as `realm export` prints it: no people, no demo client.
    const exported = await afenda('realm', 'export');
    expect(exported.code).toBe(0);
    const realm = JSON.parse(exported.out.join('\n')) as {
      users: unknown[];
      groups: unknown[];
      clients: { clientId: string; redirectUris?: string[] }[];
    };
    expect(realm.users).toEqual([]);
    expect(realm.groups).toEqual([]);
    expect(realm.clients.map((c) => c.clientId)).not.toContain('afenda-test');
    expect(realm.clients.find((c) => c.clientId === 'afenda-shell')?.redirectUris).toEqual([
      'http://localhost:3000/auth/callback',
    ]);
    for (const [argv, line] of cases) {
      const { code, out, err } = await afenda(...argv);
      expect({ argv, code, out, err }).toEqual({ argv, code: 1, out: [], err: [line] });
    }
  });
});

describe('the afenda command line without a database', () => {
  it('says where the database should be, in one line', async () => {
    vi.stubEnv('DATABASE_URL', '');
    vi.stubEnv('DATA_DIR', '/nonexistent/afenda-data');
    expect(await afenda('status')).toEqual({
      code: 1,
      out: [],
      err: [
        'afenda status: no database: set DATABASE_URL, or start the product once (npm start) so that /nonexistent/afenda-data holds the embedded one',
      ],
    });
    // A database that does not answer: which address, and what to check.
    vi.stubEnv('DATABASE_URL', 'postgres://afenda_app:x@127.0.0.1:1/postgres');
    const refused = await afenda('webhooks', 'list');
    expect(refused.code).toBe(1);
    expect(refused.err).toEqual([
      'afenda webhooks: the database at 127.0.0.1:1 does not answer: is the product running (npm start), and is DATABASE_URL right?',
    ]);
    vi.stubEnv('DATABASE_ADMIN_URL', '');
    expect((await afenda('migrate')).err).toEqual([
      'afenda migrate: DATABASE_ADMIN_URL is required (on the embedded default, `npm start` migrates by itself)',
    ]);
  });
});

describe('afenda connect chatwoot', () => {
  it('wires Chatwoot for an organisation in one step, the round trip proven through the running orchestrator', async () => {
    const chatwoot = await startChatwootDouble();
    const port = await freePort();
    await fx.app.listen({ port, host: '127.0.0.1' });
    vi.stubEnv('DATABASE_URL', fx.tdb.appUrl);
    vi.stubEnv('PUBLIC_URL', `http://127.0.0.1:${port}`);
    vi.stubEnv('SETTINGS_ENCRYPTION_KEY', TEST_SETTINGS_KEY);
    vi.stubEnv('CHATWOOT_API_TOKEN', chatwoot.token);
    try {
      const { code, out, err } = await afenda(
        'connect',
        'chatwoot',
        '--org',
        'acme',
        '--url',
        chatwoot.url,
        '--account',
        '1',
      );
      expect(err).toEqual([]);
      expect(out.slice(0, 4).map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual([
        'ok token',
        'ok webhook',
        'ok settings',
        'ok round-trip',
      ]);
      expect(out[4]).toBe('Chatwoot is connected.');
      expect(out[3]).toMatch(/came back as a signed webhook in \d+ ms/);
      expect(code).toBe(0);
      expect(chatwoot.webhooks.map((w) => w.url)).toEqual([
        `http://127.0.0.1:${port}/api/v1/webhooks/chatwoot`,
      ]);
      // A refused token: the failed step, exit 1.
      vi.stubEnv('CHATWOOT_API_TOKEN', 'wrong');
      const refused = await afenda(
        'connect',
        'chatwoot',
        '--org',
        'acme',
        '--url',
        chatwoot.url,
        '--account',
        '1',
      );
      expect(refused.code).toBe(1);
      expect(refused.out[0]).toMatch(/^FAIL\s+token\s+Chatwoot refused the API token \(401\)/);
    } finally {
      await chatwoot.close();
    }
  }, 60_000);
});
