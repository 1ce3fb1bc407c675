import type { ConnectionTest } from '@afenda/platform/module';
import { createPublicKey, createPrivateKey, createSecretKey, type KeyObject } from 'node:crypto';
import { jwtVerify } from 'jose';
import { createJitsiSigner } from './jitsi-token.ts';
import type { VideoSettings } from './settings.ts';

/**
 * The App registry's "Test connection" for Meetings (Jitsi Meet, configured by the deployment):
 * a token signed with the configured app id and key must verify against that same key with the
 * claims prosody checks (issuer = app id, audience), and the Jitsi web server must answer
 * (`GET <JITSI_URL>/config.js`, what every Jitsi Meet web deployment serves). Prosody's own
 * check of the token happens when someone joins: it cannot be asked without joining a room.
 */
export async function testJitsiConnection(
  settings: VideoSettings,
  deps: { fetch: typeof fetch; timeoutMs?: number },
): Promise<ConnectionTest> {
  let signer;
  try {
    signer = createJitsiSigner(settings);
  } catch (err) {
    return {
      ok: false,
      summary: `Jitsi tokens cannot be signed: ${(err as Error).message}.`,
      target: '',
    };
  }
  if (!signer)
    return {
      ok: false,
      summary: 'Meetings need JITSI_URL and JITSI_APP_ID in the orchestrator’s environment.',
      target: '',
    };
  const now = new Date();
  const { token } = await signer.sign({
    roomName: 'afenda-connection-test',
    roomExpiresAt: new Date(now.getTime() + 60_000),
    tenantId: 'connection-test',
    user: { id: 'connection-test', name: 'Connection test', email: null },
    moderator: false,
    now,
  });
  const key: KeyObject =
    settings.JITSI_JWT_ALGORITHM === 'RS256'
      ? createPublicKey(createPrivateKey(settings.JITSI_PRIVATE_KEY!.replaceAll('\\n', '\n')))
      : createSecretKey(Buffer.from(settings.JITSI_APP_SECRET!, 'utf8'));
  try {
    await jwtVerify(token, key, {
      issuer: settings.JITSI_APP_ID,
      audience: settings.JITSI_AUDIENCE ?? settings.JITSI_APP_ID,
      algorithms: [settings.JITSI_JWT_ALGORITHM],
    });
  } catch (err) {
    return {
      ok: false,
      summary: `A test token does not verify: ${(err as Error).message}.`,
      target: '',
    };
  }
  const target = `${signer.url}/config.js`;
  const tokens = `tokens are signed ${settings.JITSI_JWT_ALGORITHM} for app id “${settings.JITSI_APP_ID}” and verify with the configured key`;
  try {
    const res = await deps.fetch(target, { signal: AbortSignal.timeout(deps.timeoutMs ?? 5000) });
    await res.body?.cancel();
    if (!res.ok)
      return {
        ok: false,
        summary: `Jitsi Meet answered ${res.status} at ${target}; ${tokens}.`,
        target,
      };
    return { ok: true, summary: `Jitsi Meet answered at ${signer.url}; ${tokens}.`, target };
  } catch (err) {
    const cause = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
    return { ok: false, summary: `Jitsi Meet did not answer at ${signer.url}: ${cause}.`, target };
  }
}
