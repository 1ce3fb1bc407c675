import {
  decodeProtectedHeader,
  exportPKCS8,
  exportSPKI,
  generateKeyPair,
  importSPKI,
  jwtVerify,
} from 'jose';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseSettings } from '@afenda/platform/settings';
import { jitsiProblems, videoSettingsSchema, type VideoSettings } from './settings.ts';
import { createJitsiSigner, NBF_BACKDATE_S } from './jitsi-token.ts';

const contract = (file: string) =>
  JSON.parse(
    readFileSync(
      new URL(`../../../packages/test-utils/contracts/jitsi/${file}`, import.meta.url),
      'utf8',
    ),
  ) as Record<string, unknown>;
const claimsExample = contract('token-claims.example.json');
const headersExample = contract('token-headers.example.json') as Record<
  string,
  Record<string, string>
>;

const SECRET = 'a-jitsi-app-secret-of-at-least-32-characters';
const base = {
  NODE_ENV: 'test',
  DATABASE_URL: 'postgres://unused@127.0.0.1/unused',
  JITSI_URL: 'https://meet.acme.example',
  JITSI_APP_ID: 'orchestrator',
};
const now = new Date('2026-07-13T10:00:00Z');
const nowS = now.getTime() / 1000;
const input = (
  over: Partial<Parameters<NonNullable<ReturnType<typeof createJitsiSigner>>['sign']>[0]> = {},
) => ({
  roomName: 'q3v7bx2mkd5s6p4wfhj7tn2c8rlyzgae',
  roomExpiresAt: new Date(now.getTime() + 2 * 3600_000),
  tenantId: '0d6a3c1e-7f2b-4a8e-9c55-1b2d3e4f5a6b',
  user: {
    id: '6f1c2a9e-3b7d-4d0e-9c51-2f8a7e1b0c44',
    name: 'Alice Agent',
    email: 'alice@acme.example',
  },
  moderator: false,
  now,
  ...over,
});

/** The prosody rules of NOTES.md §1 that a decoded token must pass. */
function expectProsodyAccepts(payload: Record<string, unknown>, header: Record<string, unknown>) {
  expect(header.typ).toBe('JWT');
  expect(typeof payload.exp).toBe('number');
  expect(typeof payload.nbf).toBe('number');
  expect(payload.nbf as number).toBeLessThanOrEqual(nowS - 1); // back-dated: no leeway there
  expect(typeof payload.iss).toBe('string');
  expect(typeof payload.aud).toBe('string'); // compared as a single string: an array fails
  expect(typeof payload.room).toBe('string');
  expect(payload.room).toBe((payload.room as string).toLowerCase());
  const user = (payload.context as { user: Record<string, unknown> }).user;
  for (const [k, v] of Object.entries(user)) expect(typeof v, `context.user.${k}`).toBe('string');
  // The same claim set as the contract's example (nothing it lacks, nothing missing but avatar).
  expect(Object.keys(payload).sort()).toEqual(
    Object.keys(claimsExample)
      .filter((k) => k !== '_comment')
      .sort(),
  );
  const ctx = payload.context as Record<string, unknown>;
  const exampleCtx = claimsExample.context as Record<string, unknown>;
  expect(Object.keys(ctx).sort()).toEqual(Object.keys(exampleCtx).sort());
  expect(Object.keys(ctx.features as object).sort()).toEqual(
    Object.keys(exampleCtx.features as object).sort(),
  );
}

/** The video module's settings from an environment, as the orchestrator's loader reads them. */
function loadConfig(env: Record<string, string>): VideoSettings {
  const parsed = parseSettings(videoSettingsSchema, env);
  if (!parsed.data) throw new ConfigError(parsed.problems);
  const problems = jitsiProblems(parsed.data);
  if (problems.length > 0) throw new ConfigError(problems);
  return parsed.data;
}

