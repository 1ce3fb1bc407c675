import { ResponseBodyError } from 'openid-client';
import { describe, expect, it, vi } from 'vitest';

import { loadAuthConfig } from './config';
import { type SessionData } from './session-data';
import { MemorySessionStore } from './memory-session-store';
import { createSession, loadSession, SessionUnavailableError, type SessionDeps } from './sessions';

const config = loadAuthConfig({ SESSION_TTL_S: '3600' });

function sample(over: Partial<SessionData> = {}): SessionData {
  const now = Date.now();
  return {
    subject: 'user-1',
    sid: 'sid-1',
    username: 'alice',
    name: 'Alice Nguyen',
    email: null,
    accessToken: 'at-1',
    accessTokenExpiresAt: now + 300_000,
    refreshToken: 'rt-1',
    idToken: 'id-1',
    createdAt: now,
    ...over,
  };
}

function deps(refresh: SessionDeps['refresh']): SessionDeps {
  return { config, store: new MemorySessionStore(), refresh };
}

const refusal = () =>
  new ResponseBodyError('server responded with an error in the response body', {
    cause: { error: 'invalid_grant', error_description: 'Token is not active' },
    response: new Response(null, { status: 400 }),
  });

describe('loadSession', () => {
  it('returns a session whose access token is good for more than 60 s as it is', async () => {
    const refresh = vi.fn();
    const d = deps(refresh);
    const id = await createSession(d, sample());
    expect((await loadSession(d, id))?.accessToken).toBe('at-1');
    expect(refresh).not.toHaveBeenCalled();
    expect(await loadSession(d, 'x'.repeat(43))).toBeNull();
  });

  it('refreshes an access token that expires within 60 s, once for concurrent requests', async () => {
    const refresh = vi.fn(async (_c: unknown, s: SessionData) => {
      await new Promise((r) => setTimeout(r, 20));
      return {
        ...s,
        accessToken: 'at-2',
        refreshToken: 'rt-2',
        accessTokenExpiresAt: Date.now() + 300_000,
      };
    });
    const d = deps(refresh);
    const id = await createSession(d, sample({ accessTokenExpiresAt: Date.now() + 59_000 }));
    const [a, b, c] = await Promise.all([
      loadSession(d, id),
      loadSession(d, id),
      loadSession(d, id),
    ]);
    expect([a?.accessToken, b?.accessToken, c?.accessToken]).toEqual(['at-2', 'at-2', 'at-2']);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect((await d.store.get(id))?.refreshToken).toBe('rt-2');
    // The next request finds the stored tokens fresh.
    expect((await loadSession(d, id))?.accessToken).toBe('at-2');
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('ends the session when the provider refuses the refresh', async () => {
    const d = deps(vi.fn().mockRejectedValue(refusal()));
    const id = await createSession(d, sample({ accessTokenExpiresAt: Date.now() - 1 }));
    expect(await loadSession(d, id)).toBeNull();
    expect(await d.store.get(id)).toBeNull();
  });

  it('ends the session on an unexpected failure (visible, rather than stuck)', async () => {
    const d = deps(vi.fn().mockRejectedValue(new TypeError('"config" must be an instance')));
    const id = await createSession(d, sample({ accessTokenExpiresAt: Date.now() + 30_000 }));
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await loadSession(d, id)).toBeNull();
    expect(error).toHaveBeenCalled();
    error.mockRestore();
  });

  it('keeps the session when the provider is unreachable', async () => {
    const unreachable = vi.fn().mockRejectedValue(new TypeError('fetch failed'));
    const d = deps(unreachable);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    // Still valid for 30 s: use it.
    const soon = await createSession(d, sample({ accessTokenExpiresAt: Date.now() + 30_000 }));
    expect((await loadSession(d, soon))?.accessToken).toBe('at-1');
    // Expired: an error the page shows ("try again"), but the session stays.
    const gone = await createSession(d, sample({ accessTokenExpiresAt: Date.now() - 1 }));
    await expect(loadSession(d, gone)).rejects.toBeInstanceOf(SessionUnavailableError);
    expect(await d.store.get(gone)).not.toBeNull();
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });

  it('ends a session past its absolute lifetime, or without a refresh token', async () => {
    const refresh = vi.fn();
    const d = deps(refresh);
    const old = await createSession(d, sample({ createdAt: Date.now() - 3_600_001 }));
    expect(await loadSession(d, old)).toBeNull();
    const noRefresh = await createSession(
      d,
      sample({ refreshToken: null, accessTokenExpiresAt: Date.now() }),
    );
    expect(await loadSession(d, noRefresh)).toBeNull();
    expect(refresh).not.toHaveBeenCalled();
  });

  it('keeps the absolute lifetime across refreshes', async () => {
    const d = deps(async (_c, s) => ({
      ...s,
      accessToken: 'at-2',
      accessTokenExpiresAt: Date.now() + 300_000,
    }));
    const set = vi.spyOn(d.store, 'set');
    const id = await createSession(
      d,
      sample({ createdAt: Date.now() - 3_000_000, accessTokenExpiresAt: Date.now() }),
    );
    await loadSession(d, id);
    const ttl = set.mock.calls.at(-1)?.[2] ?? 0;
    expect(ttl).toBeGreaterThan(590);
    expect(ttl).toBeLessThanOrEqual(600);
  });
});
