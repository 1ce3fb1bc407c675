import { describe, expect, it } from 'vitest';
import { parseReply } from './decisions.ts';
import { powerLevelDrift, powerLevelsFor, type Role } from './matrix/rooms.ts';
import { buildRegistration, localpartOf } from './setup.ts';
import { excerpt, mentionsIn } from './transactions.ts';
import { matrixProblems } from './settings.ts';
import { chatSettingsSchema } from './settings.ts';

describe('replies that decide', () => {
  it.each([
    ['approve', { decision: 'approved' }],
    ['Approved!', { decision: 'approved' }],
    ['✅', { decision: 'approved' }],
    ['reject too expensive', { decision: 'rejected', reason: 'too expensive' }],
    ['Reject: not this quarter', { decision: 'rejected', reason: 'not this quarter' }],
    ['reject', { decision: 'rejected', reason: '' }],
    ['because the margin is thin', { reason: 'because the margin is thin' }],
    ['approvedish', { reason: 'approvedish' }],
    ['   ', null],
  ])('%j', (text, expected) => {
    expect(parseReply(text)).toEqual(expected);
  });
});

describe('power levels from roles', () => {
  const members = new Map<string, Role>([
    ['@ada:x', 'owner'],
    ['@arjun:x', 'admin'],
    ['@alice:x', 'member'],
    ['@vic:x', 'viewer'],
  ]);
  it('maps owner and admin to 50, members to the default 0, viewers to -1 (read-only)', () => {
    const pl = powerLevelsFor(members);
    expect(pl.users).toEqual({ '@ada:x': 50, '@arjun:x': 50, '@vic:x': -1 });
    expect([pl.invite, pl.kick, pl.ban, pl.state_default]).toEqual([100, 100, 100, 100]);
    expect(pl.events_default).toBe(0);
  });
  it('finds what differs, and nothing when in step', () => {
    const wanted = powerLevelsFor(members);
    expect(powerLevelDrift({ ...wanted, historical: 100 }, wanted)).toEqual([]);
    expect(
      powerLevelDrift({ ...wanted, users: { ...wanted.users, '@alice:x': 100 } }, wanted),
    ).toEqual(['@alice:x 100 → 0']);
    expect(powerLevelDrift({ ...wanted, kick: 50 }, wanted)).toEqual(['kick 50 → 100']);
    expect(powerLevelDrift(null, wanted)).toEqual(['no power levels']);
  });
});

describe('mentions and excerpts', () => {
  it('reads m.mentions and @user:server in the text', () => {
    expect(
      [
        ...mentionsIn(
          {
            body: 'ping @bob:afenda.test and @eve:other.org',
            'm.mentions': { user_ids: ['@ada:afenda.test'] },
          },
          'afenda.test',
        ),
      ].sort(),
    ).toEqual(['@ada:afenda.test', '@bob:afenda.test']);
  });
  it('keeps text inert and short', () => {
    expect(excerpt('  <b>hi</b>\n\nthere ')).toBe('<b>hi</b> there');
    expect(excerpt('x'.repeat(300))).toHaveLength(280);
    expect(excerpt({ not: 'text' })).toBe('');
  });
});

describe('setup', () => {
  it('maps Keycloak usernames to Matrix localparts as Synapse does', () => {
    expect(localpartOf('Alice.Smith')).toBe('alice.smith');
    expect(localpartOf('jörg k')).toBe('j=c3=b6rg=20k');
  });
  it('registers the orchestrator with the keys Synapse requires', () => {
    const r = buildRegistration({
      orchestratorUrl: 'https://api.example.org/',
      serverName: 'example.org',
      asToken: 'a'.repeat(32),
      hsToken: 'h'.repeat(32),
      botLocalpart: 'afenda',
    });
    expect(r.url).toBe('https://api.example.org/api/v1/webhooks/matrix');
    for (const ns of [...r.namespaces.users, ...r.namespaces.aliases]) {
      expect(typeof ns.regex).toBe('string');
      expect(typeof ns.exclusive).toBe('boolean');
    }
    expect(new RegExp(r.namespaces.aliases[0]!.regex).test('#afenda_abc_team:example.org')).toBe(
      true,
    );
    expect(new RegExp(r.namespaces.aliases[0]!.regex).test('#afenda_abc_team:exampleXorg')).toBe(
      false,
    );
  });
  it('asks for the homeserver URL, server name and as_token together', () => {
    const s = chatSettingsSchema.parse({ MATRIX_HOMESERVER_URL: 'http://127.0.0.1:8008' });
    expect(matrixProblems(s).map((p) => p.variable)).toEqual([
      'MATRIX_SERVER_NAME',
      'MATRIX_AS_TOKEN',
    ]);
    expect(matrixProblems(chatSettingsSchema.parse({}))).toEqual([]);
    // The server name alone (compose passes it whether or not Team chat is on) asks nothing.
    expect(matrixProblems(chatSettingsSchema.parse({ MATRIX_SERVER_NAME: 'example.org' }))).toEqual(
      [],
    );
    expect(
      matrixProblems(
        chatSettingsSchema.parse({
          MATRIX_SERVER_NAME: 'example.org',
          MATRIX_AS_TOKEN: 'as-token-0123456789abcdef',
        }),
      ).map((p) => p.variable),
    ).toEqual(['MATRIX_HOMESERVER_URL']);
  });
});