describe('Jitsi tokens (HS256, the app secret)', () => {
  const signer = createJitsiSigner(loadConfig({ ...base, JITSI_APP_SECRET: SECRET }))!;

  it('verify with the app secret and carry the contract claims', async () => {
    const { token, expiresAt } = await signer.sign(input({ moderator: true }));
    expect(decodeProtectedHeader(token)).toEqual(headersExample.hs256_shared_secret);
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(SECRET), {
      algorithms: ['HS256'],
      issuer: 'orchestrator',
      audience: 'orchestrator',
      currentDate: now,
    });
    expectProsodyAccepts(payload, protectedHeader);
    expect(payload).toMatchObject({
      iss: 'orchestrator',
      aud: 'orchestrator',
      sub: 'meet.acme.example',
      room: 'q3v7bx2mkd5s6p4wfhj7tn2c8rlyzgae',
      iat: nowS,
      nbf: nowS - NBF_BACKDATE_S,
      exp: nowS + 900,
      context: {
        user: {
          id: '6f1c2a9e-3b7d-4d0e-9c51-2f8a7e1b0c44',
          name: 'Alice Agent',
          email: 'alice@acme.example',
          moderator: 'true',
          affiliation: 'owner',
        },
        group: '0d6a3c1e-7f2b-4a8e-9c55-1b2d3e4f5a6b',
        features: { recording: 'false', 'screen-sharing': 'true' },
      },
    });
    expect(expiresAt.getTime()).toBe((nowS + 900) * 1000);
    expect(signer.domain).toBe('meet.acme.example');
  });

  it('give everyone but the moderator no moderator or owner claim', async () => {
    const { token } = await signer.sign(input({ moderator: false }));
    const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET), {
      currentDate: now,
    });
    const user = (payload.context as { user: Record<string, unknown> }).user;
    expect(user).not.toHaveProperty('moderator');
    expect(user).not.toHaveProperty('affiliation');
    expect(Object.keys(user).sort()).toEqual(['email', 'id', 'name']);
  });

  it('never outlive the room', async () => {
    const roomExpiresAt = new Date(now.getTime() + 5 * 60_000);
    const { token, expiresAt } = await signer.sign(input({ roomExpiresAt }));
    const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET), {
      currentDate: now,
    });
    expect(payload.exp).toBe(roomExpiresAt.getTime() / 1000);
    expect(expiresAt).toEqual(roomExpiresAt);
    await expect(
      jwtVerify(token, new TextEncoder().encode(SECRET), {
        currentDate: new Date(roomExpiresAt.getTime() + 1000),
      }),
    ).rejects.toThrow(/exp/);
  });

  it('fail verification with another secret, and leave out an e-mail nobody has', async () => {
    const { token } = await signer.sign(input({ user: { id: 'u', name: 'No Mail', email: null } }));
    await expect(
      jwtVerify(token, new TextEncoder().encode(`${SECRET}-other`), { currentDate: now }),
    ).rejects.toThrow(/signature/);
    const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET), {
      currentDate: now,
    });
    expect((payload.context as { user: object }).user).toEqual({ id: 'u', name: 'No Mail' });
  });

  it('use the configured audience and subject', async () => {
    const other = createJitsiSigner(
      loadConfig({
        ...base,
        JITSI_APP_SECRET: SECRET,
        JITSI_AUDIENCE: 'jitsi',
        JITSI_SUBJECT: '*',
      }),
    )!;
    const { token } = await other.sign(input());
    const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET), {
      audience: 'jitsi',
      currentDate: now,
    });
    expect(payload.sub).toBe('*');
  });
});

describe('Jitsi tokens (RS256, ASAP)', () => {
  it('verify with the public key and name the key id', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const pem = await exportPKCS8(privateKey);
    const signer = createJitsiSigner(
      loadConfig({
        ...base,
        JITSI_JWT_ALGORITHM: 'RS256',
        // as an environment file often carries it: one line with \n escapes
        JITSI_PRIVATE_KEY: pem.replaceAll('\n', '\\n'),
        JITSI_KEY_ID: 'orchestrator/2026-07',
      }),
    )!;
    const { token } = await signer.sign(input({ moderator: true }));
    expect(decodeProtectedHeader(token)).toEqual(headersExample.rs256_asap_public_key);
    const spki = await importSPKI(await exportSPKI(publicKey), 'RS256');
    const { payload, protectedHeader } = await jwtVerify(token, spki, {
      algorithms: ['RS256'],
      issuer: 'orchestrator',
      audience: 'orchestrator',
      currentDate: now,
    });
    expectProsodyAccepts(payload, protectedHeader);
    expect((payload.context as { user: object }).user).toMatchObject({ moderator: 'true' });
  });
});

describe('Jitsi settings', () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig({ ...base, ...env });
      return '';
    } catch (err) {
      return (err as Error).message;
    }
  };

  it('are off without JITSI_URL, and complete with it', () => {
    expect(createJitsiSigner(loadConfig({ NODE_ENV: 'test' }))).toBeNull();
    expect(problems({})).toMatch(/JITSI_APP_SECRET is required/);
    expect(problems({ JITSI_APP_ID: '', JITSI_APP_SECRET: SECRET })).toMatch(
      /JITSI_APP_ID is required/,
    );
    expect(problems({ JITSI_APP_SECRET: 'short' })).toMatch(/JITSI_APP_SECRET must be at least 32/);
    // Without JITSI_URL, a placeholder secret (a deployment without video) is no problem.
    expect(problems({ JITSI_URL: '', JITSI_APP_SECRET: 'CHANGE_ME' })).toBe('');
    expect(problems({ JITSI_JWT_ALGORITHM: 'RS256' })).toMatch(
      /JITSI_PRIVATE_KEY is required for RS256.*JITSI_KEY_ID is required for RS256/,
    );
    expect(problems({ JITSI_JWT_ALGORITHM: 'none', JITSI_APP_SECRET: SECRET })).toMatch(
      /JITSI_JWT_ALGORITHM must be HS256 or RS256/,
    );
    expect(problems({ JITSI_APP_SECRET: SECRET })).toBe('');
  });

  it('refuse a private key that is not a PEM RSA key, without showing it', async () => {
    const garbage = '-----BEGIN PRIVATE KEY-----\\nnot a key\\n-----END PRIVATE KEY-----';
    const ec = await exportPKCS8(
      (await generateKeyPair('ES256', { extractable: true })).privateKey,
    );
    for (const key of [garbage, ec]) {
      const message = problems({
        JITSI_JWT_ALGORITHM: 'RS256',
        JITSI_PRIVATE_KEY: key,
        JITSI_KEY_ID: 'k1',
      });
      expect(message).toMatch(/JITSI_PRIVATE_KEY must be a PEM RSA private key/);
      expect(message).not.toMatch(/not a key|BEGIN/);
    }
  });
});
